/**
 * Rule-coverage audit: every primitive of `listPrimitives()` has the rules the transforms need —
 * abstract eval, a batching rule, a JVP (`jvp` or `jvpWithZeros`), a transpose rule when it is
 * linear in some operand — and something to run it on the CPU (a kernel or a composite `impl`).
 * The primitives that legitimately lack a rule are listed below with the reason; a new
 * primitive without a rule fails here until it gets one or a documented entry.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { listPrimitives, lax, np, jvp, vmap, NotImplementedError, type Array } from "linax-ts";
import { kernelNames } from "@linax-ts/backend-cpu";

/** Primitives without a JVP rule, and why (differentiating them raises NotImplementedError). */
const NO_JVP: Readonly<Record<string, string>> = {
  nextafter: "not differentiable; JAX defines no JVP for nextafter either (differentiating it raises)",
  iota: "no operands: its output is a constant, so no tangent can flow into it",
  axisIndex: "no operands and an integer output (the position along a named axis)",
  customLin:
    "the linear residue of a custom_vjp function under reverse mode: it only exists inside linearized jaxprs and is transposed, never differentiated (JAX's custom_lin has no JVP either)",
};

/** Primitives without a batching rule, and why. */
const NO_BATCH: Readonly<Record<string, string>> = {
  iota: "no operands, so it can never see a batched input (inside vmap it is evaluated unbatched, like a constant)",
};

/**
 * Primitives linear in at least one operand (for fixed values of the others), which reverse mode
 * must be able to transpose — with the operands they are linear in.
 */
const LINEAR: Readonly<Record<string, string>> = {
  neg: "x",
  add: "x and y",
  sub: "x and y",
  mul: "x, or y (bilinear)",
  div: "the numerator",
  real: "x (over the reals)",
  imag: "x (over the reals)",
  conj: "x (over the reals)",
  complex: "re and im",
  convertElementType: "x, between float32 and complex64",
  selectN: "the cases",
  reduceSum: "x",
  broadcastInDim: "x",
  reshape: "x",
  transpose: "x",
  slice: "x",
  pad: "x and the padding value",
  concatenate: "every operand",
  rev: "x",
  gather: "the operand",
  dynamicSlice: "the operand",
  dynamicUpdateSlice: "operand and update",
  scatterAdd: "operand and updates",
  scatter: "operand and updates (transpose needs uniqueIndices, as in JAX)",
  scatterMul: "the operand",
  cumsum: "x",
  linearRecurrence: "b (the drive), for fixed coefficients a",
  dotGeneral: "lhs, or rhs (bilinear)",
  convGeneralDilated: "lhs, or rhs (bilinear)",
  sort: "the non-key operands, for fixed keys",
  triangularSolve: "b",
  fft: "x (over the reals)",
  psum: "x",
  jit: "whatever its body is linear in",
  scan: "whatever its body is linear in",
  cond: "whatever its branches are linear in",
  while: "its carry, in principle: the rule exists to raise JAX's reverse-mode error for while loops",
  associativeScan: "whatever its combine is linear in",
  remat: "whatever its body is linear in",
  customLin: "its linear inputs: it is the transposable part of a custom_vjp",
};

const prims = listPrimitives();
const names = new Set(prims.map((p) => p.name));

test("every primitive has abstractEval, a batching rule and a JVP (allow-listed exceptions documented)", () => {
  const missing: string[] = [];
  for (const p of prims) {
    const r = p.rules;
    if (typeof r.abstractEval !== "function") missing.push(`${p.name}: abstractEval`);
    if (r.batch === undefined && !(p.name in NO_BATCH)) missing.push(`${p.name}: batch`);
    if (r.jvp === undefined && r.jvpWithZeros === undefined && !(p.name in NO_JVP)) missing.push(`${p.name}: jvp`);
  }
  assert.deepEqual(
    missing,
    [],
    `primitives missing rules (add the rule, or an allow-list entry saying why): ${missing.join("; ")}`,
  );
});

test("linear primitives have transpose rules, and every transpose rule belongs to a declared linear primitive", () => {
  const noTranspose = Object.keys(LINEAR).filter(
    (n) => names.has(n) && prims.find((p) => p.name === n)?.rules.transpose === undefined,
  );
  assert.deepEqual(noTranspose, [], `linear primitives without a transpose rule: ${noTranspose.join(", ")}`);
  const undeclared = prims.filter((p) => p.rules.transpose !== undefined && !(p.name in LINEAR)).map((p) => p.name);
  assert.deepEqual(
    undeclared,
    [],
    `primitives with a transpose rule that LINEAR does not list (say what they are linear in): ${undeclared.join(", ")}`,
  );
});

test("every primitive runs on the CPU: a kernel or a composite impl", () => {
  const kernels = new Set(kernelNames());
  const none = prims.filter((p) => !kernels.has(p.name) && p.rules.impl === undefined).map((p) => p.name);
  assert.deepEqual(none, [], `primitives with neither a CPU kernel nor an impl: ${none.join(", ")}`);
});

test("the allow-lists name existing primitives (no stale entries)", () => {
  for (const list of [NO_JVP, NO_BATCH, LINEAR]) {
    const stale = Object.keys(list).filter((n) => !names.has(n));
    assert.deepEqual(stale, [], `allow-list entries for primitives that do not exist: ${stale.join(", ")}`);
  }
  const haveJvp = Object.keys(NO_JVP).filter((n) => {
    const r = prims.find((p) => p.name === n)?.rules;
    return r?.jvp !== undefined || r?.jvpWithZeros !== undefined;
  });
  assert.deepEqual(haveJvp, [], `NO_JVP lists primitives that do have a JVP now: ${haveJvp.join(", ")}`);
});

test("a missing rule is a NotImplementedError naming the primitive and the transform, not a wrong answer", () => {
  const x = np.array([1, 2, 3]);
  assert.throws(
    () => jvp((a: Array) => lax.nextafter(a, np.array([0, 0, 0])), [x], [x]),
    (e: unknown) => e instanceof NotImplementedError && /jvp/.test(e.message) && /nextafter/.test(e.message),
  );
  // Every primitive that lacks a batch rule can still be used under vmap when it sees no batched
  // input (iota is evaluated at the outer level).
  const out = vmap((a: Array) => lax.add(a, lax.iota("float32", 3)))(
    np.array([
      [1, 1, 1],
      [2, 2, 2],
    ]),
  );
  assert.deepEqual(out.shape, [2, 3]);
});
