// filterJit's donation (Equinox's `donate`, and jit's donateArgnums): which arguments' arrays a
// call deletes, and the option checks.
import { test } from "node:test";
import assert from "node:assert/strict";
import { nn, np, ValueError, type Array } from "linax-ts";

const f = (p: { w: Array; scale: number }, x: Array, y: Array): Array =>
  np.add(np.multiply(p.w, p.scale), np.add(x, y));

test("donate: 'all-except-first' deletes the arrays of every argument but the first; 'all' every one", () => {
  const w = np.array([1, 2]);
  const x = np.array([3, 4]);
  const y = np.array([5, 6]);
  const out = nn.filterJit(f, { donate: "all-except-first" })({ w, scale: 2 }, x, y);
  assert.deepEqual(globalThis.Array.from(out.dataSync()), [10, 14]);
  assert.ok(!w.isDeleted() && x.isDeleted() && y.isDeleted());
  const w2 = np.array([1, 2]);
  const x2 = np.array([0, 0]);
  const y2 = np.array([0, 0]);
  nn.filterJit(f, { donate: "all" })({ w: w2, scale: 1 }, x2, y2);
  assert.ok(w2.isDeleted() && x2.isDeleted() && y2.isDeleted());
});

test("donateArgnums picks arguments by position; the static leaves of a donated argument are untouched", () => {
  const w = np.array([1, 2]);
  const x = np.array([3, 4]);
  const y = np.array([5, 6]);
  const p = { w, scale: 3 };
  const out = nn.filterJit(f, { donateArgnums: [0, -1] })(p, x, y);
  assert.deepEqual(globalThis.Array.from(out.dataSync()), [11, 16]);
  assert.ok(w.isDeleted() && !x.isDeleted() && y.isDeleted());
  assert.equal(p.scale, 3);
});

test("bad options: unknown donate mode, unknown option, position out of range", () => {
  const x = np.array([1]);
  assert.throws(() => nn.filterJit(f, { donate: "some" as never }), ValueError);
  assert.throws(() => nn.filterJit(f, { donateArgnum: 0 } as never), /unknown option 'donateArgnum'/);
  assert.throws(
    () => nn.filterJit(f, { donateArgnums: 3 })({ w: x, scale: 1 }, x, x),
    /donateArgnums entry 3 is not an argument position/,
  );
});
