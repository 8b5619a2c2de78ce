/**
 * Eager ops on the compiled path (compile/eager-programs.ts): deferred broadcasts fused into their
 * consumer, and where results go once the heap holds more than the eager limit. The oracle is the
 * same eager code with `config.update("jitCompile", false)` (the reference kernels), compared bit
 * for bit. Shapes above 2¹⁶ elements run on the kernel pool; the file reruns itself once with
 * LINAX_CPU_THREADS=1 (one thread), so both are checked.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { config, jit, lax, np, type Array, type DType } from "linax-ts";
import { cpu, type CpuBuffer } from "@linax-ts/backend-cpu";
import {
  EAGER_COMPILE_AT_ONCE_SIZE,
  EAGER_COMPILE_MIN_SIZE,
  EAGER_HEAP_LIMIT,
  setEagerHeapLimit,
} from "../src/compile/eager-programs.ts";

const bufOf = (a: Array): CpuBuffer => (a as unknown as { buffer: CpuBuffer }).buffer;

function sameBits(got: Array, want: Array, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const g = got.dataSync();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++)
    if (!Object.is(g[i], w[i]) && !(Number.isNaN(g[i]) && Number.isNaN(w[i])))
      assert.fail(`${what}: element ${i}: compiled ${g[i]}, reference ${w[i]}`);
}

/** `f` eagerly with compilation on and off. */
function check(what: string, f: () => Array): Array {
  const got = f();
  config.update("jitCompile", false);
  let want: Array;
  try {
    want = f();
  } finally {
    config.update("jitCompile", true);
  }
  sameBits(got, want, what);
  return got;
}

/** Values with the corners of a dtype (NaN, ±0, ±∞, wrap-around integers). */
function arrayOf(dtype: DType, shape: number[], offset = 0): Array {
  const s =
    dtype === "float32"
      ? [0, -0, 1, -1, 0.5, -2.5, 3.75, 1e-38, 3.4e38, -3.4e38, Infinity, -Infinity, NaN, 0.1, 7]
      : dtype === "int32"
        ? [0, 1, -1, 7, 2147483647, -2147483648, 123456]
        : [0, 1];
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = globalThis.Array.from({ length: n }, (_, i) => s[(i * 7 + offset) % s.length]);
  if (dtype === "bool") return np.array(vals.map((v) => v !== 0)).reshape(shape);
  return np.array(vals, { dtype }).reshape(shape);
}

for (const [label, rows] of [
  ["one thread's size", 80],
  ["pool size", 1031],
] as const) {
  test(`deferred broadcasts fold into their consumer (${label}) == reference`, () => {
    const x = arrayOf("float32", [rows, 97]);
    const row = arrayOf("float32", [97], 2);
    const col = arrayOf("float32", [rows, 1], 5);
    const xi = arrayOf("int32", [rows, 97], 1);
    check("add [r,97] + [97]", () => np.add(x, row));
    check("add [97] + [r,97] (operand order)", () => np.add(row, x));
    check("sub [r,97] - [r,1]", () => np.subtract(x, col));
    check("outer product [r,1] * [97]", () => np.multiply(col, row));
    check("mul by a JS scalar", () => np.multiply(x, 2.5));
    check("int32 wrap-around add of a scalar", () => np.add(xi, 2147483647));
    check("where with a broadcast condition and scalar branch", () => np.where(np.greater(row, 0), x, -1));
    check("maximum with a broadcast row (NaN propagation)", () => np.maximum(x, row));
    check("sum of a broadcast product over axis 0", () => np.sum(np.multiply(x, row), 0));
    const zrow = lax.complex(row, np.multiply(row, -0.5));
    check("complex64 add of a broadcast row", () => np.add(lax.complex(x, x), zrow));
    check("uint32 wrap-around of a broadcast row", () =>
      np.add(lax.convertElementType(xi, "uint32"), np.array(4294967295, { dtype: "uint32" })),
    );
    // A broadcast read by things that do not fold it: a read, a routine, a jitted program.
    check("cumsum (a routine) of a deferred broadcast", () => np.cumsum(lax.broadcastInDim(row, [rows, 97], [1]), 1));
    check("jit on a deferred broadcast", () => jit((a: Array) => a.mul(3))(lax.broadcastInDim(row, [rows, 97], [1])));
    check("dataSync of a deferred broadcast", () => lax.broadcastInDim(col, [rows, 97], [0, 1]));
    // The deferred buffer and its operand's copy are two live buffers, both freed by dispose.
    const live = cpu.liveBuffers();
    const b = lax.broadcastInDim(row, [rows, 97], [1]);
    assert.notEqual(bufOf(b).lazy, null, "the eager broadcast is deferred");
    assert.equal(cpu.liveBuffers(), live + 2);
    const s = np.add(x, b);
    assert.notEqual(bufOf(b).lazy, null, "a compiled consumer does not materialize it");
    s.dispose();
    b.dispose();
    assert.equal(cpu.liveBuffers(), live, "no buffer left behind");
    const m = lax.broadcastInDim(row, [rows, 97], [1]);
    m.dataSync();
    assert.equal(bufOf(m).lazy, null, "a read materializes it");
    assert.equal(cpu.liveBuffers(), live + 1, "materializing frees the operand's copy");
    m.dispose();
    assert.equal(cpu.liveBuffers(), live);
  });
}

