/**
 * The value after flag `argv[i]`, for a bench's option parser: a missing one (the end, or the next
 * flag) is an error that shows the usage.
 */
export function optionValue(argv, i, usage) {
  const v = argv[i + 1];
  if (v === undefined || v.startsWith("--")) throw new Error(`${argv[i]} needs a value\n\n${usage}`);
  return v;
}
