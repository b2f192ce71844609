import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { dealFiles } from "../../src/transfer/deal.js";

const file = (path: string, size: number) => ({ path, size });

describe("dealFiles: a plan's files to N workers, largest first, balancing bytes", () => {
  it("places each file, largest first, on the worker with the fewest bytes so far", () => {
    const shares = dealFiles([file("a", 10), file("b", 70), file("c", 40), file("d", 30), file("e", 20)], 2);
    assert.deepEqual(
      shares.map((s) => ({ worker: s.worker, files: s.files.map((f) => f.path), bytes: s.bytes })),
      [
        // b to 1; c, then d, to 2 (40 < 70); e to 1 (70 = 70: the lower number); a to 2 (70 < 90).
        { worker: 1, files: ["b", "e"], bytes: 90 },
        { worker: 2, files: ["c", "d", "a"], bytes: 80 },
      ],
    );
  });

  it("deals every file exactly once, and no worker is left without a file", () => {
    const files = Array.from({ length: 37 }, (_, i) => file(`f${i}`, (i * 7919) % 1000));
    const shares = dealFiles(files, 5);
    assert.equal(shares.length, 5);
    assert.deepEqual(
      shares.flatMap((s) => s.files.map((f) => f.path)).sort(),
      files.map((f) => f.path).sort(),
    );
    assert.ok(shares.every((s) => s.files.length > 0));
    assert.deepEqual(
      shares.map((s) => s.bytes),
      shares.map((s) => s.files.reduce((n, f) => n + f.size, 0)),
    );
    // Greedy longest-first keeps the biggest share within one file of the smallest.
    const loads = shares.map((s) => s.bytes);
    assert.ok(Math.max(...loads) - Math.min(...loads) <= Math.max(...files.map((f) => f.size)));
  });

  it("fewer files than workers means fewer workers; no files, none; ties go to the lowest number", () => {
    assert.deepEqual(
      dealFiles([file("x", 5), file("y", 5)], 8).map((s) => s.files.map((f) => f.path)),
      [["x"], ["y"]],
    );
    assert.deepEqual(dealFiles([], 4), []);
    assert.deepEqual(
      dealFiles([file("z", 1)], 0).map((s) => s.worker),
      [1],
    );
  });
});
