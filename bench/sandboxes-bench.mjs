#!/usr/bin/env node
// Sandboxes benchmark: `migrate --sandboxes N` between local hubs. `--help` for the options.
//   1. scaling: N = 1, 2, 4, 8 process-runner workers (library `migrate()` with `workers`), each
//      behind its own shaped links (source --down, destination --up), then the same without
//      shaping (what the hubs and this machine's CPU allow), every copy checked byte for byte;
//   2. control-plane round trip: the real CLI on a small repo with --runner local / process /
//      modal (a local Modal control plane in this process, the real SDK in the CLI), time to the
//      first byte and total, medians over rounds.
// Runs with `node --import tsx` (the control plane is the tests' TypeScript helper).
// Results: bench/results/sandboxes.md (or --out).
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { stopAll } from "./lib/children.mjs";
import { startHub } from "./lib/hubs.mjs";
import { describeMachine, freeBytes } from "./lib/machine.mjs";
import { TOKENS } from "./lib/measure.mjs";
import { roundTrip } from "./lib/round-trip.mjs";
import { parseSandboxArgs, SANDBOX_USAGE } from "./lib/sandboxes-args.mjs";
import { renderSandboxes } from "./lib/sandboxes-report.mjs";
import { scalingRun } from "./lib/scaling.mjs";
import { seedSource } from "./lib/seed.mjs";
import { benchOptions } from "./lib/start.mjs";
import { GiB, MiB } from "./lib/units.mjs";

const root = new URL("..", import.meta.url).pathname;
const log = (s) => process.stderr.write(`${s}\n`);
const opts = benchOptions(parseSandboxArgs, SANDBOX_USAGE, "npm run bench:sandboxes");
const DIRECTIONS = {
  hf2ms: { from: "hf", to: "ms", label: "HF → ModelScope" },
  ms2hf: { from: "ms", to: "hf", label: "ModelScope → HF" },
};

const dir = await mkdtemp(join(tmpdir(), "hubferry-sandboxes-"));
let controlPlane;
let cleaning;
const cleanup = () => {
  cleaning ??= (async () => {
    await controlPlane?.stop();
    await stopAll();
    await rm(dir, { recursive: true, force: true });
  })();
  return cleaning;
};
for (const sig of ["SIGINT", "SIGTERM"])
  process.once(sig, () => {
    log(`${sig}: stopping hubs, links and workers, removing ${dir}`);
    void cleanup().then(() => process.exit(130));
  });
process.stdout.on("error", () => {});

/** The big repo (N equal LFS files) and the small one (a few text files and ~1 MiB), one store. */
async function seedAll(storeRoot) {
  const big = Array.from({ length: opts.files }, (_, i) => ({
    path: `model-${String(i + 1).padStart(5, "0")}-of-${String(opts.files).padStart(5, "0")}.safetensors`,
    size: opts.sizeMiB * MiB,
    salt: 40 + i,
    kind: "large",
  }));
  const small = [
    ...Array.from({ length: 4 }, (_, i) => ({
      path: `config-${i}.json`,
      size: 600 + i * 50,
      salt: 200 + i,
      kind: "text",
    })),
    { path: "weights.bin", size: MiB, salt: 250, kind: "large" },
  ];
  const manifest = await seedSource(storeRoot, "scale", big);
  const smallManifest = await seedSource(storeRoot, "small", small);
  return { manifest, smallManifest };
}

/** The Modal control plane of the tests, or why it cannot run here (then modal rows are left out). */
async function startControlPlane() {
  try {
    const { startModalControlPlane } = await import(join(root, "test/helpers/modal-control-plane/server.ts"));
    const scratch = join(dir, "modal");
    await mkdir(scratch);
    return { cp: await startModalControlPlane(scratch) };
  } catch (err) {
    return {
      why: `the local Modal control plane could not start (${err.message.split("\n")[0]}); run with node --import tsx and the optional modal package`,
    };
  }
}

