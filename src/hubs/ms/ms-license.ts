/**
 * The licences ModelScope accepts, as the SDK lists them (modelscope/hub/constants.py `Licenses`),
 * keyed by the SPDX-style ids Hugging Face cards use. Anything else maps to no licence at all:
 * a repo never gets a licence its author did not choose.
 */
const MS_LICENSES: Record<string, string> = {
  "apache-2.0": "Apache License 2.0",
  "gpl-2.0": "GPL-2.0",
  "gpl-3.0": "GPL-3.0",
  "lgpl-2.1": "LGPL-2.1",
  "lgpl-3.0": "LGPL-3.0",
  "afl-3.0": "AFL-3.0",
  "ecl-2.0": "ECL-2.0",
  mit: "MIT",
};

export function msLicenseFor(license: string | undefined): string | undefined {
  if (!license) return undefined;
  const id = license.trim().toLowerCase();
  if (MS_LICENSES[id]) return MS_LICENSES[id];
  // Already one of ModelScope's own names (a ModelScope source).
  return Object.values(MS_LICENSES).find((v) => v.toLowerCase() === id);
}
