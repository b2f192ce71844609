/**
 * A pickle writer for the few plain structures the ModelScope SDK keeps in pickles (its cache
 * index and its login cookie jar). Protocol 2, no memo, no frames: every Python 3 reads it.
 * Reading goes through the `pickleparser` library.
 */
export type PickleValue =
  | string
  | number
  | boolean
  | null
  | PickleValue[]
  | { [key: string]: PickleValue }
  | PickleObject
  | PickleTuple;

/** An instance of `module.name`, rebuilt as `cls.__new__(cls)` then `__setstate__`/dict update. */
export class PickleObject {
  constructor(
    readonly module: string,
    readonly name: string,
    readonly state: { [key: string]: PickleValue },
  ) {}
}

export class PickleTuple {
  constructor(readonly items: PickleValue[]) {}
}

function str(s: string): Buffer {
  const b = Buffer.from(s, "utf8");
  const len = Buffer.alloc(4);
  len.writeUInt32LE(b.length);
  return Buffer.concat([Buffer.from("X"), len, b]); // BINUNICODE
}

function int(n: number): Buffer {
  if (!Number.isInteger(n)) {
    const b = Buffer.alloc(9);
    b.write("G", 0, "latin1"); // BINFLOAT, big-endian
    b.writeDoubleBE(n, 1);
    return b;
  }
  if (n >= 0 && n < 256) return Buffer.from([0x4b, n]); // BININT1
  if (n >= -(2 ** 31) && n < 2 ** 31) {
    const b = Buffer.alloc(5);
    b.write("J", 0, "latin1"); // BININT
    b.writeInt32LE(n, 1);
    return b;
  }
  const b = Buffer.alloc(10);
  b[0] = 0x8a; // LONG1 with 8 little-endian bytes
  b[1] = 8;
  b.writeBigInt64LE(BigInt(n), 2);
  return b;
}

function dict(d: { [key: string]: PickleValue }): Buffer {
  const parts: Buffer[] = [Buffer.from("}(")]; // EMPTY_DICT, MARK
  for (const [k, v] of Object.entries(d)) parts.push(str(k), value(v));
  parts.push(Buffer.from("u")); // SETITEMS
  return Buffer.concat(parts);
}

function value(v: PickleValue): Buffer {
  if (v === null) return Buffer.from("N");
  if (v === true) return Buffer.from([0x88]);
  if (v === false) return Buffer.from([0x89]);
  if (typeof v === "string") return str(v);
  if (typeof v === "number") return int(v);
  if (Array.isArray(v)) return Buffer.concat([Buffer.from("]("), ...v.map(value), Buffer.from("e")]);
  if (v instanceof PickleTuple)
    return Buffer.concat([Buffer.from("("), ...v.items.map(value), Buffer.from("t")]);
  if (v instanceof PickleObject)
    // GLOBAL, EMPTY_TUPLE, NEWOBJ, state, BUILD
    return Buffer.concat([
      Buffer.from(`c${v.module}\n${v.name}\n`, "latin1"),
      Buffer.from([0x29, 0x81]),
      dict(v.state),
      Buffer.from("b"),
    ]);
  return dict(v);
}

export function pickle(v: PickleValue): Buffer {
  return Buffer.concat([Buffer.from([0x80, 0x02]), value(v), Buffer.from(".")]);
}
