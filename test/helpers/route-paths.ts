/**
 * Request paths made from a route's own pattern (the regex source the hub's router matches), so a
 * fuzzer covers every route the hub registers rather than a list kept by hand. Understands the
 * subset the routes use: literals and escapes, `[class]` with `+ * ? {n}`, `.`, `\d`, named and
 * non-capturing groups with alternatives and `?`, anchors.
 */

type Quant = "" | "?" | "*" | "+" | number;
type Node =
  | { kind: "lit"; text: string; quant: Quant }
  | { kind: "set"; hex: boolean; digits: boolean; quant: Quant }
  | { kind: "group"; name: string | undefined; alts: Node[][]; quant: Quant };

/** Chooses a named group's value; `inner` renders the group's own alternatives (a valid value). */
export type Pick = (name: string, inner: () => string) => string;

export function parsePattern(source: string): Node[] {
  let i = 0;
  const quant = (): Quant => {
    const c = source[i];
    if (c === "?" || c === "*" || c === "+") {
      i++;
      return c;
    }
    const m = /^\{(\d+)\}/.exec(source.slice(i));
    if (m) {
      i += m[0].length;
      return Number(m[1]);
    }
    return "";
  };
  const alts = (): Node[][] => {
    const out: Node[][] = [[]];
    while (i < source.length && source[i] !== ")") {
      const c = source[i]!;
      const seq = out.at(-1)!;
      if (c === "|") {
        i++;
        out.push([]);
      } else if (c === "^" || c === "$") i++;
      else if (c === "(") {
        i++;
        let name: string | undefined;
        if (source.startsWith("?<", i)) {
          const end = source.indexOf(">", i);
          name = source.slice(i + 2, end);
          i = end + 1;
        } else if (source.startsWith("?:", i)) i += 2;
        const inner = alts();
        i++; // ")"
        seq.push({ kind: "group", name, alts: inner, quant: quant() });
      } else if (c === "[") {
        const end = source.indexOf("]", i);
        const cls = source.slice(i + 1, end);
        i = end + 1;
        seq.push({ kind: "set", hex: cls === "0-9a-f", digits: cls === "0-9", quant: quant() });
      } else if (c === ".") {
        i++;
        seq.push({ kind: "set", hex: false, digits: false, quant: quant() });
      } else if (c === "\\") {
        const e = source[i + 1]!;
        i += 2;
        if (e === "d") seq.push({ kind: "set", hex: false, digits: true, quant: quant() });
        else seq.push({ kind: "lit", text: e, quant: quant() });
      } else {
        i++;
        seq.push({ kind: "lit", text: c, quant: quant() });
      }
    }
    return out;
  };
  return alts()[0]!;
}

/** The names of a pattern's named groups, in order. */
export function paramNames(nodes: Node[]): string[] {
  return nodes.flatMap((n) =>
    n.kind === "group" ? [...(n.name ? [n.name] : []), ...n.alts.flatMap(paramNames)] : [],
  );
}

/**
 * One path for `nodes`: an optional part kept when `keep()` says so, alternatives chosen by
 * `rand`, named groups valued by `pick`.
 */
export function renderPattern(
  nodes: Node[],
  pick: Pick,
  rand: () => number,
  keep = () => rand() < 0.7,
): string {
  const seq = (ns: Node[]): string => ns.map(one).join("");
  const one = (n: Node): string => {
    if ((n.quant === "?" || n.quant === "*") && !keep()) return "";
    if (n.kind === "lit") return n.text;
    if (n.kind === "set") {
      const len = typeof n.quant === "number" ? n.quant : 1;
      return (n.hex ? "a" : n.digits ? "1" : "x").repeat(len);
    }
    const inner = () => seq(n.alts[Math.floor(rand() * n.alts.length)]!);
    return n.name ? pick(n.name, inner) : inner();
  };
  return seq(nodes);
}
