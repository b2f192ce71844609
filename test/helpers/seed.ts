import { createRepo, uploadFiles } from "@huggingface/hub";

/**
 * Seeds a repo on a local hub with the OFFICIAL @huggingface/hub client (LFS, no Xet), so the
 * toolbox is tested against what a real client wrote.
 */
export async function seedHf(
  hubUrl: string,
  accessToken: string,
  repo: { type: "model" | "dataset" | "space"; name: string },
  files: Record<string, Buffer>,
  opts: { private?: boolean; sdk?: "gradio" | "static" | "docker" | "streamlit" } = {},
): Promise<void> {
  await createRepo({
    repo,
    accessToken,
    hubUrl,
    private: opts.private,
    ...(repo.type === "space" ? { sdk: opts.sdk ?? "static" } : {}),
  });
  await uploadFiles({
    repo,
    accessToken,
    hubUrl,
    useXet: false,
    files: Object.entries(files).map(([path, content]) => ({ path, content: new Blob([content]) })),
  });
}
