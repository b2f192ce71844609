// The options of bench/sandboxes-bench.mjs: sizes, rates and which parts to run.
import { parseRate } from "./units.mjs";

export const SANDBOX_USAGE = `usage: node --import tsx bench/sandboxes-bench.mjs [options]   (npm run bench:sandboxes -- [options])

  --files N           LFS files in the scaling repo (default 8)
  --size MIB          size of each (default 256; --quick 32)
  --workers LIST      worker counts of the shaped runs (default 1,2,4,8)
  --ceiling LIST      worker counts of the unshaped runs, what the hubs and CPU allow (default 1,8; none)
  --down RATE         each worker's link from the source hub (default 50MB/s)
  --up RATE           each worker's link to the destination hub (default 25MB/s)
  --directions LIST   hf2ms, ms2hf or hf2ms,ms2hf (default hf2ms: 8 × 256 MiB both ways is
                      more than 15 min on 2 shared cores)
  --rounds N          control-plane round trips per runner (default 5; --quick 2; 0 skips them)
  --no-modal          leave the Modal runner out of the round trips
  --skip-scaling      only the round trips
  --quick             small sizes and few rounds, to check the bench itself
  --out FILE          where the Markdown goes (default bench/results/sandboxes.md)
`;

const list = (name, text) => {
  const xs = String(text ?? "")
    .split(",")
    .map((x) => Number(x));
  if (!xs.length || xs.some((x) => !Number.isInteger(x) || x < 1 || x > 64))
    throw new Error(`${name}: comma-separated whole numbers 1..64 (e.g. 1,2,4,8)\n\n${SANDBOX_USAGE}`);
  return xs;
};

export function parseSandboxArgs(argv) {
  const o = { files: 8, workers: [1, 2, 4, 8], ceiling: [1, 8], down: "50MB/s", up: "25MB/s", modal: true };
  o.directions = ["hf2ms"];
  const num = (i, name) => {
    const v = Number(argv[i + 1]);
    if (!(v >= 0) || !Number.isFinite(v)) throw new Error(`${name}: a number >= 0\n\n${SANDBOX_USAGE}`);
    return v;
  };
  const rate = (i) => {
    parseRate(argv[i + 1]);
    return argv[i + 1];
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--files") o.files = Math.max(1, Math.round(num(i++, a)));
    else if (a === "--size") o.sizeMiB = Math.max(1, num(i++, a));
    else if (a === "--workers") o.workers = list(a, argv[++i]);
    else if (a === "--ceiling") {
      const v = argv[++i];
      o.ceiling = v === "none" ? [] : list(a, v);
    } else if (a === "--down") o.down = rate(i++);
    else if (a === "--up") o.up = rate(i++);
    else if (a === "--directions") {
      o.directions = String(argv[++i] ?? "").split(",");
      if (!o.directions.every((d) => d === "hf2ms" || d === "ms2hf"))
        throw new Error(`--directions: hf2ms, ms2hf or hf2ms,ms2hf\n\n${SANDBOX_USAGE}`);
    } else if (a === "--rounds") o.rounds = Math.round(num(i++, a));
    else if (a === "--no-modal") o.modal = false;
    else if (a === "--skip-scaling") o.skipScaling = true;
    else if (a === "--quick") o.quick = true;
    else if (a === "--out") o.out = argv[++i];
    else if (a === "--help" || a === "-h") o.help = true;
    else throw new Error(`unknown option ${a}\n\n${SANDBOX_USAGE}`);
  }
  o.sizeMiB ??= o.quick ? 32 : 256;
  o.rounds ??= o.quick ? 2 : 5;
  // The binding cap of one worker: its slower link (bytes go down one and up the other).
  o.capBytes = Math.min(parseRate(o.down), parseRate(o.up));
  return o;
}