test("small eager ops compile on their third use with the same types; tiny ones stay on the reference", () => {
  assert.ok(EAGER_COMPILE_MIN_SIZE <= 600 && 600 < EAGER_COMPILE_AT_ONCE_SIZE);
  const x = arrayOf("float32", [20, 30], 4); // 600 elements; [20, 30] is used by no other test here
  const y = arrayOf("float32", [20, 30], 9);
  const place = (a: Array): string => (bufOf(a).ptr !== 0 ? "heap" : "js");
  const got = [0, 1, 2, 3].map(() => np.subtract(x, y));
  // Reference kernels return JS arrays, compiled programs heap blocks.
  assert.deepEqual(got.map(place), ["js", "js", "heap", "heap"]);
  config.update("jitCompile", false);
  const want = np.subtract(x, y);
  config.update("jitCompile", true);
  got.forEach((g, i) => sameBits(g, want, `sub #${i}`));
  const tiny = arrayOf("float32", [EAGER_COMPILE_MIN_SIZE - 1]);
  assert.deepEqual(
    [0, 1, 2, 3].map(() => place(np.multiply(tiny, tiny))),
    ["js", "js", "js", "js"],
  );
  // Repeated small broadcasts are deferred and fused once hot.
  const row = arrayOf("float32", [30], 2);
  const sums = [0, 1, 2, 3, 4].map(() => check("small add with a broadcast row", () => np.add(x, row)));
  assert.equal(place(sums[4]), "heap");
});

test("a deferred broadcast keeps its own copy: the operand may be disposed first", () => {
  const row = np.array([1.5, -2, 3, NaN], { dtype: "float32" });
  const x = arrayOf("float32", [2000, 4]);
  const b = lax.broadcastInDim(row, [2000, 4], [1]);
  row.dispose();
  const got = np.add(x, b).dataSync();
  const want = [1.5, -2, 3, NaN];
  const xs = x.dataSync();
  for (let i = 0; i < got.length; i++) assert.ok(Object.is(got[i], Math.fround(xs[i] + want[i % 4])), `element ${i}`);
  const bs = b.dataSync();
  for (let i = 0; i < bs.length; i++) assert.ok(Object.is(bs[i], want[i % 4]), `broadcast element ${i}`);
});

test("past the eager heap limit: results reuse heap blocks, the oldest kept ones move to JS arrays; the heap does not grow", () => {
  // [3001, 7] float32 = 84,028 bytes: a size class (128 KiB) of its own in this file.
  const shape = [3001, 7];
  const x = np.multiply(arrayOf("float32", shape), 1); // a compiled result: in the heap
  config.update("jitCompile", false);
  const js = arrayOf("float32", shape, 3); // a JS array (reference kernels' results are)
  const want = np.add(x, x);
  config.update("jitCompile", true);
  assert.notEqual(bufOf(x).ptr, 0);
  assert.equal(bufOf(js).ptr, 0);
  const was = setEagerHeapLimit(0);
  try {
    assert.equal(EAGER_HEAP_LIMIT, 256 * 2 ** 20);
    const heap = cpu.heap;
    np.add(x, x).dispose(); // a block of the class exists (free) from here on
    const cap = heap.capacity;
    const liveBytes = heap.liveBytes;
    // Disposed as they go: every result takes the same block, none is copied out.
    const ptrs = new Set<number>();
    for (let i = 0; i < 10; i++) {
      const r = np.add(x, x);
      ptrs.add(bufOf(r).ptr);
      sameBits(r, want, `disposed add #${i}`);
      r.dispose();
    }
    assert.deepEqual([...ptrs].length, 1, "one block, reused");
    assert.ok(![...ptrs].includes(0), "in the heap, not copied out");
    // Kept: each new result takes the block of the previous one, which moves to a JS array.
    const kept: Array[] = [];
    for (let i = 0; i < 20; i++) kept.push(np.add(x, x));
    assert.deepEqual(
      kept.map((a) => bufOf(a).ptr !== 0),
      kept.map((_, i) => i === kept.length - 1),
      "only the newest kept result is in the heap",
    );
    kept.forEach((a, i) => sameBits(a, want, `kept add #${i}`));
    assert.equal(heap.capacity, cap, "no growth");
    assert.equal(
      heap.liveBytes,
      liveBytes + heap.blockBytesFor(4 * 3001 * 7),
      "one live block more: the newest result's",
    );
    // JS-array operands: copied into temporary blocks, not moved into the heap.
    const ops = (): Array[] => [np.add(x, js), np.tanh(js), np.sum(np.multiply(js, x), 0)];
    kept.push(...ops()); // may grow the heap once, for the operand copies
    const cap2 = heap.capacity;
    for (let i = 0; i < 20; i++) kept.push(...ops());
    assert.equal(heap.capacity, cap2, "no growth");
    assert.equal(bufOf(js).ptr, 0, "a JS operand stays in its JS array");
    check("add of a JS operand past the limit", () => np.add(x, js));
    check("sum past the limit", () => np.sum(np.multiply(js, x), 0));
    check("deferred broadcast past the limit", () => np.add(js, 3));
    check("materialized broadcast past the limit", () =>
      lax.broadcastInDim(np.array(3, { dtype: "float32" }), shape, []),
    );
    kept.forEach((a) => a.dispose());
  } finally {
    setEagerHeapLimit(was);
  }
});

if (process.env.LINAX_CPU_THREADS === undefined) {
  test("the same on one thread (LINAX_CPU_THREADS=1)", () => {
    // Without NODE_TEST_CONTEXT: else the child reports to this runner and exits 0 whatever happens.
    const { NODE_TEST_CONTEXT: _, ...env } = process.env;
    const r = spawnSync(process.execPath, ["--import", "tsx", "--test", fileURLToPath(import.meta.url)], {
      env: { ...env, LINAX_CPU_THREADS: "1" },
      encoding: "utf8",
    });
    assert.equal(r.status, 0, r.stdout + r.stderr);
  });
}
