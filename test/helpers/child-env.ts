/**
 * The environment every child process of a test starts from: a PATH, a UTF-8 locale and nothing
 * else of the parent's (no tokens or endpoints leak in), except NODE_V8_COVERAGE so that `npm test`'s
 * coverage also counts the code the real CLI and local hubs run in their own processes.
 */
export function childEnvBase(): Record<string, string> {
  const base: Record<string, string> = { PATH: process.env.PATH ?? "/usr/bin:/bin", LANG: "C.UTF-8" };
  if (process.env.NODE_V8_COVERAGE) base.NODE_V8_COVERAGE = process.env.NODE_V8_COVERAGE;
  return base;
}
