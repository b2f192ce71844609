import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { TOKENS } from "./measure.mjs";

/** A users file in `dir` giving the bench token to one user (an admin: the stats route needs one). */
export async function benchUsersFile(dir, { file = "users.yaml", name = "bench", admin = true } = {}) {
  const path = join(dir, file);
  await writeFile(
    path,
    `users:\n  - name: ${name}\n    admin: ${admin}\n    tokens:\n      - { value: ${TOKENS.hf} }\n`,
  );
  return path;
}
