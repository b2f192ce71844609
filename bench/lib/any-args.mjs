// The any-to-any bench's command line.
export const ANY_USAGE = `usage: node bench/any-to-any-bench.mjs [options]   (npm run bench:any -- [options])

Copies shape (a) (one file >= 1 GB, two more LFS files, 41 small files; 2,096 MiB) on one local
hub, one round, each copy into a new repo, each checked byte for byte:
  1. HF -> HF: hubferry migrate into a new repo (the hub's server-side duplicate)
               vs hubferry migrate --revision <head sha> (the same copy, streamed through hubferry)
  2. MS -> MS: hubferry migrate vs the official clients (modelscope snapshot_download, upload_folder)
  3. folder -> HF: hubferry migrate ./folder vs huggingface_hub upload_folder (HF_HUB_DISABLE_XET=1)

  --quick              a small shape (a): 320 MiB in 23 files
  --no-sequential      skip the official clients
  --out FILE           where the Markdown goes (default bench/results/any-to-any[-quick].md)
`;

export function parseAnyArgs(argv) {
  const opts = { quick: false, sequential: true };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--quick") opts.quick = true;
    else if (a === "--no-sequential") opts.sequential = false;
    else if (a === "--help" || a === "-h") opts.help = true;
    else if (a === "--out") {
      opts.out = argv[++i];
      if (opts.out === undefined || opts.out.startsWith("--"))
        throw new Error(`--out needs a value\n\n${ANY_USAGE}`);
    } else throw new Error(`unknown option ${a}\n\n${ANY_USAGE}`);
  }
  return opts;
}
