import { readFileSync } from "node:fs";

/** Set by the bundler for the single-file build, where package.json is not beside the code. */
declare const __HUBFERRY_VERSION__: string | undefined;

export function hubferryVersion(): string {
  if (typeof __HUBFERRY_VERSION__ === "string") return __HUBFERRY_VERSION__;
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as {
    version: string;
  };
  return pkg.version;
}
