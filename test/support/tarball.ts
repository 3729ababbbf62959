// A repository archive laid out as GitHub's tarball endpoint serves it: one top folder
// (`owner-repo-sha`), then the tree, gzipped.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import * as tar from "tar";

/** Writes the archive to a temporary file and returns its path (remove it with removeTarball). */
export function makeTarball(files: Record<string, string>, top = "django-django-c179ad9"): string {
  const dir = mkdtempSync(join(tmpdir(), "shepherd-index-"));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, top, path)), { recursive: true });
    writeFileSync(join(dir, top, path), text);
  }
  const file = join(dir, "archive.tar.gz");
  tar.c({ gzip: true, file, cwd: dir, sync: true }, [top]);
  return file;
}

/** Removes an archive makeTarball wrote, with its temporary folder. */
export function removeTarball(file: string): void {
  rmSync(dirname(file), { recursive: true, force: true });
}

/** A tiny Django-shaped repository, as GitHub's tarball endpoint lays it out. */
export const FILES: Record<string, string> = {
  "django/contrib/auth/middleware.py":
    "class RemoteUserMiddleware(MiddlewareMixin):\n    def process_request(self, request):\n        pass\n",
  "django/contrib/auth/__init__.py":
    "def login(request, user):\n    pass\n\nasync def alogin(request, user):\n    pass\n",
  "django/views/decorators/debug.py":
    "def sensitive_variables(*variables):\n    pass\n\nasync def aview():\n    pass\n",
  "django/shortcuts.py":
    "def get_object_or_404(klass, *args):\n    pass\n\nasync def aget_list():\n    pass\n\ndef get_list():\n    pass\n",
  "django/db/models/query.py":
    "class QuerySet:\n    def get(self):\n        pass\n\n    async def aget(self):\n        pass\n\n    def count(self):\n        pass\n\n    async def acount(self):\n        pass\n",
  "django/utils/text.py": "def helper():\n    pass\nSETTING_NAME = 1\n",
  "django/core/cache/backends/base.py": "def helper():\n    pass\n",
  "django/core/mail/message.py": "def helper():\n    pass\n",
  "tests/auth_tests/test_middleware.py": "class RemoteUserTest:\n    def setUp(self):\n        pass\n",
  "django/contrib/admin/static/admin/js/vendor/jquery/jquery.js": "function jQuery() {}\n",
  "docs/ref/settings.txt": "def not_code():\n",
};
