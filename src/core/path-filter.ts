import { HubferryError } from "./errors.js";

/**
 * --include / --exclude, matched as the official clients match them, so a pattern selects the
 * same files in `hubferry pull` as in `hf download` or ModelScope's `snapshot_download`:
 * huggingface_hub's `filter_repo_objects` runs Python's `fnmatchcase` over the whole path, where
 * `*` crosses folders (`*.json` matches `a/b.json`), a pattern ending in `/` means everything
 * under that folder, and `\` is read as `/`.
 */
export interface PathFilters {
  include?: string[];
  exclude?: string[];
}

/** The accepted pattern forms, for --help and hints. */
export const PATTERN_FORMS =
  "matched against the whole path as huggingface_hub does: * and ? cross folders (*.json matches a/b.json), [abc] and [!abc] are sets, a trailing / means the whole folder";

export function pathSelector(filters: PathFilters): (path: string) => boolean {
  const include = filters.include?.length ? filters.include.map(compilePattern) : undefined;
  const exclude = (filters.exclude ?? []).map(compilePattern);
  return (path) => {
    const p = path.replaceAll("\\", "/");
    return (!include || include.some((re) => re.test(p))) && !exclude.some((re) => re.test(p));
  };
}

/** The filters as the user typed them: `--include 'a' --exclude 'b'`. */
export function describeFilters(filters: PathFilters): string[] {
  return [
    ...(filters.include ?? []).map((g) => `--include '${g}'`),
    ...(filters.exclude ?? []).map((g) => `--exclude '${g}'`),
  ];
}

/** Filters that leave nothing of a non-empty listing: bad input, said before anything happens. */
export function emptySelectionError(filters: PathFilters, total: number, where: string): HubferryError {
  return new HubferryError(
    "BAD_INPUT",
    `${describeFilters(filters).join(" ")} select none of the ${total} file(s) in ${where}`,
    `check the patterns (${PATTERN_FORMS}), or drop them`,
  );
}

/** One pattern as a regular expression, after Python's `fnmatch.translate`. */
export function compilePattern(raw: string): RegExp {
  let pattern = raw.replaceAll("\\", "/");
  if (pattern.endsWith("/")) pattern += "*";
  let out = "";
  for (let i = 0; i < pattern.length; ) {
    const c = pattern[i++]!;
    if (c === "*") {
      if (!out.endsWith(".*")) out += ".*";
    } else if (c === "?") out += ".";
    else if (c === "[") {
      const set = bracketSet(pattern, i);
      if (set) {
        out += set.source;
        i = set.end;
      } else out += "\\[";
    } else out += escapeRegex(c);
  }
  try {
    return new RegExp(`^(?:${out})$`, "s");
  } catch {
    throw new HubferryError(
      "BAD_INPUT",
      `the pattern '${raw}' is not valid`,
      `check its [...] sets (${PATTERN_FORMS})`,
    );
  }
}

/** A `[...]` set starting after the `[` at `start`, or undefined when it never closes (then `[` is literal). */
function bracketSet(pattern: string, start: number): { source: string; end: number } | undefined {
  let j = start;
  if (pattern[j] === "!") j++;
  if (pattern[j] === "]") j++;
  while (j < pattern.length && pattern[j] !== "]") j++;
  if (j >= pattern.length) return undefined;
  const body = pattern.slice(start, j);
  const negate = body.startsWith("!");
  // Python's sets take `[`, `]`, `^` and `\` as plain characters; a JavaScript set needs them escaped.
  const members = (negate ? body.slice(1) : body).replace(/[[\]\\^]/g, "\\$&");
  const source = `[${negate ? "^" : ""}${members}]`;
  return { source, end: j + 1 };
}

function escapeRegex(c: string): string {
  return /[.*+?^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
