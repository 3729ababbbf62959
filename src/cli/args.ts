// Argument pieces the subcommands share.

/** `OWNER/NAME`, or null when the value is missing or not that shape. */
export function repoArgument(value: string | undefined): { owner: string; repo: string } | null {
  const [owner, repo, extra] = (value ?? "").split("/");
  return owner && repo && extra === undefined ? { owner, repo } : null;
}
