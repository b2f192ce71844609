// One control-plane round trip of the sandboxes bench: the real CLI (`hubferry migrate ... --json`)
// as a child process, timed from its spawn to the first byte moved (the first `file_progress` with
// bytes > 0, or the first `file_done` when a small file goes in one piece) and to its exit. The
// same small repo with --runner local, process and modal tells what starting a sandbox costs.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { track } from "./children.mjs";
import { startHub } from "./hubs.mjs";
import { TOKENS } from "./measure.mjs";
import { verifyRepo } from "./verify.mjs";

const root = new URL("../..", import.meta.url).pathname;

function runCli(argv, env) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = track(spawn(process.execPath, [join(root, "bin/hubferry.js"), ...argv], { env }));
    let firstByte;
    let err = "";
    const tail = [];
    child.stderr.on("data", (d) => {
      err = (err + d).slice(-4000);
    });
    createInterface({ input: child.stdout }).on("line", (l) => {
      tail.push(l);
      if (tail.length > 20) tail.shift();
      if (firstByte !== undefined || !l.startsWith("{")) return;
      const e = JSON.parse(l);
      if ((e.event === "file_progress" && e.bytes > 0) || e.event === "file_done")
        firstByte = (performance.now() - t0) / 1000;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      const total = (performance.now() - t0) / 1000;
      if (code !== 0)
        reject(new Error(`hubferry ${argv.join(" ")} exited ${code}: ${err}${tail.join("\n")}`));
      else resolve({ firstByte, total });
    });
  });
}

/**
 * Copies ctx.smallRepo with `runner` (and `sandboxes` workers, if given) onto a fresh destination
 * hub, so that no object is already stored there; checks the copy; returns the two times and the
 * control plane's RPC count for the run (modal only).
 */
export async function roundTrip(ctx, runner, sandboxes) {
  const dest = await startHub(join(ctx.dir, `rt-${randomBytes(3).toString("hex")}`), ctx.usersFile);
  try {
    const env = {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      LANG: "C.UTF-8",
      HOME: join(ctx.dir, "home"),
      HF_TOKEN: TOKENS.hf,
      MODELSCOPE_API_TOKEN: TOKENS.ms,
      HF_ENDPOINT: ctx.source.direct,
      MODELSCOPE_ENDPOINT: dest.direct,
      ...(runner === "modal" ? ctx.controlPlane.env() : {}),
    };
    const argv = [
      "migrate",
      `hf:${ctx.smallRepo}`,
      `ms:${ctx.smallRepo}`,
      "--runner",
      runner,
      "--yes",
      "--json",
    ];
    if (sandboxes) argv.push("--sandboxes", String(sandboxes));
    ctx.controlPlane?.recorder.clear();
    const r = await runCli(argv, env);
    const rpcs = runner === "modal" ? ctx.controlPlane.recorder.calls.length : undefined;
    await verifyRepo(
      { face: "ms", url: dest.direct, token: TOKENS.ms, repo: ctx.smallRepo },
      ctx.smallManifest,
      `--runner ${runner}`,
    );
    return { ...r, rpcs };
  } finally {
    await dest.stop({ remove: true });
  }
}
