import { readFile } from "node:fs/promises";
import { join } from "node:path";

export interface SecretFinding {
  path: string;
  /** 1-based; absent for findings by file name. */
  line?: number;
  kind: string;
}

/** Files that hold credentials by their very name. */
const SECRET_NAMES: { test: (name: string, path: string) => boolean; kind: string }[] = [
  { test: (n) => n === ".env" || /^\.env\.(?!example$|sample$|template$).+/.test(n), kind: "dotenv file" },
  { test: (n) => /^id_(rsa|dsa|ecdsa|ed25519)$/.test(n), kind: "SSH private key" },
  { test: (n) => /\.(pem|key|p12|pfx|keystore|jks)$/i.test(n), kind: "private key or keystore file" },
  {
    test: (n) => [".netrc", "_netrc", ".pgpass", ".npmrc", ".pypirc", ".git-credentials"].includes(n),
    kind: "credentials file",
  },
  {
    test: (_n, p) => /(^|\/)\.aws\/credentials$/.test(p) || /(^|\/)\.docker\/config\.json$/.test(p),
    kind: "credentials file",
  },
  {
    test: (n) => /^credentials(\.json)?$/i.test(n) || /^service[-_]?account.*\.json$/i.test(n),
    kind: "credentials file",
  },
  {
    test: (_n, p) => /(^|\/)(huggingface|\.huggingface|\.cache\/huggingface)\/(token|stored_tokens)$/.test(p),
    kind: "Hugging Face token file",
  },
];

/** Token and key shapes, by content (a line may match several; one finding per kind and line). */
const SECRET_PATTERNS: { re: RegExp; kind: string }[] = [
  // Hugging Face user tokens (hf_ + 34 letters and digits; the local hub mints hf_ + 32 hex).
  { re: /\bhf_[A-Za-z0-9]{30,}\b/, kind: "Hugging Face token" },
  // Hugging Face org API tokens (api_org_ + 34).
  { re: /\bapi_org_[A-Za-z0-9]{30,}\b/, kind: "Hugging Face org token" },
  // ModelScope SDK tokens: ms- and a UUID; the local hub's demo mints ms- + 32 hex.
  { re: /\bms-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/i, kind: "ModelScope token" },
  { re: /\bms-[0-9a-f]{32}\b/i, kind: "ModelScope token" },
  // A users file lets the local hub issue any hf_/ms- token of 4+ [A-Za-z0-9._-]; catch the long
  // ones that carry a digit (identifiers like hf_hub_download or ms-swift do not).
  { re: /\bhf_(?=[A-Za-z0-9._-]*\d)[A-Za-z0-9._-]{16,}/, kind: "Hugging Face token" },
  { re: /\bms-(?=[A-Za-z0-9._-]*\d)[A-Za-z0-9._-]{16,}/, kind: "ModelScope token" },
  {
    re: /\b(?:MODELSCOPE_API_TOKEN|MODELSCOPE_TOKEN)\s*[=:]\s*["']?[A-Za-z0-9-]{16,}/,
    kind: "ModelScope token",
  },
  { re: /\b(?:AKIA|ASIA)[0-9A-Z]{16}\b/, kind: "AWS access key id" },
  { re: /aws_secret_access_key\s*[=:]\s*["']?[A-Za-z0-9/+=]{40}/i, kind: "AWS secret access key" },
  { re: /\b(?:ghp|gho|ghu|ghs|ghr)_[A-Za-z0-9]{36,}\b/, kind: "GitHub token" },
  { re: /\bgithub_pat_[A-Za-z0-9_]{60,}\b/, kind: "GitHub token" },
  { re: /-----BEGIN (?:[A-Z]+ )?PRIVATE KEY(?: BLOCK)?-----/, kind: "private key block" },
];

/** Content scanning stops here: weights are not text and would only cost time. */
const MAX_SCAN_BYTES = 10 * 1024 * 1024;

function looksBinary(buf: Buffer): boolean {
  return buf.subarray(0, 8000).includes(0);
}

/**
 * Scans a folder's files (paths relative to `dir`) for secrets before they are published: by file
 * name, then by content, line by line. Binary and very large files are only checked by name.
 */
export async function scanForSecrets(
  dir: string,
  files: { path: string; size: number }[],
  /** Tokens this environment holds (HF_TOKEN...), caught whatever their form. */
  known: { value: string; kind: string }[] = [],
): Promise<SecretFinding[]> {
  const patterns = [
    ...SECRET_PATTERNS,
    ...known
      .filter((k) => k.value.length >= 8)
      .map((k) => ({ test: (t: string) => t.includes(k.value), kind: k.kind })),
  ];
  const findings: SecretFinding[] = [];
  for (const f of files) {
    const name = f.path.split("/").pop() ?? f.path;
    const byName = SECRET_NAMES.find((s) => s.test(name, f.path));
    if (byName) findings.push({ path: f.path, kind: byName.kind });
    if (f.size > MAX_SCAN_BYTES || f.size === 0) continue;
    const buf = await readFile(join(dir, f.path));
    if (looksBinary(buf)) continue;
    const lines = buf.toString("utf8").split(/\r?\n/);
    lines.forEach((text, i) => {
      const seen = new Set<string>();
      for (const p of patterns) {
        if (!seen.has(p.kind) && ("re" in p ? p.re.test(text) : p.test(text))) {
          seen.add(p.kind);
          findings.push({ path: f.path, line: i + 1, kind: p.kind });
        }
      }
    });
  }
  return findings;
}
