/**
 * Checks a path inside a repo: relative, '/' between folders, no empty, '.' or '..' segment, nothing
 * under `.git/`. Returns a message naming the problem, or undefined when the path is fine.
 */
export function repoPathProblem(path: string): string | undefined {
  if (path.length === 0) return "the path is empty";
  if (path.length > 1024) return "the path is longer than 1024 characters";
  if (path.startsWith("/")) return `"${path}" is absolute; paths in a repo are relative`;
  // As on the real hub, a backslash is a plain character of a name (paths live in the store, never on
  // disk), but a path that starts by climbing out (`..\x`) is refused.
  if (/^\.\.(\\|$)/.test(path)) return `"${path}" starts with '..', which would leave the repo`;
  if ([...path].some((ch) => ch.charCodeAt(0) < 0x20)) return `"${path}" contains a control character`;
  const segments = path.split("/");
  if (segments.some((s) => s === "" || s === "." || s === ".."))
    return `"${path}" has an empty, '.' or '..' segment`;
  if (segments[0] === ".git") return `"${path}" is inside .git/, which a repo cannot contain`;
  return undefined;
}
