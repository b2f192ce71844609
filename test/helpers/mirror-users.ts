import { USERS } from "./local-hub.js";

export interface MirrorUser {
  name: string;
  token: string;
  role?: "read" | "write";
  orgs?: string[];
  /** `mirrorGrants` of the users file (`hf:org/*`). */
  grants?: string[];
}

/**
 * A users file for a hub that mirrors another test hub: its own users (never upstream's, whose
 * namespaces would then be local here), plus the usual admin so the test helpers' admin calls work.
 */
export function mirrorUsersYaml(users: MirrorUser[] = []): string {
  const lines = ["users:"];
  for (const u of users) {
    lines.push(`  - name: ${u.name}`);
    if (u.orgs) lines.push(`    orgs: [${u.orgs.join(", ")}]`);
    if (u.grants) lines.push(`    mirrorGrants: [${u.grants.map((g) => JSON.stringify(g)).join(", ")}]`);
    lines.push(`    tokens: [{ value: ${u.token}, role: ${u.role ?? "write"} }]`);
  }
  lines.push(
    `  - name: ${USERS.admin.name}`,
    "    admin: true",
    `    tokens: [{ value: ${USERS.admin.token}, role: read }]`,
    "",
  );
  return lines.join("\n");
}
