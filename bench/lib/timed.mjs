// Runs one program under GNU `/usr/bin/time -v`: wall time, peak RSS, bytes written to disk and
// CPU seconds. The kernel folds waited-for descendants into these figures (peak RSS: the largest
// single process; disk and CPU: summed), so a driver that runs steps as subprocesses is measured whole.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { track } from "./children.mjs";

export const HAVE_TIME = existsSync("/usr/bin/time");

export function timed(cmd, argv, env, { timeoutMs = 6 * 3600_000 } = {}) {
  return new Promise((resolve, reject) => {
    const t0 = process.hrtime.bigint();
    // In a process group of its own, ended as a group: /usr/bin/time does not pass a SIGTERM on to
    // the program it runs, so stopping `time` alone would leave the program running.
    const spawned = spawn(HAVE_TIME ? "/usr/bin/time" : cmd, HAVE_TIME ? ["-v", cmd, ...argv] : argv, {
      env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    const killOne = spawned.kill.bind(spawned);
    spawned.kill = (signal = "SIGTERM") => {
      try {
        process.kill(-spawned.pid, signal);
        return true;
      } catch {
        return killOne(signal);
      }
    };
    const child = track(spawned);
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => {
      out += d;
    });
    child.stderr.on("data", (d) => {
      // Keep the head (errors) and the tail (time's report) of long stderr.
      err = err.length > 200_000 ? err.slice(0, 20_000) + err.slice(-100_000) + d : err + d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const num = (re) => Number(re.exec(err)?.[1] ?? NaN);
      // /usr/bin/time exits with the program's code; its report is the end of stderr.
      const failed = /Command exited with non-zero status (\d+)/.exec(err);
      resolve({
        code: failed ? Number(failed[1]) : code,
        seconds,
        rssMiB: num(/Maximum resident set size \(kbytes\): (\d+)/) / 1024,
        diskWritesBytes: num(/File system outputs: (\d+)/) * 512,
        cpuSeconds: num(/User time \(seconds\): ([\d.]+)/) + num(/System time \(seconds\): ([\d.]+)/),
        out,
        err,
      });
    });
  });
}

/** The last JSON line a program printed (its result), or undefined. */
export function lastJson(text) {
  const lines = text.trim().split("\n").reverse();
  for (const l of lines) {
    if (!l.startsWith("{")) continue;
    try {
      return JSON.parse(l);
    } catch {}
  }
  return undefined;
}

/** `timed`, and a run that exits non-zero fails with the end of its output. */
export async function timedOrThrow(what, cmd, argv, env) {
  const r = await timed(cmd, argv, env);
  if (r.code !== 0) throw new Error(`${what} exited ${r.code}: ${(r.out + r.err).slice(-2000)}`);
  return r;
}
