import { readFile } from "node:fs/promises";
import YAML, { LineCounter, type Node as YamlNode } from "yaml";
import { z } from "zod";
import { HubferryError } from "../../core/errors.js";

export type TokenRole = "read" | "write" | "admin";

const TokenSchema = z.object({
  value: z
    .string()
    .regex(
      /^(hf_|ms-)[A-Za-z0-9._-]{4,}$/,
      "a token starts with hf_ or ms- followed by at least 4 characters",
    ),
  name: z.string().min(1).default("hubferry"),
  role: z.enum(["read", "write", "admin"]).default("write"),
});

const UserSchema = z.object({
  name: z
    .string()
    .regex(
      /^[A-Za-z0-9_][A-Za-z0-9._-]*$/,
      "a user name is letters, digits, '.', '_' or '-', and does not start with '.' or '-'",
    ),
  fullname: z.string().optional(),
  email: z.string().optional(),
  orgs: z.array(z.string()).default([]),
  /** May use the hub's own controls (`/_hubferry/stats`, `/_hubferry/faults`). */
  admin: z.boolean().default(false),
  /**
   * Repos of a mirrored upstream this user may read although upstream keeps them private or
   * gated (the mirror fetches them with its own token): `hf:org/name`, or `hf:org/*` for all of
   * an org's.
   */
  mirrorGrants: z
    .array(
      z
        .string()
        .regex(
          /^(hf|ms):[^/\s*]+\/(\*|[^/\s*]+)$/,
          'a mirror grant is FACE:NAMESPACE/NAME or FACE:NAMESPACE/* (FACE is hf or ms), e.g. "hf:acme/*"',
        ),
    )
    .optional(),
  tokens: z.array(TokenSchema).min(1),
});

export const UsersFileSchema = z.object({
  users: z.array(UserSchema).min(1),
  orgs: z.array(z.object({ name: z.string(), fullname: z.string().optional() })).default([]),
});

export type UsersFile = z.infer<typeof UsersFileSchema>;

export interface User {
  name: string;
  fullname: string;
  email: string;
  orgs: string[];
  /** May use the hub's own controls (stats, fault injection). */
  admin: boolean;
  /** Private or gated mirrored repos this user may read (`hf:org/name`, `hf:org/*`). */
  mirrorGrants: string[];
  /** Stable fake object id, like the hub's 24-hex ids. */
  id: string;
}

export interface AuthedUser {
  user: User;
  tokenName: string;
  role: TokenRole;
  tokenCreatedAt: string;
}

function fakeObjectId(name: string): string {
  return Buffer.from(name.padEnd(12, "0").slice(0, 12)).toString("hex");
}

/** The local hub's user table: who a token belongs to and which namespaces a user may write. */
export class UserTable {
  private readonly byToken = new Map<string, AuthedUser>();
  private readonly users = new Map<string, User>();
  private readonly orgFullnames = new Map<string, string>();
  private readonly createdAt = new Date().toISOString();

  static fromFile(file: UsersFile): UserTable {
    const table = new UserTable();
    for (const org of file.orgs) table.orgFullnames.set(org.name, org.fullname ?? org.name);
    for (const u of file.users) {
      for (const t of u.tokens)
        table.addToken(u.name, t.value, {
          tokenName: t.name,
          role: t.role,
          orgs: u.orgs,
          fullname: u.fullname,
          email: u.email,
          admin: u.admin,
          mirrorGrants: u.mirrorGrants,
        });
    }
    return table;
  }

  /** Parses `NAME=TOKEN` as given to `serve --token`. */
  static parseTokenFlag(flag: string): { name: string; token: string } {
    const eq = flag.indexOf("=");
    if (eq <= 0)
      throw new HubferryError(
        "BAD_INPUT",
        `--token expects NAME=TOKEN (for example alice=hf_xxxx); got a value without "="`,
      );
    const name = flag.slice(0, eq);
    const token = flag.slice(eq + 1);
    const parsed = UserSchema.shape.name.safeParse(name);
    if (!parsed.success)
      throw new HubferryError(
        "BAD_INPUT",
        `--token: invalid user name "${name}": ${parsed.error.issues[0]?.message}`,
      );
    if (!TokenSchema.shape.value.safeParse(token).success) {
      throw new HubferryError(
        "BAD_INPUT",
        `--token for user "${name}": ${"a token starts with hf_ or ms- followed by at least 4 characters"}`,
      );
    }
    return { name, token };
  }

