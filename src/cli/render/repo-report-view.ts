import YAML from "yaml";
import type { RepoReport, WeightFacts } from "../../toolbox/repo-report.js";
import { formatBytes, shortId } from "./format.js";
import { compactNumber, renderTable } from "./table.js";

function dtypes(d: Record<string, number>): string {
  return Object.entries(d)
    .sort((a, b) => b[1] - a[1])
    .map(([k, v]) => `${k}×${v}`)
    .join(" ");
}

function weightLine(w: WeightFacts): string {
  if (!w.facts) return `${w.path}: header unreadable: ${w.error}`;
  const f = w.facts;
  const extra = [f.architecture, f.quantization].filter(Boolean).join(", ");
  return `${w.path}: ${f.tensors} tensors, ${compactNumber(f.parameters)} parameters, ${dtypes(f.dtypes)}${extra ? ` (${extra})` : ""}`;
}

export function safetyMark(safety: string): string {
  return safety === "pickle" ? "PICKLE (unsafe)" : safety === "other" ? "other" : "safe";
}

/** `info` for people: the facts first, then the files. */
export function renderRepoReport(label: string, r: RepoReport): string {
  const d = r.details;
  const lines: string[] = [];
  const gated = d.gated === false ? "not gated" : `gated (${d.gated === true ? "yes" : d.gated})`;
  lines.push(`${label}  (${d.type}, ${d.private ? "private" : "public"}, ${gated})`);
  lines.push(`commit:    ${shortId(d.sha)}${d.lastModified ? ` (${d.lastModified.slice(0, 10)})` : ""}`);
  lines.push(`license:   ${d.license ?? "not stated"}`);
  if (d.task || d.library) lines.push(`task:      ${d.task ?? "-"}    library: ${d.library ?? "-"}`);
  if (d.sdk) lines.push(`sdk:       ${d.sdk}`);
  if (d.downloads !== undefined || d.likes !== undefined)
    lines.push(`downloads: ${compactNumber(d.downloads)}    likes: ${compactNumber(d.likes)}`);
  lines.push(`files:     ${r.files.length}, ${formatBytes(r.totalBytes)} in all`);
  const formats: string[] = [];
  if (r.formats.safetensors) formats.push(`safetensors (${r.formats.safetensors} file(s))`);
  if (r.formats.gguf.length) formats.push(`GGUF ${r.formats.gguf.join(", ")}`);
  if (r.formats.pickle)
    formats.push(`pickle (${r.formats.pickle} file(s): pull refuses them unless --allow-unsafe)`);
  lines.push(`formats:   ${formats.join("; ") || "no weight files"}`);
  if (r.safetensors)
    lines.push(
      `weights:   ${r.safetensors.tensors} tensors, ${compactNumber(r.safetensors.parameters)} parameters (${dtypes(r.safetensors.dtypes)})`,
    );
  for (const w of r.weights) lines.push(`  ${weightLine(w)}`);
  if (d.card && Object.keys(d.card).length) {
    lines.push("card:");
    for (const l of YAML.stringify(d.card).trimEnd().split("\n")) lines.push(`  ${l}`);
  }
  lines.push("");
  return `${lines.join("\n")}\n${renderTable(
    ["size", "path", "", "format"],
    r.files.map((f) => [
      formatBytes(f.size),
      f.path,
      f.lfs ? "LFS" : "",
      f.quantization ? `${safetyMark(f.safety)} ${f.quantization}` : safetyMark(f.safety),
    ]),
    [0],
  )}`;
}
