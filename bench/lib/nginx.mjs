// nginx as the yardstick for serving one file from disk: a minimal config in a temp folder
// (127.0.0.1, no daemon, pid and logs in that folder, sendfile on), run as a tracked child.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { stopChild, track } from "./children.mjs";

/**
 * The nginx binary: $HUBFERRY_BENCH_NGINX when set (a path that does not exist means none, to try a
 * machine without it), else the one on PATH, else Debian's /usr/sbin/nginx (not on a user's PATH).
 */
export function nginxPath() {
  const forced = process.env.HUBFERRY_BENCH_NGINX;
  if (forced !== undefined) return forced && existsSync(forced) ? forced : undefined;
  try {
    const found = execFileSync("which", ["nginx"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] });
    if (found.trim()) return found.trim();
  } catch {
    // not on PATH
  }
  return existsSync("/usr/sbin/nginx") ? "/usr/sbin/nginx" : undefined;
}

const freePort = () =>
  new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });

/** Serves `dir` (read-only) on 127.0.0.1; resolves once it answers. */
export async function startNginx(bin, tmp, dir) {
  const port = await freePort();
  const conf = join(tmp, "nginx.conf");
  // As root, workers would drop to nobody, who cannot read the bench's private temp folder.
  await writeFile(
    conf,
    `daemon off;
${process.getuid?.() === 0 ? "user root;\n" : ""}worker_processes 1;
pid ${tmp}/nginx.pid;
error_log ${tmp}/error.log warn;
events { worker_connections 256; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_timeout 30;
  client_body_temp_path ${tmp}/body;
  proxy_temp_path ${tmp}/proxy;
  fastcgi_temp_path ${tmp}/fastcgi;
  uwsgi_temp_path ${tmp}/uwsgi;
  scgi_temp_path ${tmp}/scgi;
  server {
    listen 127.0.0.1:${port};
    root ${dir};
    location / { default_type application/octet-stream; }
  }
}
`,
  );
  const child = track(spawn(bin, ["-p", tmp, "-c", conf], { stdio: ["ignore", "ignore", "pipe"] }));
  let err = "";
  child.stderr.on("data", (d) => {
    err += d;
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 100; i++) {
    if (child.exitCode !== null) throw new Error(`nginx exited ${child.exitCode}: ${err}`);
    try {
      await fetch(url, { method: "HEAD" });
      return { url, pid: child.pid, stop: () => stopChild(child) };
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  await stopChild(child);
  throw new Error(`nginx did not answer on ${url} in 10 s: ${err}`);
}