  addToken(
    userName: string,
    token: string,
    opts: {
      tokenName?: string;
      role?: TokenRole;
      orgs?: string[];
      fullname?: string;
      email?: string;
      admin?: boolean;
      mirrorGrants?: string[];
    } = {},
  ): void {
    const holder = this.byToken.get(token);
    if (holder) {
      // Two owners for one token would log in as whichever came last: refuse, never naming the token.
      throw new HubferryError(
        "BAD_INPUT",
        `user "${userName}" is given a token that already belongs to user "${holder.user.name}"; every token must be unique`,
      );
    }
    let user = this.users.get(userName);
    if (!user) {
      user = {
        name: userName,
        fullname: opts.fullname ?? userName,
        email: opts.email ?? `${userName}@users.hubferry.local`,
        orgs: [],
        admin: false,
        mirrorGrants: [],
        id: fakeObjectId(userName),
      };
      this.users.set(userName, user);
    }
    if (opts.admin) user.admin = true;
    for (const grant of opts.mirrorGrants ?? [])
      if (!user.mirrorGrants.includes(grant)) user.mirrorGrants.push(grant);
    for (const org of opts.orgs ?? []) {
      if (!user.orgs.includes(org)) user.orgs.push(org);
      if (!this.orgFullnames.has(org)) this.orgFullnames.set(org, org);
    }
    this.byToken.set(token, {
      user,
      tokenName: opts.tokenName ?? "hubferry",
      role: opts.role ?? "write",
      tokenCreatedAt: this.createdAt,
    });
  }

  lookup(token: string): AuthedUser | undefined {
    return this.byToken.get(token);
  }

  get size(): number {
    return this.users.size;
  }

  orgFullname(org: string): string {
    return this.orgFullnames.get(org) ?? org;
  }

  /** Namespaces that exist: users and orgs. */
  namespaceExists(ns: string): boolean {
    return this.users.has(ns) || this.orgFullnames.has(ns);
  }

  userNames(): string[] {
    return [...this.users.keys()];
  }
}

export function canReadPrivate(who: AuthedUser | undefined, namespace: string): boolean {
  return !!who && (who.user.name === namespace || who.user.orgs.includes(namespace));
}

export function canWrite(who: AuthedUser | undefined, namespace: string): boolean {
  return canReadPrivate(who, namespace) && who!.role !== "read";
}

/**
 * Reads and checks a users file. Its errors name the file, the line and the kind of mistake, and
 * never quote the file: any line of it may hold a token.
 */
export async function loadUsersFile(path: string): Promise<UsersFile> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new HubferryError("BAD_INPUT", `cannot read the users file ${path}${code ? ` (${code})` : ""}`);
  }
  const lines = new LineCounter();
  const doc = YAML.parseDocument(text, { lineCounter: lines, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const at = lines.linePos(yamlError.pos[0]);
    throw new HubferryError(
      "BAD_INPUT",
      `the users file ${path} is not valid YAML/JSON: line ${at.line}, column ${at.col}: ${yamlError.code}`,
      "fix that line (its text is not shown: it may hold a token)",
    );
  }
  const lineOf = (keys: (string | number | symbol)[]): string => {
    const node = doc.getIn(
      keys.map((k) => (typeof k === "symbol" ? String(k) : k)),
      true,
    ) as YamlNode | undefined;
    return node?.range ? ` (line ${lines.linePos(node.range[0]).line})` : "";
  };
  const parsed = UsersFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new HubferryError(
      "BAD_INPUT",
      `the users file ${path} is invalid at "${issue.path.join(".")}"${lineOf(issue.path)}: ${issue.message}`,
    );
  }
  refuseSharedTokens(path, parsed.data, (u, t) => lineOf(["users", u, "tokens", t, "value"]));
  return parsed.data;
}

/** A token listed twice would log in as whichever user came last: name the lines, not the token. */
function refuseSharedTokens(path: string, file: UsersFile, lineOf: (u: number, t: number) => string): void {
  const seen = new Map<string, { user: string; line: string }>();
  file.users.forEach((u, ui) => {
    u.tokens.forEach((t, ti) => {
      const here = { user: u.name, line: lineOf(ui, ti) };
      const first = seen.get(t.value);
      if (first) {
        throw new HubferryError(
          "BAD_INPUT",
          `the users file ${path} gives one token to user "${first.user}"${first.line} and user "${here.user}"${here.line}; every token must be unique`,
          "give each user their own token",
        );
      }
      seen.set(t.value, here);
    });
  });
}
