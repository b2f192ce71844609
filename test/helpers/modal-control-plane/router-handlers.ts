import type { CallContext } from "nice-grpc";
import { ServerError, Status } from "nice-grpc";
import { FS_TOOLS, type LocalExec } from "./sandboxes.js";
import type { Handler, HandlerContext } from "./server.js";

/** The TaskCommandRouter RPCs: each needs `authorization: Bearer <the router JWT of that task>`. */
export function routerHandlers(ctx: HandlerContext): Record<string, Handler> {
  const find = (context: CallContext, taskId: string, execId?: string) => {
    const bearer = /^Bearer (.+)$/.exec(context.metadata.get("authorization") ?? "")?.[1];
    const claims = ctx.auth.verify(bearer);
    if (claims?.kind !== "router" || claims.task !== taskId)
      throw new ServerError(Status.UNAUTHENTICATED, "invalid router JWT for this task");
    const sb = ctx.sandboxes.byTask(taskId);
    if (!sb) throw new ServerError(Status.NOT_FOUND, `task ${taskId} not found`);
    const exec = execId === undefined ? undefined : sb.execs.get(execId);
    if (execId !== undefined && !exec) throw new ServerError(Status.NOT_FOUND, `exec ${execId} not found`);
    return { sb, exec: exec as LocalExec };
  };
  let stdoutBroken = false;
  let stdinBroken = false;
  return {
    taskExecStart: (req: { taskId: string; execId: string; commandArgs: string[] }, context) => {
      const { sb } = find(context, req.taskId);
      if (sb.ended) throw new ServerError(Status.FAILED_PRECONDITION, "the sandbox has ended");
      sb.start(req.execId, req.commandArgs, ctx.faults.holdPrograms === true);
      return {};
    },
    taskExecStdinWriteStream: async (stream: AsyncIterable<Record<string, unknown>>, context) => {
      let exec: LocalExec | undefined;
      let offset = 0;
      for await (const msg of stream) {
        if (msg.start) {
          const start = msg.start as { taskId: string; execId: string; offset: number };
          exec = find(context, start.taskId, start.execId).exec;
          offset = Number(start.offset);
        } else if (msg.data && exec) {
          const data = Buffer.from(msg.data as Uint8Array);
          exec.writeStdin(offset, data);
          offset += data.length;
          const limit = ctx.faults.stdinBreakAfter;
          if (limit !== undefined && !stdinBroken && exec.stdinWritten >= limit) {
            stdinBroken = true;
            throw new ServerError(Status.UNAVAILABLE, "stdin stream broken (injected)");
          }
        } else if (msg.end && exec) await exec.closeStdin();
      }
      return {};
    },
    /** What a program's `stdin` stream writes (writeText, close): one call per chunk, then `eof`. */
    taskExecStdinWrite: async (
      req: { taskId: string; execId: string; offset: number; data: Uint8Array; eof: boolean },
      context,
    ) => {
      const { exec } = find(context, req.taskId, req.execId);
      if (req.data?.length) exec.writeStdin(Number(req.offset), Buffer.from(req.data));
      if (req.eof) await exec.closeStdin();
      return {};
    },
    taskExecStdinStatus: (req: { taskId: string; execId: string }, context) => {
      const { exec } = find(context, req.taskId, req.execId);
      return { numBytesWritten: exec.stdinWritten, closed: exec.stdinClosed };
    },
    taskExecStdioRead: async function* (
      req: { taskId: string; execId: string; offset: number; fileDescriptor: number },
      context: CallContext,
    ) {
      const { exec } = find(context, req.taskId, req.execId);
      const output = req.fileDescriptor === 1 ? exec.stderr : exec.stdout;
      const limit = ctx.faults.stdoutBreakAfter;
      const breakHere =
        limit !== undefined && !stdoutBroken && req.fileDescriptor === 0 && exec.argv[0] !== FS_TOOLS;
      let sent = Number(req.offset);
      for await (const chunk of output.read(Number(req.offset), context.signal)) {
        if (breakHere && sent + chunk.length > limit) {
          // Send up to the limit, then break: the SDK must resume from its offset.
          yield { data: chunk.subarray(0, Math.max(0, limit - sent)) };
          stdoutBroken = true;
          throw new ServerError(Status.UNAVAILABLE, "stdout stream broken (injected)");
        }
        sent += chunk.length;
        yield { data: chunk };
      }
      // A stream that stays open after its sandbox ended, until the client gives up on it.
      if (ctx.faults.streamsOutliveEnd && exec.killedByEnd && !context.signal.aborted)
        await new Promise((resolve) => context.signal.addEventListener("abort", resolve, { once: true }));
    },
    taskExecWait: async (req: { taskId: string; execId: string }, context) => {
      const { sb, exec } = find(context, req.taskId, req.execId);
      const status = await Promise.race([
        exec.wait(),
        new Promise<undefined>((resolve) =>
          context.signal.addEventListener("abort", () => resolve(undefined)),
        ),
      ]);
      if (!status) throw new ServerError(Status.CANCELLED, "the caller went away");
      if (sb.ended && exec.killedByEnd) {
        const mode = ctx.faults.waitAfterEnd ?? "killed";
        if (mode === "not-found") throw new ServerError(Status.NOT_FOUND, `task ${req.taskId} not found`);
        if (mode === "unavailable") throw new ServerError(Status.UNAVAILABLE, "the task is gone");
      }
      return status;
    },
  };
}
