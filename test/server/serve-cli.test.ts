import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { describe, it } from "node:test";
import { CLI } from "../helpers/local-hub.js";
import { run } from "../helpers/python.js";
import { tempDir } from "../helpers/tmp.js";

/** `hubferry serve` as a user runs it: bad input is a clear one-line error; --sample serves a repo. */
describe("hubferry serve (CLI)", () => {
  it("bad flags and files give a clear error, exit code != 0, and never echo a token", async () => {
    const dir = await tempDir("serve");
    try {
      const badUsers = join(dir.path, "users.yaml");
      await writeFile(badUsers, "users:\n  - name: x\n    tokens:\n      - value: nope_secret_value\n");
      const badToken = join(dir.path, "token");
      await writeFile(badToken, "hf_secret_value_5 and more\n");
      const cases: [string[], RegExp][] = [
        [["--token", "hf_secret_value_1"], /--token expects NAME=TOKEN/],
        [["--token", "al ice=hf_secret_value_2"], /invalid user name/],
        [["--port", "99999"], /not a port number/],
        [["--users", join(dir.path, "missing.yaml")], /cannot read the users file/],
        [["--users", badUsers], /users file .* is invalid at "users.0.tokens.0.value"/],
        [["--lfs-threshold", "lots"], /is not a size/],
        [["--mirror", "gh=https://example.invalid"], /--mirror expects FACE=VALUE with FACE hf or ms/],
        [["--mirror", "hf=not a url"], /is not a URL/],
        [["--mirror", "hf=https://user:hf_secret_value_3@example.invalid"], /put no credentials in the URL/],
        [
          ["--mirror", "hf=https://example.invalid", "--upstream-token", "hf=hf_secret_value_4"],
          /takes @FILE, a file holding the token, never the token itself/,
        ],
        [
          ["--mirror", "hf=https://example.invalid", "--upstream-token", `hf=@${badToken}`],
          /must hold one token on one line \(its text is not shown\)/,
        ],
        [["--upstream-token", `ms=@${badToken}`], /ms is not mirrored/],
        [["--offline"], /--offline, --mirror-ttl and --mirror-max-size apply to a mirror/],
      ];
      for (const [args, message] of cases) {
        const r = await run(process.execPath, [CLI, "serve", "--root", join(dir.path, "root"), ...args], {});
        assert.notEqual(r.code, 0, args.join(" "));
        assert.match(r.stderr, message);
        assert.doesNotMatch(r.stderr + r.stdout, /secret_value/);
        assert.ok(r.stderr.trim().split("\n").length <= 2, `one clear line, got: ${r.stderr}`);
      }
    } finally {
      await dir.cleanup();
    }
  });

  it("--sample without users makes a local user (token kept in a 0600 file, not printed) and serves the sample", async () => {
    const dir = await tempDir("sample");
    const child = spawn(process.execPath, [CLI, "serve", "--root", dir.path, "--port", "0", "--sample"], {
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      const lines: string[] = [];
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error("no banner")), 15_000);
        createInterface({ input: child.stdout }).on("line", (line) => {
          lines.push(line);
          const m = /listening on (http:\/\/\S+)/.exec(line);
          if (line.startsWith("Press Ctrl-C")) {
            clearTimeout(timer);
            resolve(/listening on (http:\/\/\S+)/.exec(lines.join("\n"))![1]!);
          } else if (m) {
            // keep reading until the banner ends
          }
        });
      });
      const banner = lines.join("\n");
      assert.match(banner, /sample repo: http:\/\/127\.0\.0\.1:\d+\/local\/hubferry-sample/);
      assert.match(banner, /HF_ENDPOINT=http:\/\/127\.0\.0\.1:\d+ .*hf download local\/hubferry-sample/);
      assert.doesNotMatch(banner, /hf_[0-9a-f]{32}/);
      const { stat, readFile } = await import("node:fs/promises");
      const users = join(dir.path, "users.yaml");
      assert.equal((await stat(users)).mode & 0o777, 0o600);
      const token = /value: (hf_[0-9a-f]+)/.exec(await readFile(users, "utf8"))![1]!;
      const me = await fetch(`${url}/api/whoami-v2`, { headers: { authorization: `Bearer ${token}` } });
      assert.equal(((await me.json()) as { name: string }).name, "local");
      const file = await fetch(`${url}/local/hubferry-sample/resolve/main/config.json`);
      assert.equal(((await file.json()) as { model_type: string }).model_type, "hubferry-sample");
    } finally {
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
      await dir.cleanup();
    }
  });
});
