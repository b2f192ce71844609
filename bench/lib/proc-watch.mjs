// What a measurement costs this machine, read from /proc while it runs: the CPU time of all cores
// (busy share, so "the CPU capped it" is a measured claim, not a guess), this process's peak RSS,
// and the peak RSS of each sandbox worker. ProcessProvider does not hand out its children's pids,
// and /usr/bin/time cannot wrap them, so workers are found as this process's children whose
// command line runs a bundle from a `hubferry-sandbox-` scratch folder, and their VmHWM is read
// until they exit (the last value read is their peak, within one poll).
import { readdirSync, readFileSync } from "node:fs";

function cpuTimes() {
  const f = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const idle = f[3] + (f[4] ?? 0);
  return { idle, total: f.reduce((a, b) => a + b, 0) };
}

function read(path) {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return undefined;
  }
}

/** Pids of this process's children running a sandbox bundle (`marker` in their command line). */
function workerPids(marker) {
  const out = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = read(`/proc/${name}/stat`);
    // Field 4 (after the parenthesised command, which may hold spaces) is the parent pid.
    const ppid = stat ? Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]) : 0;
    if (ppid !== process.pid) continue;
    if (read(`/proc/${name}/cmdline`)?.includes(marker)) out.push(name);
  }
  return out;
}

const TICK = 100; // USER_HZ: /proc/<pid>/stat counts CPU time in 1/100 s on Linux

/** CPU seconds (user + system) a process has used so far, or NaN once it is gone. */
function cpuSeconds(pid) {
  const stat = read(`/proc/${pid}/stat`);
  if (!stat) return NaN;
  const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields 14 and 15 of stat (utime, stime); f starts at field 3.
  return (Number(f[11]) + Number(f[12])) / TICK;
}

const kib = (status, key) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status ?? "")?.[1] ?? NaN);

/**
 * Starts watching; `stop()` returns { cpuBusy (0..1 of all cores), selfPeakMiB, workerPeaksMiB,
 * cpu: CPU seconds over the run of this process, the workers (summed), each of `pids` by name
 * and each of `groups` (lists of pids, summed) }.
 */
export function watch({ marker = "hubferry-sandbox-", everyMs = 200, pids = {}, groups = {} } = {}) {
  const cpu0 = cpuTimes();
  const sum = (list) => list.reduce((n, pid) => n + cpuSeconds(pid), 0);
  const groups0 = Object.fromEntries(Object.entries(groups).map(([k, list]) => [k, sum(list)]));
  const self0 = process.cpuUsage();
  const named0 = Object.fromEntries(Object.entries(pids).map(([k, pid]) => [k, cpuSeconds(pid)]));
  const workers = new Map();
  const workerCpu = new Map();
  let selfPeak = process.memoryUsage().rss;
  const poll = () => {
    selfPeak = Math.max(selfPeak, process.memoryUsage().rss);
    for (const pid of workerPids(marker)) {
      const hwm = kib(read(`/proc/${pid}/status`), "VmHWM");
      if (Number.isFinite(hwm)) workers.set(pid, Math.max(workers.get(pid) ?? 0, hwm));
      const c = cpuSeconds(pid);
      if (Number.isFinite(c)) workerCpu.set(pid, c);
    }
  };
  const timer = setInterval(poll, everyMs);
  return {
    stop() {
      clearInterval(timer);
      poll();
      const cpu1 = cpuTimes();
      const total = cpu1.total - cpu0.total;
      const self = process.cpuUsage(self0);
      const cpu = { coordinator: (self.user + self.system) / 1e6 };
      cpu.workers = [...workerCpu.values()].reduce((a, b) => a + b, 0);
      for (const [k, pid] of Object.entries(pids)) cpu[k] = cpuSeconds(pid) - named0[k];
      for (const [k, list] of Object.entries(groups)) cpu[k] = sum(list) - groups0[k];
      return {
        cpuBusy: total > 0 ? 1 - (cpu1.idle - cpu0.idle) / total : NaN,
        selfPeakMiB: selfPeak / 2 ** 20,
        workerPeaksMiB: [...workers.values()].map((k) => k / 1024),
        cpu,
      };
    },
  };
}

/** The machine's busy share (0..1 of all cores) over `ms` while this bench does nothing: others' load. */
export async function idleLoad(ms) {
  const a = cpuTimes();
  await new Promise((r) => setTimeout(r, ms));
  const b = cpuTimes();
  return 1 - (b.idle - a.idle) / (b.total - a.total);
}
