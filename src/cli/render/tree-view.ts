import type { TreeNode } from "../../toolbox/ecosystem.js";

/** Draws a tree with box-drawing branches; notes are aligned in a column after the labels. */
export function renderTree(root: TreeNode): string {
  const rows: { prefix: string; label: string; note?: string }[] = [{ prefix: "", label: root.label }];
  const walk = (node: TreeNode, indent: string) => {
    const kids = node.children ?? [];
    kids.forEach((child, i) => {
      const last = i === kids.length - 1;
      rows.push({ prefix: `${indent}${last ? "└── " : "├── "}`, label: child.label, note: child.note });
      walk(child, `${indent}${last ? "    " : "│   "}`);
    });
  };
  walk(root, "");
  const width = Math.max(...rows.map((r) => [...r.prefix].length + [...r.label].length));
  return `${rows
    .map((r) => {
      const head = `${r.prefix}${r.label}`;
      return r.note ? `${head}${" ".repeat(width - [...head].length + 2)}${r.note}` : head;
    })
    .join("\n")}\n`;
}

/** Paths (`a/b/c`) to a tree of folders and files, folders first, each level sorted. */
export function pathsToTree<T>(
  rootLabel: string,
  items: T[],
  pathOf: (item: T) => string,
  noteOf: (item: T) => string | undefined,
): TreeNode {
  const root: TreeNode & { dirs?: Map<string, TreeNode> } = { label: rootLabel, children: [] };
  const dirs = new Map<string, TreeNode>([["", root]]);
  for (const item of items) {
    const segs = pathOf(item).split("/");
    let parentKey = "";
    for (let i = 0; i < segs.length - 1; i++) {
      const key = segs.slice(0, i + 1).join("/");
      if (!dirs.has(key)) {
        const dir: TreeNode = { label: `${segs[i]}/`, children: [] };
        dirs.get(parentKey)!.children!.push(dir);
        dirs.set(key, dir);
      }
      parentKey = key;
    }
    const note = noteOf(item);
    dirs.get(parentKey)!.children!.push(note ? { label: segs.at(-1)!, note } : { label: segs.at(-1)! });
  }
  const sort = (n: TreeNode) => {
    n.children?.sort((a, b) => {
      const ad = a.children ? 0 : 1;
      const bd = b.children ? 0 : 1;
      return ad - bd || a.label.localeCompare(b.label);
    });
    n.children?.forEach(sort);
  };
  sort(root);
  return root;
}