async function scaling(ctx) {
  const out = {};
  const shaping = { down: opts.down, up: opts.up };
  for (const key of opts.directions) {
    const direction = DIRECTIONS[key];
    const rows = [];
    const plan = [...opts.workers.map((n) => [n, shaping]), ...opts.ceiling.map((n) => [n, undefined])];
    for (const [n, s] of plan) {
      log(
        `scaling ${direction.label}: ${n} worker(s), ${s ? `shaped ${s.down} down / ${s.up} up each` : "unshaped"}...`,
      );
      const r = await scalingRun(ctx, direction, n, s);
      const c = r.cpu;
      log(
        `  ${r.seconds.toFixed(1)} s, ${(r.bytes / r.seconds / 1e6).toFixed(1)} MB/s, CPU busy ${(r.cpuBusy * 100).toFixed(0)}%; CPU s: coordinator ${c.coordinator.toFixed(1)}, workers ${c.workers.toFixed(1)}, source hub ${c.sourceHub.toFixed(1)}, destination hub ${c.destHub.toFixed(1)}`,
      );
      rows.push(r);
    }
    out[key] = { label: direction.label, rows };
  }
  return out;
}

async function roundTrips(ctx) {
  const runners = ["local", "process", ...(ctx.controlPlane ? ["modal"] : [])];
  const variants = runners.map((r) => ({ runner: r }));
  if (ctx.controlPlane) variants.push({ runner: "modal", sandboxes: 2 });
  variants.push({ runner: "process", sandboxes: 2 });
  const results = variants.map((v) => ({ ...v, runs: [] }));
  // Rounds alternate the variants, so that a slow moment of the machine is shared among them.
  for (let i = 1; i <= opts.rounds; i++) {
    for (const r of results) {
      r.runs.push(await roundTrip(ctx, r.runner, r.sandboxes));
    }
    log(
      `round trip ${i}/${opts.rounds}: ${results.map((r) => `${r.runner}${r.sandboxes ? `×${r.sandboxes}` : ""} ${r.runs.at(-1).total.toFixed(2)} s`).join(", ")}`,
    );
  }
  return results;
}

let failed = false;
try {
  const usersFile = join(dir, "users.yaml");
  await writeFile(
    usersFile,
    `users:\n  - name: bench\n    admin: true\n    tokens:\n      - { value: ${TOKENS.hf} }\n      - { value: ${TOKENS.ms} }\n`,
  );
  // The official clients are not used here: their versions are left out of the description.
  const machine = describeMachine(tmpdir()).map((l) => l.replace(/; official clients: .*/, ""));
  machine.push(
    `hubferry: ${execFileSync("git", ["-C", root, "rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim()} (dist/ and bundle/hubferry.mjs of this checkout)`,
  );
  const total = opts.files * opts.sizeMiB * MiB;
  if (freeBytes(dir) < 2 * total + 2 * GiB)
    throw new Error(`${((2 * total + 2 * GiB) / GiB).toFixed(1)} GiB of free disk needed in ${tmpdir()}`);
  const storeRoot = join(dir, "source");
  log(`seeding ${opts.files} × ${opts.sizeMiB} MiB and the small repo...`);
  const seeded = await seedAll(storeRoot);
  const source = await startHub(storeRoot, usersFile);
  const cp = opts.modal ? await startControlPlane() : { why: "--no-modal" };
  controlPlane = cp.cp;
  if (cp.why) log(`modal rows left out: ${cp.why}`);
  const ctx = {
    dir,
    usersFile,
    source,
    repo: "bench/scale",
    smallRepo: "bench/small",
    ...seeded,
    controlPlane,
  };
  const t0 = performance.now();
  const scale = opts.skipScaling ? {} : await scaling(ctx);
  const rt = opts.rounds ? await roundTrips(ctx) : [];
  const args = process.argv.slice(2);
  const text = renderSandboxes({
    opts,
    machine,
    scale,
    rt,
    modalWhy: cp.why,
    coordinatorMaxRssMiB: process.resourceUsage().maxRSS / 1024,
    minutes: (performance.now() - t0) / 60_000,
    command: `npm run bench:sandboxes${args.length ? ` -- ${args.join(" ")}` : ""}`,
    date: new Date().toISOString().slice(0, 10),
  });
  process.stdout.write(text);
  const out = opts.out ?? join(root, "bench", "results", "sandboxes.md");
  await mkdir(join(out, ".."), { recursive: true });
  await writeFile(out, text);
  log(`written to ${out}`);
} catch (err) {
  log(`FAILED: ${err.stack ?? err}`);
  failed = true;
} finally {
  await cleanup();
}
process.exit(failed ? 1 : 0);
