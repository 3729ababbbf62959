// What the sandbox's fake GitHub holds before anyone types: django/django with a Shepherd config on
// the Django preset, a few files (so PR path rules and the code index have something to read),
// roadmap milestones, people in each role, and open issues a newcomer can be pointed at.
import type { World } from "../../test/support/world.js";

export const SANDBOX_CONFIG = `# .github/shepherd.yml of the sandbox's django/django
preset: django-async
triage:
  explain: comment
commands: {}
claims: {}
onboarding:
  contributingUrl: https://docs.djangoproject.com/en/dev/internals/contributing/
  testsUrl: https://docs.djangoproject.com/en/dev/internals/contributing/writing-code/unit-tests/
mentors:
  subsystems:
    orm:
      - { login: carltongibson, capacity: 2, timezone: Europe/Madrid }
    views-http:
      - { login: sarahboyce, capacity: 2 }
  fallback: [felixxm]
staleClaims: {}
progress:
  # A person watching the page should see the summary follow within seconds, not the default 30.
  coalesceSeconds: 2
digest:
  label: weekly-digest
`;

export interface SandboxUser {
  login: string;
  role: string;
  /** GitHub's author_association on this user's issues and comments. */
  association: string;
}

export const USERS: SandboxUser[] = [
  { login: "felixxm", role: "maintainer", association: "MEMBER" },
  { login: "carltongibson", role: "mentor (orm)", association: "MEMBER" },
  { login: "sarahboyce", role: "mentor (views-http)", association: "MEMBER" },
  { login: "newcomer-ana", role: "newcomer", association: "FIRST_TIME_CONTRIBUTOR" },
  { login: "newcomer-ben", role: "newcomer", association: "FIRST_TIME_CONTRIBUTOR" },
  { login: "regular-chidi", role: "contributor (3 merged PRs)", association: "CONTRIBUTOR" },
];

/** A Django-shaped tree: enough for the preset's path globs and the code index. */
export const FILES: Record<string, string> = {
  "django/db/models/query.py":
    "class QuerySet:\n    def get(self):\n        pass\n\n    async def aget(self):\n        pass\n\n    def count(self):\n        pass\n\n    async def acount(self):\n        pass\n",
  "django/db/models/manager.py": "class BaseManager:\n    def get_queryset(self):\n        pass\n",
  "django/views/generic/base.py": "class View:\n    def dispatch(self, request):\n        pass\n",
  "django/shortcuts.py":
    "def get_object_or_404(klass, *args):\n    pass\n\nasync def aget_object_or_404(klass, *args):\n    pass\n",
  "django/core/handlers/asgi.py":
    "class ASGIHandler:\n    async def __call__(self, scope, receive, send):\n        pass\n",
  "django/contrib/auth/__init__.py":
    "def login(request, user):\n    pass\n\nasync def alogin(request, user):\n    pass\n",
  "django/template/base.py": "class Template:\n    def render(self, context):\n        pass\n",
  "tests/async_queryset/tests.py": "class AsyncQuerySetTest:\n    async def test_aget(self):\n        pass\n",
  "docs/topics/async.txt": "Asynchronous support\n====================\n",
};

const MILESTONES = ["2.2", "3.0", "3.1", "3.2"];

export function seedWorld(world: World): void {
  const { fake, repo, associations } = world;
  const { state } = fake;
  state.addFile(repo, ".github/shepherd.yml", SANDBOX_CONFIG);
  for (const [path, text] of Object.entries(FILES)) state.addFile(repo, path, text);
  for (const title of MILESTONES) state.addMilestone(repo, { title });
  for (const user of USERS) {
    state.addUser(user.login);
    associations.set(user.login, user.association);
  }
  // Maintainers and mentors have write access: Shepherd never treats them as newcomers.
  state.setPermission(repo, "felixxm", "maintain");
  state.setPermission(repo, "carltongibson", "write");
  state.setPermission(repo, "sarahboyce", "write");
  state.addLabel(repo, { name: "good first issue", color: "7057ff" });
  // Merged PRs make regular-chidi a returning contributor (Shepherd asks GitHub's search).
  for (let i = 1; i <= 3; i++) {
    state.addIssue(repo, {
      title: `Fix a typo in the ORM docs, part ${i}`,
      body: "",
      user: "regular-chidi",
      pull_request: true,
      state: "closed",
      merged: true,
    });
  }
  state.addIssue(repo, {
    title: "Document QuerySet.aiterator() in the async topic guide",
    body: "The async topic guide does not mention `aiterator()` yet.",
    user: "felixxm",
    labels: ["good first issue", "async", "subsystem:orm"],
  });
  state.addIssue(repo, {
    title: "Add an async example to the class-based views docs",
    body: "An `async def get()` example on `View` would help.",
    user: "felixxm",
    labels: ["good first issue", "async", "subsystem:views-http"],
  });
  state.addIssue(repo, {
    title: "Admin changelist renders slowly with many filters",
    body: "A plain performance report: the changelist runs one query per filter.",
    user: "regular-chidi",
  });
}
