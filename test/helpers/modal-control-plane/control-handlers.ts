import type { CallContext } from "nice-grpc";
import { ServerError, Status } from "nice-grpc";
import type { Handler, HandlerContext } from "./server.js";
import { newId } from "./server.js";

/**
 * The control-plane RPCs hubferry's use of the SDK triggers. Every call must carry the token pair;
 * every call but AuthTokenGet also the JWT AuthTokenGet handed out.
 */
export function controlHandlers(ctx: HandlerContext): Record<string, Handler> {
  const apps = new Map<string, string>();
  const secrets = new Map<string, Record<string, string>>();
  const built = new Set<string>();
  const check = (context: CallContext, needsJwt = true) => {
    const m = context.metadata;
    if (
      ctx.faults.refuseTokens ||
      !ctx.auth.tokenPairMatches(m.get("x-modal-token-id"), m.get("x-modal-token-secret"))
    )
      throw new ServerError(Status.UNAUTHENTICATED, "Invalid token id or secret");
    if (needsJwt && ctx.auth.verify(m.get("x-modal-auth-token"))?.kind !== "control")
      throw new ServerError(Status.UNAUTHENTICATED, "missing or invalid x-modal-auth-token");
  };
  const sandbox = (id: string) => {
    const sb = ctx.sandboxes.all.get(id);
    if (!sb) throw new ServerError(Status.NOT_FOUND, `sandbox ${id} not found`);
    return sb;
  };
  const access = (taskId: string) => ({
    url: ctx.routerUrl,
    jwt: ctx.auth.mint({ kind: "router", task: taskId }),
  });
  return {
    authTokenGet: (_req, context) => {
      check(context, false);
      return { token: ctx.auth.mint({ kind: "control" }) };
    },
    appGetOrCreate: (req: { appName: string }, context) => {
      check(context);
      if (!apps.has(req.appName)) apps.set(req.appName, newId("ap"));
      return { appId: apps.get(req.appName) };
    },
    environmentGetOrCreate: (_req, context) => {
      check(context);
      return {
        environmentId: "en-local",
        metadata: { name: "main", settings: { imageBuilderVersion: "2025.06" } },
      };
    },
    imageGetOrCreate: (req: { image?: { dockerfileCommands: string[] } }, context) => {
      check(context);
      const imageId = `im-${Buffer.from((req.image?.dockerfileCommands ?? []).join("\n"))
        .toString("hex")
        .slice(0, 24)}`;
      // The first time, like a fresh build, the result comes through ImageJoinStreaming.
      const result = built.has(imageId) ? { status: 1 } : undefined;
      built.add(imageId);
      return { imageId, ...(result ? { result } : {}) };
    },
    imageJoinStreaming: async function* (_req, context) {
      check(context);
      yield { entryId: "1", taskLogs: [], eof: false };
      yield { entryId: "2", taskLogs: [], eof: true, result: { status: 1 } };
    },
    secretGetOrCreate: (req: { envDict: Record<string, string> }, context) => {
      check(context);
      const id = newId("st");
      secrets.set(id, { ...req.envDict });
      return { secretId: id };
    },
    sandboxCreateV2: async (req, context) => {
      check(context);
      const env: Record<string, string> = {};
      for (const s of req.secretSources as {
        env?: { contents: Record<string, string> };
        secretId?: string;
      }[])
        Object.assign(env, s.env?.contents ?? secrets.get(s.secretId ?? "") ?? {});
      const sb = await ctx.sandboxes.create({
        appId: req.appId,
        imageId: req.definition?.imageId ?? "",
        timeoutSecs: req.definition?.timeoutSecs ?? 300,
        env,
        v2: true,
      });
      return { sandboxId: sb.id, taskId: sb.taskId, commandRouterAccess: access(sb.taskId) };
    },
    sandboxCreate: async (req, context) => {
      check(context);
      const env: Record<string, string> = {};
      for (const id of req.definition?.secretIds ?? []) Object.assign(env, secrets.get(id) ?? {});
      const sb = await ctx.sandboxes.create({
        appId: req.appId,
        imageId: req.definition?.imageId ?? "",
        timeoutSecs: req.definition?.timeoutSecs ?? 300,
        env,
        v2: false,
      });
      return { sandboxId: sb.id };
    },
    sandboxGetTaskId: (req: { sandboxId: string }, context) => {
      check(context);
      return { taskId: sandbox(req.sandboxId).taskId };
    },
    sandboxGetTaskIdV2: (req: { sandboxId: string }, context) => {
      check(context);
      return { taskId: sandbox(req.sandboxId).taskId };
    },
    taskGetCommandRouterAccess: (req: { taskId: string }, context) => {
      check(context);
      if (!ctx.sandboxes.byTask(req.taskId)) throw new ServerError(Status.NOT_FOUND, "task not found");
      return access(req.taskId);
    },
    sandboxGetCommandRouterAccess: (req: { sandboxId: string }, context) => {
      check(context);
      return access(sandbox(req.sandboxId).taskId);
    },
    sandboxTerminate: (req: { sandboxId: string }, context) => {
      check(context);
      sandbox(req.sandboxId).end("terminated");
      return {};
    },
    sandboxTerminateV2: (req: { sandboxId: string }, context) => {
      check(context);
      sandbox(req.sandboxId).end("terminated");
      return {};
    },
  };
}
