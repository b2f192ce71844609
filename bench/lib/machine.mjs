// What the benchmark ran on: CPUs, memory, load, Node, kernel, free disk where the stores live,
// and the versions of the official clients the sequential method uses.
import { execFileSync } from "node:child_process";
import { cpus, freemem, loadavg, release, totalmem } from "node:os";
import { GiB } from "./units.mjs";

/** Free bytes on the filesystem holding `dir` (df -Pk). */
export function freeBytes(dir) {
  const lines = execFileSync("df", ["-Pk", dir], { encoding: "utf8" }).trim().split("\n");
  return Number(lines.at(-1).trim().split(/\s+/)[3]) * 1024;
}

function clientVersions(python) {
  if (!python) return "not installed (npm run clients)";
  const versions = [];
  for (const [py, code] of [
    [python.hf, "import huggingface_hub as m; print('huggingface_hub ' + m.__version__)"],
    [
      python.ms,
      "import modelscope as m, modelscope_hub as h; print(f'modelscope {m.__version__} + modelscope-hub {h.__version__}')",
    ],
  ]) {
    try {
      versions.push(execFileSync(py, ["-c", code], { encoding: "utf8", timeout: 60_000 }).trim());
    } catch {
      versions.push(`${py}: unavailable`);
    }
  }
  return versions.join(", ");
}

export function describeMachine(dir, python) {
  const c = cpus();
  const model = (c[0]?.model ?? "cpu").replace(/\s+/g, " ").trim();
  return [
    `CPU: ${c.length} × ${model}; load average at start ${loadavg()
      .map((l) => l.toFixed(2))
      .join(" / ")} (1/5/15 min)`,
    `Memory: ${(totalmem() / GiB).toFixed(1)} GiB (${(freemem() / GiB).toFixed(1)} GiB free at start)`,
    `Disk: ${(freeBytes(dir) / GiB).toFixed(0)} GiB free at start where the stores live (${dir})`,
    `Software: Node ${process.version}, Linux ${release()}; official clients: ${clientVersions(python)}`,
  ];
}
