import confirm from "@inquirer/confirm";
import type { Plan } from "../transfer/plan.js";
import { formatBytes } from "./render/format.js";
import type { HumanRenderer } from "./render/human-renderer.js";

/**
 * The question asked after the plan, before anything is written (`Copy 3 file(s), 1.2 GB, to …?`).
 * A plan with nothing to copy needs no answer. The question goes to stderr: stdout is the plan's.
 */
export function confirmPlan(
  human: HumanRenderer | undefined,
  verb = "Copy",
): (plan: Plan) => Promise<boolean> {
  return async (plan) => {
    if (plan.copy.length === 0) return true;
    human?.stopBars();
    return confirm(
      {
        message: `${verb} ${plan.copy.length} file(s), ${formatBytes(plan.bytes)}, to ${plan.destinationUrl}?`,
        default: false,
      },
      { output: process.stderr },
    );
  };
}
