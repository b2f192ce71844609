import { randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";

const PREFIX = "hubferry-pull-";

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** Marks a repo as being pulled (a file naming this process) until `release`. */
export async function acquirePullLock(lockDir: string): Promise<{ release(): Promise<void> }> {
  await mkdir(lockDir, { recursive: true });
  const file = join(lockDir, `${PREFIX}${process.pid}-${randomBytes(3).toString("hex")}.lock`);
  await writeFile(file, String(process.pid));
  return { release: () => rm(file, { force: true }) };
}

/** Whether a live process holds a pull lock here; locks of dead processes are cleared on the way. */
export async function pullLockHeld(lockDir: string): Promise<boolean> {
  const names = await readdir(lockDir).catch(() => [] as string[]);
  let held = false;
  for (const name of names.filter((n) => n.startsWith(PREFIX))) {
    const pid = Number(await readFile(join(lockDir, name), "utf8").catch(() => ""));
    if (Number.isInteger(pid) && pid > 0 && alive(pid)) held = true;
    else await rm(join(lockDir, name), { force: true });
  }
  return held;
}
