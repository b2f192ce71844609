// The benchmark's command line.
import { parseDuration, parseRate } from "./units.mjs";

export const USAGE = `usage: node bench/migrate-bench.mjs [options]   (npm run bench -- [options])

  --quick              small repos (a: 320 MiB, b: 200 files, c: 512 MiB), 1 round
  --shape LIST         a, b, c, a comma list, or all (default all)
                         a: 2-4 GB, one file >= 1 GB plus small files
                         b: 1,000 small files
                         c: one 5 GiB file (skipped when the disk is too small)
  --rounds N           rounds per measurement (default 3; quick: 1)
  --down RATE          shape every hub's egress (what downloads get), e.g. 195MB/s
  --up RATE            shape every hub's ingress (what uploads get), e.g. 42MB/s
  --latency DURATION   added round-trip time per connection and per exchange, e.g. 20ms
  --per-connection RATE  cap each TCP connection, each way, inside the totals, e.g. 50MB/s
                         (one stream from a CDN, one PUT of a file)
  --hf-down, --hf-up, --hf-latency, --hf-per-connection, --ms-down, ...
                       the same for one face only: what HF clients get (either hub's HF API)
                         or ModelScope clients get; each overrides the flag for every hub
  --streams N          parallel streams of the read-alone and upload-alone limits (default 8)
  --no-sequential      skip the official-clients sequential method
  --out FILE           where the Markdown goes (default bench/results/<date>[-quick][-shaped].md)
`;

/** --down, --up, --latency, --per-connection, each also as --hf-… or --ms-… (one face only). */
const LINK_FLAG = /^--(?:(hf|ms)-)?(down|up|latency|per-connection)$/;

/**
 * The link each face of a hub gets ({ hf, ms }, each { down, up, latency, perConnection } as
 * given), or undefined when nothing is shaped. A face's own flags override the ones for both.
 */
export function shapingOf(links) {
  const hf = { ...links.all, ...links.hf };
  const ms = { ...links.all, ...links.ms };
  if (!Object.keys(hf).length && !Object.keys(ms).length) return undefined;
  return { hf, ms };
}

export function parseArgs(argv) {
  const opts = { quick: false, shapes: ["a", "b", "c"], sequential: true, streams: 8 };
  const links = { all: {}, hf: {}, ms: {} };
  const value = (i, name) => {
    const v = argv[i + 1];
    if (v === undefined || v.startsWith("--")) throw new Error(`${name} needs a value\n\n${USAGE}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--no-sequential") opts.sequential = false;
    else if (a === "--help" || a === "-h") opts.help = true;
    else if (a === "--shape") {
      const v = value(i++, a).toLowerCase();
      opts.shapes = v === "all" ? ["a", "b", "c"] : [...new Set(v.split(","))];
      for (const s of opts.shapes)
        if (!["a", "b", "c"].includes(s)) throw new Error(`--shape: unknown shape "${s}" (a, b, c or all)`);
    } else if (a === "--rounds") {
      opts.rounds = Number(value(i++, a));
      if (!Number.isInteger(opts.rounds) || opts.rounds < 1) throw new Error("--rounds: a whole number >= 1");
    } else if (a === "--streams") {
      opts.streams = Number(value(i++, a));
      if (!Number.isInteger(opts.streams) || opts.streams < 1)
        throw new Error("--streams: a whole number >= 1");
    } else if (LINK_FLAG.test(a)) {
      const [, face = "all", key] = LINK_FLAG.exec(a);
      const v = value(i++, a);
      if (key === "latency") parseDuration(v);
      else parseRate(v);
      links[face][key === "per-connection" ? "perConnection" : key] = v;
    } else if (a === "--out") opts.out = value(i++, a);
    else throw new Error(`unknown option ${a}\n\n${USAGE}`);
  }
  opts.rounds ??= opts.quick ? 1 : 3;
  opts.shaping = shapingOf(links);
  return opts;
}
