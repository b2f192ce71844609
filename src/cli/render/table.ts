import Table from "cli-table3";

/** A borderless, aligned table for terminal listings. */
export function renderTable(head: string[], rows: (string | number)[][], right: number[] = []): string {
  const table = new Table({
    head,
    chars: {
      top: "",
      "top-mid": "",
      "top-left": "",
      "top-right": "",
      bottom: "",
      "bottom-mid": "",
      "bottom-left": "",
      "bottom-right": "",
      left: "",
      "left-mid": "",
      mid: "",
      "mid-mid": "",
      right: "",
      "right-mid": "",
      middle: "  ",
    },
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0 },
    colAligns: head.map((_, i) => (right.includes(i) ? "right" : "left")),
  });
  table.push(...rows.map((r) => r.map(String)));
  return `${table.toString()}\n`;
}

/** 1234567 → "1.2M": counters as people read them. */
export function compactNumber(n: number | undefined): string {
  if (n === undefined) return "-";
  return new Intl.NumberFormat("en", { notation: "compact", maximumFractionDigits: 1 }).format(n);
}
