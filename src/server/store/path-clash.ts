/**
 * The first path that is both a file and a folder in a flat list of file paths (`dir` next to
 * `dir/x.txt`), or undefined. Git, the clients' caches and every file system can hold only one.
 */
export function fileFolderClash(paths: Iterable<string>): { file: string; inside: string } | undefined {
  const all = [...paths];
  const files = new Set(all);
  for (const p of all) {
    let i = p.indexOf("/");
    while (i > 0) {
      const prefix = p.slice(0, i);
      if (files.has(prefix)) return { file: prefix, inside: p };
      i = p.indexOf("/", i + 1);
    }
  }
  return undefined;
}
