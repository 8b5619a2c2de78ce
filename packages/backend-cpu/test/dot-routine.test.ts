/**
 * dotGeneral on the WebAssembly GEMM (compile/dot-routine.ts) against the reference kernel, for
 * float32 and complex64, every operand layout the routine takes (plain, transposed, contracting
 * over leading dims, batched, several contracting dims) and a layout it declines. The GEMM sums
 * in float32, the reference in float64: each element must agree within the rounding bound of a
 * k-term float32 dot product, γ·Σ_p |a_p|·|b_p| with γ = (k + 2)·2⁻²⁴ (for complex, 2k terms and
 * |z| bounded by |re| + |im|).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, lax, np, random, ShapedArray, type DType, type TypedArray } from "linax-ts";
import { cpu, getKernel } from "@linax-ts/backend-cpu";
import type { CpuBuffer } from "../src/backend.ts";
import { dotGeneralWasm } from "../src/compile/dot-routine.ts";

type Dims = lax.DotGeneralParams;

function operand(shape: number[], dtype: DType, seed: number) {
  const re = random.normal(random.PRNGKey(seed), shape);
  const x = dtype === "complex64" ? lax.complex(re, random.normal(random.PRNGKey(seed + 100), shape)) : re;
  return x;
}

function abs(v: TypedArray, complex: boolean): Float64Array {
  const n = complex ? v.length / 2 : v.length;
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = complex ? Math.abs(v[2 * i]) + Math.abs(v[2 * i + 1]) : Math.abs(v[i]);
  return out;
}

function check(what: string, xs: number[], ys: number[], params: Dims, dtype: DType, expectFast = true): void {
  const x = operand(xs, dtype, 1);
  const y = operand(ys, dtype, 2);
  const want = lax.dotGeneral(x, y, { contractingDims: params.contractingDims, batchDims: params.batchDims }); // for the result's shape
  const outAval = new ShapedArray(want.shape, dtype);
  const complex = dtype === "complex64";
  const xb = cpu.fromHost(x.dataSync(), x.aval) as CpuBuffer;
  const yb = cpu.fromHost(y.dataSync(), y.aval) as CpuBuffer;
  const fast = dotGeneralWasm(cpu, [xb, yb], [x.aval, y.aval], outAval, params);
  if (!expectFast) {
    assert.equal(fast, undefined, `${what}: declined`);
    return;
  }
  assert.notEqual(fast, undefined, `${what}: the GEMM took this layout`);
  const got = cpu.readSync(fast!);
  const ref = getKernel("dotGeneral")!(
    [x.dataSync(), y.dataSync()],
    [x.aval, y.aval],
    [outAval],
    params as unknown as Record<string, unknown>,
  )[0];
  // The bound: the same contraction over |x| and |y| (in float64 through the reference kernel).
  const ax = abs(x.dataSync(), complex);
  const ay = abs(y.dataSync(), complex);
  const f32 = (d: Float64Array) => Float32Array.from(d);
  const bound = getKernel("dotGeneral")!(
    [f32(ax), f32(ay)],
    [new ShapedArray(xs, "float32"), new ShapedArray(ys, "float32")],
    [new ShapedArray(want.shape, "float32")],
    params as unknown as Record<string, unknown>,
  )[0];
  const k = params.contractingDims[0].reduce((p, d) => p * xs[d], 1) * (complex ? 2 : 1);
  const gamma = (k + 2) * 2 ** -24;
  for (let i = 0; i < got.length; i++) {
    const tol = gamma * bound[complex ? i >> 1 : i] * (complex ? 2 : 1) + 1e-30;
    if (!(Math.abs(got[i] - ref[i]) <= tol))
      assert.fail(`${what}: element ${i}: GEMM ${got[i]}, reference ${ref[i]}, bound ${tol}`);
  }
  for (const b of [xb, yb, fast!]) cpu.dispose(b);
}

const P = (lc: number[], rc: number[], lb: number[] = [], rb: number[] = []): Dims =>
  ({ contractingDims: [lc, rc], batchDims: [lb, rb] }) as unknown as Dims;

for (const dtype of ["float32", "complex64"] as DType[]) {
  test(`dotGeneral on the GEMM == reference within the f32 bound: ${dtype}`, () => {
    check("matmul", [13, 17], [17, 9], P([1], [0]), dtype);
    check("A·Bᵀ", [13, 17], [9, 17], P([1], [1]), dtype);
    check("Aᵀ·B", [17, 13], [17, 9], P([0], [0]), dtype);
    check("Aᵀ·Bᵀ", [17, 13], [9, 17], P([0], [1]), dtype);
    check("[B,L,H]·[H,O]", [4, 7, 33], [33, 5], P([2], [0]), dtype);
    check("weight gradient: contract batch and time", [4, 7, 33], [4, 7, 5], P([0, 1], [0, 1]), dtype);
    check("batched", [3, 6, 8], [3, 8, 5], P([2], [1], [0], [0]), dtype);
    check("batched, transposed rhs", [3, 6, 8], [3, 5, 8], P([2], [2], [0], [0]), dtype);
    check("matrix·vector", [64, 64], [64], P([1], [0]), dtype);
    check("k = 0", [5, 0], [0, 4], P([1], [0]), dtype);
    check("contracting dims out of order: declined", [4, 6, 5], [5, 6, 3], P([2, 1], [0, 1]), dtype, false);
  });
}

test("eager and jitted matmuls use the GEMM and agree with each other exactly", () => {
  const a = random.normal(random.PRNGKey(3), [65, 70]);
  const b = random.normal(random.PRNGKey(4), [70, 31]);
  const eager = np.matmul(a, b).dataSync();
  const jitted = jit((u: typeof a, v: typeof b) => np.matmul(u, v))(a, b).dataSync();
  assert.deepEqual(Array.from(jitted), Array.from(eager));
});
