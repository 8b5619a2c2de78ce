// associativeScan over linax's linear-recurrence operator on WebGPU (compile/linear-scan.ts and
// core's associative-linear.ts): the forward scan runs as the linearRecurrence scan routine (and
// cumprod when A is read), reverse mode as reverse recurrences — no composition of slices/pads.
//
// Tolerance: the WebGPU recurrence rounds each f32 affine composition along its scan tree of
// depth d ≤ 4 + 8 + ⌈n/32⌉ + 1 (cumulative.test.ts derives it), so |h_k − h_k*| ≤ 2d·u·H_k (real),
// 2√5·d·u·H_k (complex; we use 5), with H_k = |a_k|·H_{k-1} + |b_k| and h* the exact value; the
// float64 host loop is exact to far below that. The gradient of Σ w⊙h: ḡ_b is the reverse
// recurrence of w (same bound with G_k = |a_{k+1}|·G_{k+1} + |w_k|) and ḡ_a,k = ḡ_b,k·h_{k-1},
// within (bound of ḡ_b)·H_{k-1} + G_k·(bound of h_{k-1}) + u·G_k·H_{k-1}.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, grad, makeJaxpr, type Array, type DType } from "linax-ts";
import { fromValues, mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";
import { rewriteLinearScans } from "../src/compile/linear-scan.ts";

const be = await setupWebGPU();
const U = 2 ** -24;
const depth = (n: number): number => 4 + 8 + Math.ceil(n / 32) + 1;

type Pair = [Array, Array];
const linOp = ([a1, b1]: Pair, [a2, b2]: Pair): Pair => [lax.mul(a2, a1), lax.add(lax.mul(a2, b1), b2)];
const scanH = (a: Array, b: Array, axis: number, reverse: boolean): Array =>
  lax.associativeScan(linOp, [a, b] as Pair, { axis, reverse })[1];

type C = [number, number];
/** Host float64 values of [L·inner] lines along axis 1 of [outer, L, inner]: h and the bound H. */
function host(
  as: number[],
  bs: number[],
  shape: number[],
  reverse: boolean,
  cplx: boolean,
): { h: number[]; H: number[] } {
  const [outer, L, inner] = shape;
  const c = cplx ? 2 : 1;
  const h = new globalThis.Array<number>(as.length).fill(0);
  const H = new globalThis.Array<number>(as.length / c).fill(0);
  for (let o = 0; o < outer; o++)
    for (let j = 0; j < inner; j++) {
      let s: C = [0, 0];
      let m = 0;
      for (let k = 0; k < L; k++) {
        const t = reverse ? L - 1 - k : k;
        const i = (o * L + t) * inner + j;
        const a: C = [as[c * i], cplx ? as[c * i + 1] : 0];
        const b: C = [bs[c * i], cplx ? bs[c * i + 1] : 0];
        s = [a[0] * s[0] - a[1] * s[1] + b[0], a[0] * s[1] + a[1] * s[0] + b[1]];
        m = Math.hypot(a[0], a[1]) * m + Math.hypot(b[0], b[1]);
        h[c * i] = s[0];
        if (cplx) h[c * i + 1] = s[1];
        H[i] = m;
      }
    }
  return { h, H };
}

function values(n: number, rand: () => number, lo: number, hi: number): number[] {
  return globalThis.Array.from({ length: n }, () => Math.fround(lo + (hi - lo) * rand()));
}

function assertWithin(got: number[], want: number[], tol: number[], what: string): void {
  assert.equal(got.length, want.length, what);
  const per = want.length / tol.length;
  for (let i = 0; i < want.length; i++) {
    const t = tol[Math.floor(i / per)];
    assert.ok(Math.abs(got[i] - want[i]) <= t, `${what} [${i}]: want ${want[i]}, got ${got[i]} (tol ${t})`);
  }
}

const steps = (f: (...xs: Array[]) => Array | Array[], ...xs: Array[]): string[] => {
  const exe = compileJaxpr(be, makeJaxpr(f)(...xs).jaxpr);
  assert.ok(exe instanceof CompiledExecutable);
  return exe.program.steps.map((s) => (s.kind === "kernel" ? `fused ${s.kernel.kind}` : s.eqn.prim.name));
};

for (const [dt, shape, reverse] of [
  ["float32", [3, 45, 5], false],
  ["complex64", [2, 70, 4], true],
  ["float32", [2, 1, 3], true],
] as [DType, number[], boolean][]) {
  test(`jit(associativeScan) of the linear-recurrence operator: ${dt} ${JSON.stringify(shape)} axis 1 reverse ${reverse} — one routine, within the scan bound of float64`, async () => {
    const rand = mulberry32(7 + shape[1]);
    const c = dt === "complex64" ? 2 : 1;
    const n = shape.reduce((p, q) => p * q, 1) * c;
    const as = values(n, rand, -1.05 / c, 1.05 / c);
    const bs = values(n, rand, -2, 2);
    const a = fromValues(as, shape, dt);
    const b = fromValues(bs, shape, dt);
    const f = (x: Array, y: Array) => scanH(x, y, 1, reverse);
    const names = steps(f, a, b);
    assert.ok(
      names.includes("linearRecurrence") && !names.includes("associativeScan") && !names.includes("cumprod"),
      names.join(" "),
    );
    const { h, H } = host(as, bs, shape, reverse, c === 2);
    const got = await readValues(jit(f)(toWebGPU(a), toWebGPU(b)));
    assertWithin(
      got,
      h,
      H.map((m) => (c === 2 ? 5 : 2) * depth(shape[1]) * U * m),
      `${dt} ${JSON.stringify(shape)}`,
    );
  });
}

test("the A output, when read, is cumprod(a); a combine that is not the operator stays a composition", async () => {
  const rand = mulberry32(3);
  const shape = [20, 3];
  const as = values(60, rand, 0.5, 1.5);
  const bs = values(60, rand, -1, 1);
  const a = fromValues(as, shape, "float32");
  const b = fromValues(bs, shape, "float32");
  const both = (x: Array, y: Array) => lax.associativeScan(linOp, [x, y] as Pair);
  const names = steps((x, y) => both(x, y), a, b);
  assert.ok(names.includes("cumprod") && names.includes("linearRecurrence"), names.join(" "));
  const [A] = jit(both)(toWebGPU(a), toWebGPU(b));
  const wantA = await readValues(lax.cumprod(a, 0));
  // cumprod: ≤ d·u per real factor times Π|a| (cumulative.test.ts).
  assertWithin(
    await readValues(A),
    wantA,
    wantA.map((v) => depth(20) * 20 * U * Math.abs(v) + 0),
    "A",
  );
  // Swapped roles (a_i·a_j but b_i·a_j + b_i): not the operator, left alone.
  const other = ([a1, b1]: Pair, [a2, _b2]: Pair): Pair => [lax.mul(a2, a1), lax.add(lax.mul(a2, b1), b1)];
  const j = makeJaxpr((x: Array, y: Array) => lax.associativeScan(other, [x, y] as Pair)[1])(a, b).jaxpr;
  assert.equal(rewriteLinearScans(j), j);
  const j2 = makeJaxpr((x: Array) => lax.associativeScan((p: Array, q: Array) => lax.add(p, q), x))(a).jaxpr;
  assert.equal(rewriteLinearScans(j2), j2);
});

test("jit(grad) through the linear-recurrence associativeScan: reverse recurrences on WebGPU, within the bound of float64", async () => {
  const rand = mulberry32(11);
  const shape = [2, 50, 3];
  const as = values(300, rand, -1, 1);
  const bs = values(300, rand, -2, 2);
  const ws = values(300, rand, -1, 1);
  const [a, b, w] = [as, bs, ws].map((v) => fromValues(v, shape, "float32"));
  const loss = (x: Array, y: Array, z: Array) => np.sum(np.multiply(scanH(x, y, 1, false), z));
  const g0 = grad(loss, { argnums: [0, 1] }) as (x: Array, y: Array, z: Array) => Array[];
  const g = jit(g0);
  const names = steps(g0, a, b, w);
  assert.ok(
    !names.includes("associativeScan") && names.filter((s) => s === "linearRecurrence").length >= 2,
    names.join(" "),
  );
  const [ga, gb] = g(toWebGPU(a), toWebGPU(b), toWebGPU(w));
  // Host: h, H forward; ḡ_b reverse recurrence of w with a shifted by one (the transposed form).
  const { h, H } = host(as, bs, shape, false, false);
  const [, L, inner] = shape;
  const gbW = new globalThis.Array<number>(300).fill(0);
  const G = new globalThis.Array<number>(300).fill(0);
  for (let o = 0; o < 2; o++)
    for (let j = 0; j < inner; j++) {
      let s = 0;
      let m = 0;
      for (let t = L - 1; t >= 0; t--) {
        const i = (o * L + t) * inner + j;
        const an = t + 1 < L ? as[i + inner] : 0;
        s = an * s + ws[i];
        m = Math.abs(an) * m + Math.abs(ws[i]);
        gbW[i] = s;
        G[i] = m;
      }
    }
  const d = depth(L);
  const tolB = G.map((m) => 2 * d * U * m);
  assertWithin(await readValues(gb), gbW, tolB, "grad b");
  const hPrev = (i: number) => (Math.floor(i / inner) % L === 0 ? 0 : h[i - inner]);
  const HPrev = (i: number) => (Math.floor(i / inner) % L === 0 ? 0 : H[i - inner]);
  const gaW = gbW.map((v, i) => v * hPrev(i));
  const tolA = G.map((m, i) => tolB[i] * HPrev(i) + m * 2 * d * U * HPrev(i) + U * m * HPrev(i));
  assertWithin(await readValues(ga), gaW, tolA, "grad a");
});

// The parallel routine against the sequential WebGPU path: the same recurrence as a lax.scan
// (a compiled loop of one f32 step per element, compile/scan-loop.ts). The sequential loop's
// error grows with the step count, ≤ 2k·u·H_k (real; complex 2√5·k·u·H_k), so the two differ by
// at most the sum of both bounds; axes 0 and 2 of rank-3 operands, lengths 0, 1, 45 and 130
// (not multiples of the 32-element blocks), real and complex.
for (const [dt, shape, axis] of [
  ["float32", [130, 2, 3], 0],
  ["complex64", [2, 3, 45], 2],
  ["float32", [2, 3, 1], 2],
  ["complex64", [0, 2, 2], 0],
] as [DType, number[], number][]) {
  test(`linearRecurrence (parallel) vs a lax.scan recurrence on WebGPU: ${dt} ${JSON.stringify(shape)} axis ${axis}`, async () => {
    const rand = mulberry32(100 + shape[axis]);
    const c = dt === "complex64" ? 2 : 1;
    const n = shape.reduce((p, q) => p * q, 1) * c;
    const as = values(n, rand, -1.05 / c, 1.05 / c);
    const bs = values(n, rand, -2, 2);
    const [a, b] = [as, bs].map((v) => fromValues(v, shape, dt));
    const par = jit((x: Array, y: Array) => lax.linearRecurrence(x, y, axis));
    const seq = jit((x: Array, y: Array) => {
      const [xm, ym] = [np.moveaxis(x, axis, 0), np.moveaxis(y, axis, 0)];
      const [, hs] = lax.scan(
        (h: Array, [at, bt]: Array[]): [Array, Array] => {
          const nh = lax.add(lax.mul(at, h), bt);
          return [nh, nh];
        },
        np.zeros(xm.shape.slice(1), { dtype: dt }),
        [xm, ym],
      );
      return np.moveaxis(hs, 0, axis);
    });
    const [ga, gb] = [toWebGPU(a), toWebGPU(b)];
    const got = await readValues(par(ga, gb));
    const ref = await readValues(seq(ga, gb));
    // H_k along the axis: the host loop over [outer, L, inner].
    const outer = shape.slice(0, axis).reduce((p, q) => p * q, 1);
    const inner = shape.slice(axis + 1).reduce((p, q) => p * q, 1);
    const { h, H } = host(as, bs, [outer, shape[axis], inner], false, c === 2);
    const k = (i: number) => (Math.floor(i / inner) % shape[axis]) + 1;
    const f = c === 2 ? 5 : 2;
    assertWithin(
      got,
      ref,
      H.map((m, i) => f * (depth(shape[axis]) + k(i)) * U * m),
      "parallel vs sequential",
    );
    assertWithin(
      got,
      h,
      H.map((m) => f * depth(shape[axis]) * U * m),
      "parallel vs float64",
    );
  });
}
