/**
 * The fusion step on known programs: which ops fuse into one kernel, where values are
 * materialised (shared and costly, broadcast after work, routine operands, outputs) and where
 * reductions end kernels. Checked by the printed program, derived by hand from the jaxpr.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, makeJaxpr, ShapedArray, type Array } from "linax-ts";
import { buildProgram, printProgram } from "../src/compile/graph.ts";
import { printKernel } from "../src/compile/ir.ts";
import { planBuffers, sizeClass } from "../src/compile/schedule.ts";

const f32 = (...shape: number[]) => new ShapedArray(shape, "float32");
const program = (f: (...xs: Array[]) => Array | Array[], ...avals: ShapedArray[]) => {
  const cj = makeJaxpr(f)(...avals.map((a) => np.zeros([...a.shape], { dtype: a.dtype })));
  return buildProgram(cj.jaxpr);
};
const print = (p: ReturnType<typeof buildProgram>) => printProgram(p, printKernel);

test("fuse: an elementwise chain over a broadcast operand is one kernel", () => {
  const p = program((x, y) => np.tanh(x.mul(1.7).add(y)).mul(x), f32(4, 3), f32(3));
  assert.equal(
    print(p),
    [
      "inputs (b0 b1) outputs (b2)",
      "elementwise[4,3] in=(b0 b1)",
      "  b2:float32 = mul(tanh(add(mul(b0[3*v0 + v1], 1.7000000476837158:f32), b1[v1])), b0[3*v0 + v1])",
    ].join("\n"),
  );
  assert.equal(p.steps.length, 1);
});

test("fuse: reductions end kernels and take their producer chain as the body; routines get buffers", () => {
  const p = program(
    (x, w) => {
      const s = np.sum(np.exp(x), { axis: 1 });
      return np.matmul(x.mul(2), w).add(s.reshape([4, 1]));
    },
    f32(4, 3),
    f32(3, 5),
  );
  const text = print(p);
  assert.equal(p.steps.filter((s) => s.kind === "kernel" && s.kernel.kind === "reduce").length, 1, text);
  assert.equal(p.steps.filter((s) => s.kind === "routine").length, 1, text);
  assert.match(text, /reduce\.sum\[4 \| 3\] in=\(b0\)\n {2}b2:float32 = exp\(b0\[3\*v0 \+ v1\]\)/, text);
  assert.match(text, /routine dotGeneral \(b3 b1\)/, "the matmul reads the materialised 2·x");
  assert.equal(p.steps.length, 4, text);
});

test("fuse: a costly value used twice is materialised once; a cheap one is recomputed", () => {
  const costly = program((x) => {
    const e = np.exp(np.sin(x));
    return [e.add(1), e.mul(2)];
  }, f32(8));
  assert.equal(costly.steps.length, 3, print(costly));
  const cheap = program((x) => {
    const e = x.neg();
    return [e.add(1), e.mul(2)];
  }, f32(8));
  assert.equal(cheap.steps.length, 2, print(cheap));
});

test("fuse: outputs that are inputs or repeated are copied, so the caller owns each buffer once", () => {
  const p = program((x) => [x, x.mul(3), x.mul(3)], f32(2));
  assert.equal(new Set(p.outputs).size, 3);
  assert.ok(!p.outputs.includes(p.inputs[0]));
  assert.equal(p.buffers.filter((b) => b.role === "output").length, 3);
});

test("buffer plan: intermediates die after their last reader and their slots are reused by size class", () => {
  // ((x@x)@x)@x on 16×16 floats (1 KiB each): b1 dies after step 1, so step 2's output takes its slot.
  const p = program((x) => np.matmul(np.matmul(np.matmul(x, x), x), x), f32(16, 16));
  const plan = planBuffers(p);
  assert.deepEqual(
    p.steps.map((s) => s.kind),
    ["routine", "routine", "routine"],
  );
  assert.deepEqual(plan.freeAfter, [[], [1], [2]]);
  assert.deepEqual(plan.slot, [-1, 0, 1, 0]);
  assert.deepEqual(plan.slotBytes, [1024, 1024]);
  assert.equal(plan.peakBytes, 2048);
  // A costly shared value (256 floats) lives until its second reader: three 1 KiB buffers at the peak.
  const q = program((x) => {
    const e = np.exp(np.sin(x));
    return [e.add(1), e.mul(2)];
  }, f32(256));
  const qp = planBuffers(q);
  assert.equal(qp.peakBytes, 3072);
  assert.deepEqual(qp.freeAfter, [[], [], [1]]);
  assert.equal(sizeClass(1), 16);
  assert.equal(sizeClass(1025), 2048);
});

test("inline: nested jit and associativeScan expand into their ops; cond stays a routine", async () => {
  const { inlineCalls } = await import("../src/compile/inline.ts");
  const { jit, lax } = await import("linax-ts");
  const inner = jit((x: Array) => np.exp(x).add(1));
  const cj = makeJaxpr((x: Array) => {
    const y = inner(x).mul(2);
    const s = lax.associativeScan((a: Array, b: Array) => a.add(b), y);
    return lax.cond(
      s.sum().gt(0),
      (v: Array) => v.neg(),
      (v: Array) => v,
      s,
    );
  })(np.zeros([8]));
  const names = (j: { eqns: readonly { prim: { name: string } }[] }) => j.eqns.map((e) => e.prim.name);
  assert.ok(names(cj.jaxpr).includes("jit") && names(cj.jaxpr).includes("associativeScan"));
  const { jaxpr } = inlineCalls(cj.jaxpr);
  const after = names(jaxpr);
  assert.ok(!after.includes("jit") && !after.includes("associativeScan"), after.join(" "));
  assert.ok(after.includes("exp") && after.includes("cond"), after.join(" "));
  // Same values as the uninlined program, through the interpreter.
  const { evalJaxpr } = await import("../src/core/jaxpr.ts");
  const x = np.linspace(-1, 1, 8);
  const want = evalJaxpr(cj.jaxpr, cj.consts, [x])[0].tolist();
  const { consts } = inlineCalls(cj.jaxpr);
  assert.deepEqual(evalJaxpr(jaxpr, [...consts, ...cj.consts], [x])[0].tolist(), want);
});
