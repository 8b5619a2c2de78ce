/**
 * Routine epilogues (compile/routine-epilogue.ts) on known programs: which elementwise kernels a
 * backend that opts in gets moved into the routine step that produces their operand, which it
 * must not (a second use of the routine's output, a read at another element, a reduction), in
 * place or not, where the fused step goes, the buffer plan, and the row form a GEMM applies.
 * Expected printouts derived by hand from the jaxprs (x: [4,3] = b0, w: [3,5] = b1, ...).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, makeJaxpr, type Array } from "linax-ts";
import { buildProgram, printProgram, type Program, type RoutineStep } from "../src/compile/graph.ts";
import { printKernel } from "../src/compile/ir.ts";
import { planBuffers } from "../src/compile/schedule.ts";
import { epilogueRows } from "../src/compile/routine-epilogue.ts";

const jaxprOf = (f: (...xs: Array[]) => Array | Array[], ...shapes: number[][]) =>
  makeJaxpr(f)(...shapes.map((s) => np.zeros(s))).jaxpr;
const fused = (f: (...xs: Array[]) => Array | Array[], ...shapes: number[][]) =>
  buildProgram(jaxprOf(f, ...shapes), { routineEpilogue: () => true });
const print = (p: Program) => printProgram(p, printKernel);
const epilogues = (p: Program) =>
  p.steps.filter((s): s is RoutineStep => s.kind === "routine" && s.epilogue !== undefined);
const dense = (x: Array, w: Array, b: Array) => np.tanh(np.matmul(x, w).add(b));

test("epilogue: x@W + b then tanh is one routine step with the bias and tanh applied in place", () => {
  const p = fused(dense, [4, 3], [3, 5], [5]);
  assert.equal(
    print(p),
    [
      "inputs (b0 b1 b2) outputs (b4)",
      "routine dotGeneral (b0 b1) -> (b4)",
      "  epilogue on b4 (in place):",
      "    elementwise[4,5] in=(b4 b2)",
      "      b4:float32 = tanh(add(b4[5*v0 + v1], b2[v1]))",
    ].join("\n"),
  );
  // The matmul's own buffer (b3) is never written: one 80-byte result (size class 128) is all.
  assert.equal(planBuffers(p).peakBytes, 128);
});

test("epilogue: nothing changes without the backend's opt-in", () => {
  const p = buildProgram(jaxprOf(dense, [4, 3], [3, 5], [5]));
  assert.equal(
    print(p),
    [
      "inputs (b0 b1 b2) outputs (b4)",
      "routine dotGeneral (b0 b1) -> (b3)",
      "elementwise[4,5] in=(b3 b2)",
      "  b4:float32 = tanh(add(b3[5*v0 + v1], b2[v1]))",
    ].join("\n"),
  );
  assert.equal(planBuffers(p).peakBytes, 256);
});

test("epilogue: the backend's predicate is asked, and a no keeps the kernel separate", () => {
  const asked: string[] = [];
  const p = buildProgram(jaxprOf(dense, [4, 3], [3, 5], [5]), {
    routineEpilogue: (eqn, k, avalOf) => {
      asked.push(`${eqn.prim.name} ${k.shape.join(",")} ${avalOf(k.inputs[0]).shape.join(",")}`);
      return false;
    },
  });
  assert.deepEqual(asked, ["dotGeneral 4,5 4,5"]);
  assert.equal(epilogues(p).length, 0);
  assert.equal(p.steps.length, 2);
});

test("epilogue: a matmul output with a second use does not fuse (no work is duplicated)", () => {
  const asOutput = fused(
    (x, w, b) => {
      const y = np.matmul(x, w);
      return [np.tanh(y.add(b)), y];
    },
    [4, 3],
    [3, 5],
    [5],
  );
  assert.equal(epilogues(asOutput).length, 0, print(asOutput));
  const twoReaders = fused(
    (x, w, b) => {
      const y = np.matmul(x, w);
      return [np.tanh(y.add(b)), np.sum(y)];
    },
    [4, 3],
    [3, 5],
    [5],
  );
  assert.equal(epilogues(twoReaders).length, 0, print(twoReaders));
  assert.equal(twoReaders.steps.length, 3, print(twoReaders));
  // tanh(y)·y: two loads of y, both at the element written, one reading step: it fuses.
  const twice = fused(
    (x, w) => {
      const y = np.matmul(x, w);
      return np.tanh(y).mul(y);
    },
    [4, 3],
    [3, 5],
  );
  assert.equal(
    print(twice),
    [
      "inputs (b0 b1) outputs (b3)",
      "routine dotGeneral (b0 b1) -> (b3)",
      "  epilogue on b3 (in place):",
      "    elementwise[4,5] in=(b3)",
      "      b3:float32 = mul(tanh(b3[5*v0 + v1]), b3[5*v0 + v1])",
    ].join("\n"),
  );
  assert.equal(twice.steps.length, 1, print(twice));
});

test("epilogue: one kernel reading two products becomes the epilogue of one of them only", () => {
  const p = fused((x, w, v) => np.matmul(x, w).mul(np.matmul(x, v)), [4, 3], [3, 5], [3, 5]);
  const text = print(p);
  assert.equal(p.steps.length, 2, text);
  assert.equal(epilogues(p).length, 1, text);
  // The first product (b3) moves down to the kernel; the second (b4) runs before it.
  assert.equal(
    text,
    [
      "inputs (b0 b1 b2) outputs (b5)",
      "routine dotGeneral (b0 b2) -> (b4)",
      "routine dotGeneral (b0 b1) -> (b5)",
      "  epilogue on b5 (in place):",
      "    elementwise[4,5] in=(b5 b4)",
      "      b5:float32 = mul(b5[5*v0 + v1], b4[5*v0 + v1])",
    ].join("\n"),
  );
});

test("epilogue: a read at another element (a transpose) or a reduction does not fuse", () => {
  const t = fused((x, w, b) => np.tanh(np.matmul(x, w).T.add(b)), [4, 3], [3, 5], [4]);
  assert.equal(epilogues(t).length, 0, print(t));
  assert.match(print(t), /b4:float32 = tanh\(add\(b3\[v0 \+ 5\*v1\], b2\[v1\]\)\)/);
  const r = fused((x, w) => np.sum(np.tanh(np.matmul(x, w)), { axis: 1 }), [4, 3], [3, 5]);
  assert.equal(epilogues(r).length, 0, print(r));
});

test("epilogue: an output of another dtype is not in place — the routine writes its own buffer", () => {
  const p = fused((x, w, b) => np.matmul(x, w).add(b).gt(0), [4, 3], [3, 5], [5]);
  assert.equal(
    print(p),
    [
      "inputs (b0 b1 b2) outputs (b4)",
      "routine dotGeneral (b0 b1) -> (b3)",
      "  epilogue on b3:",
      "    elementwise[4,5] in=(b3 b2)",
      "      b4:bool = gt(add(b3[5*v0 + v1], b2[v1]), 0:f32)",
    ].join("\n"),
  );
  // b3 (80 bytes → 128) and b4 (20 bytes → 32) live together within the step.
  assert.equal(planBuffers(p).peakBytes, 160);
});

test("epilogue: the fused step runs where the kernel ran when its other operand is computed after the routine", () => {
  const p = fused(
    (x, w, v) => {
      const y = np.matmul(x, w);
      const s = np.sum(np.exp(v), { axis: 0 });
      return np.tanh(y.add(s));
    },
    [4, 3],
    [3, 5],
    [2, 5],
  );
  const text = print(p);
  assert.equal(p.steps.length, 2, text);
  assert.equal(p.steps[0].kind, "kernel", `the reduction first:\n${text}`);
  assert.equal(epilogues(p).length, 1, text);
  assert.equal(p.steps[1], epilogues(p)[0]);
  assert.match(text, /b\d:float32 = tanh\(add\(b(\d)\[5\*v0 \+ v1\], b\d\[v1\]\)\)/);
});

test("epilogue rows: a batched product with a per-batch bias splits into rows with address shifts", () => {
  const p = fused(
    (x, w, b) => np.tanh(lax.dotGeneral(x, w, { contractingDims: [[2], [1]], batchDims: [[0], [0]] }).add(b)),
    [2, 4, 3],
    [2, 3, 5],
    [2, 1, 5],
  );
  const [s] = epilogues(p);
  assert.equal(
    printKernel(s.epilogue!.kernel).split("\n")[1],
    "  b4:float32 = tanh(add(b4[20*v0 + 5*v1 + v2], b2[5*v0 + v2]))",
  );
  const rows = epilogueRows(s.epilogue!.kernel, 2, 4, 5, (t) => (t === "bool" ? 1 : 4));
  assert.notEqual(rows, null);
  assert.equal(
    printKernel(rows!.kernel),
    ["elementwise[5] in=(b4 b2)", "  b4:float32 = tanh(add(b4[v0], b2[v0]))"].join("\n"),
  );
  // All rows of one product: the rows move in the index (the bias does not), the product in the addresses.
  assert.equal(
    printKernel(rows!.rowsKernel),
    ["elementwise[4,5] in=(b4 b2)", "  b4:float32 = tanh(add(b4[5*v0 + v1], b2[v1]))"].join("\n"),
  );
  // Output: 4·5 floats per product, 5 per row; the bias: 5 floats per product, the same for every row.
  assert.deepEqual(
    [...rows!.rowBytes],
    [
      [4, [80, 20]],
      [2, [20, 0]],
    ],
  );
  // The same kernel seen as [8, 5] rows of one product, or with extents that do not factor.
  assert.equal(
    epilogueRows(s.epilogue!.kernel, 1, 8, 5, () => 4),
    null,
    "the bias shifts per product, not per row of 8",
  );
  assert.equal(
    epilogueRows(s.epilogue!.kernel, 2, 5, 4, () => 4),
    null,
  );
});
