/** Real (tiny) weight files for the toolbox tests: safetensors, GGUF and pickles. */

export function safetensorsFile(tensors: Record<string, { dtype: string; shape: number[] }>): Buffer {
  const size: Record<string, number> = { F32: 4, F16: 2, BF16: 2, I64: 8, U8: 1 };
  const header: Record<string, unknown> = { __metadata__: { format: "pt" } };
  let offset = 0;
  for (const [name, t] of Object.entries(tensors)) {
    const bytes = t.shape.reduce((a, b) => a * b, 1) * (size[t.dtype] ?? 4);
    header[name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offset += bytes;
  }
  let json = Buffer.from(JSON.stringify(header));
  json = Buffer.concat([json, Buffer.alloc((8 - (json.length % 8)) % 8, 0x20)]);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  const data = Buffer.alloc(offset);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31) & 0xff;
  return Buffer.concat([len, json, data]);
}

function ggufString(s: string): Buffer {
  const b = Buffer.from(s);
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(b.length));
  return Buffer.concat([len, b]);
}

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
}

function u64(n: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(BigInt(n));
  return b;
}

/** A GGUF v3 file: architecture, file type, a vocabulary array, tensors of one ggml type. */
export function ggufFile(opts: {
  fileType: number;
  tensorType: number;
  tensors: number[][];
  vocab?: number;
}): Buffer {
  const kv: Buffer[] = [
    Buffer.concat([ggufString("general.architecture"), u32(8), ggufString("llama")]),
    Buffer.concat([ggufString("general.file_type"), u32(4), u32(opts.fileType)]),
    Buffer.concat([
      ggufString("tokenizer.ggml.tokens"),
      u32(9),
      u32(8),
      u64(opts.vocab ?? 100),
      ...Array.from({ length: opts.vocab ?? 100 }, (_, i) => ggufString(`tok${i}`)),
    ]),
  ];
  const infos = opts.tensors.map((dims, i) =>
    Buffer.concat([
      ggufString(`blk.${i}.weight`),
      u32(dims.length),
      ...dims.map(u64),
      u32(opts.tensorType),
      u64(i * 64),
    ]),
  );
  return Buffer.concat([
    Buffer.from("GGUF"),
    u32(3),
    u64(opts.tensors.length),
    u64(kv.length),
    ...kv,
    ...infos,
    Buffer.alloc(64 * opts.tensors.length, 7),
  ]);
}

/** A protocol-2 pickle, like `torch.save(..., _use_new_zipfile_serialization=False)` starts. */
export function pickleFile(size = 4096): Buffer {
  const body = Buffer.alloc(size, 0x4e);
  body[0] = 0x80;
  body[1] = 0x02;
  body[2] = 0x7d;
  body[size - 1] = 0x2e;
  return body;
}
