import type { z } from "zod";
import { HubferryError } from "../errors.js";

/** Parses a hub response with its schema; a surprise becomes an error that names the call. */
export function parseAs<T>(schema: z.ZodType<T>, value: unknown, call: string): T {
  const r = schema.safeParse(value);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new HubferryError(
      "PROTOCOL",
      `${call}: unexpected response (${issue?.path.join(".") || "body"}: ${issue?.message})`,
      "the hub answered in a shape hubferry does not know; report it with the hub's name",
    );
  }
  return r.data;
}
