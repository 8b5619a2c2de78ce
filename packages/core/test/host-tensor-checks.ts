/**
 * Host-side helpers shared by the reduce/cumulative/dot/conv/sort/einsum tests: a seeded PRNG,
 * host tensors in float64, central finite differences, vmap-vs-stacking and the dot-product
 * (jvp vs vjp) test.
 */
import assert from "node:assert/strict";
import { np, jvp, vjp, vmap, type Array, type DType } from "linax-ts";
import { assertClose, mulberry32, toFlat } from "@linax-ts/testing";

/** A tiny deterministic PRNG (mulberry32, from @linax-ts/testing) so tests are reproducible. */
export const rng = mulberry32;

/** Values in [-1, 1) rounded to float32 (so host references see exactly what the array holds). */
export function randn(r: () => number, n: number): number[] {
  return globalThis.Array.from({ length: n }, () => Math.fround(2 * r() - 1));
}

/** Small random integers in [-k, k]. */
export function randint(r: () => number, n: number, k = 3): number[] {
  return globalThis.Array.from({ length: n }, () => Math.floor(r() * (2 * k + 1)) - k);
}

/** A flat host list → array of `shape` and `dtype` (complex: interleaved pairs). */
export function arr(flat: readonly number[], shape: readonly number[], dtype: DType = "float32"): Array {
  const size = shape.reduce((a, b) => a * b, 1);
  const data =
    dtype === "complex64"
      ? new Float32Array(flat)
      : dtype === "int32"
        ? new Int32Array(flat)
        : dtype === "uint32"
          ? new Uint32Array(flat)
          : dtype === "bool"
            ? new Uint8Array(flat)
            : new Float32Array(flat);
  assert.equal(flat.length, dtype === "complex64" ? 2 * size : size);
  return np.reshape(np.array(data, { dtype }), shape);
}

export const flat = (x: Array): number[] => toFlat(x);

/** Row-major strides. */
export function strides(shape: readonly number[]): number[] {
  const s = new globalThis.Array<number>(shape.length);
  let acc = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    s[i] = acc;
    acc *= shape[i];
  }
  return s;
}

/** Central finite differences of a host float64 function at `x`. */
export function fdGrad(f: (x: number[]) => number, x: readonly number[], h = 1e-6): number[] {
  return x.map((_, i) => {
    const xp = [...x];
    const xm = [...x];
    xp[i] += h;
    xm[i] -= h;
    return (f(xp) - f(xm)) / (2 * h);
  });
}

/** Host slice `x[..., i, ...]` along `axis` (a concrete array). */
export function takeHost(x: Array, axis: number, i: number): Array {
  const shape = [...x.shape];
  const st = strides(shape);
  const c = x.dtype === "complex64" ? 2 : 1;
  const data = toFlat(x);
  const outShape = shape.filter((_, a) => a !== axis);
  const n = outShape.reduce((a, b) => a * b, 1);
  const out: number[] = [];
  const ost = strides(outShape);
  for (let k = 0; k < n; k++) {
    let rem = k;
    let off = i * st[axis];
    outShape.forEach((_, d) => {
      const idx = Math.floor(rem / ost[d]);
      rem -= idx * ost[d];
      off += idx * st[d < axis ? d : d + 1];
    });
    for (let q = 0; q < c; q++) out.push(data[c * off + q]);
  }
  return arr(out, outShape, x.dtype);
}

/** Stack same-shaped concrete arrays along a new leading axis (host). */
export function stackHost(xs: readonly Array[]): Array {
  return arr(
    xs.flatMap((x) => toFlat(x)),
    [xs.length, ...xs[0].shape],
    xs[0].dtype,
  );
}

/**
 * vmap(f) over the given batch axes (null = unbatched) equals stacking f over the slices. The
 * output batch axis is 0.
 */
export function checkVmap(
  f: (...xs: Array[]) => Array,
  args: readonly Array[],
  inAxes: readonly (number | null)[],
  tol = 1e-5,
): void {
  const b = args[inAxes.findIndex((a) => a !== null)].shape[inAxes.find((a) => a !== null) as number];
  const got = vmap(f, { inAxes: [...inAxes] })(...args);
  const slices: Array[] = [];
  for (let i = 0; i < b; i++)
    slices.push(f(...args.map((a, k) => (inAxes[k] === null ? a : takeHost(a, inAxes[k] as number, i)))));
  assertClose(got, stackHost(slices), { rtol: tol, atol: tol });
}

/** The dot-product test for a linear f: <J v, w> == <v, Jᵀ w>, in float64 on the host. */
export function checkTranspose(
  f: (...xs: Array[]) => Array,
  primals: readonly Array[],
  r: () => number,
  rtol = 1e-4,
): void {
  const vs = primals.map((p) => arr(randn(r, p.size * (p.dtype === "complex64" ? 2 : 1)), p.shape, p.dtype));
  const [y, jv] = jvp(f, [...primals], vs) as [Array, Array];
  const w = arr(randn(r, y.size * (y.dtype === "complex64" ? 2 : 1)), y.shape, y.dtype);
  const [, pb] = vjp(f, ...primals);
  const jtw = pb(w) as Array[];
  // JAX's transpose is the plain (unconjugated) transpose, so complex values pair bilinearly:
  // Σ a·b as complex numbers; compare real and imaginary parts.
  const cplx = y.dtype === "complex64";
  const pair = (a: readonly number[], b: readonly number[]): [number, number] => {
    if (!cplx) return [a.reduce((s, v, i) => s + v * b[i], 0), 0];
    let re = 0;
    let im = 0;
    for (let i = 0; i < a.length; i += 2) {
      re += a[i] * b[i] - a[i + 1] * b[i + 1];
      im += a[i] * b[i + 1] + a[i + 1] * b[i];
    }
    return [re, im];
  };
  const l = pair(toFlat(jv), toFlat(w));
  const rs = vs.map((v, i) => pair(toFlat(v), toFlat(jtw[i])));
  const r2: [number, number] = [rs.reduce((s, v) => s + v[0], 0), rs.reduce((s, v) => s + v[1], 0)];
  for (const k of [0, 1]) {
    const [lhs, rhs] = [l[k], r2[k]];
    assert.ok(
      Math.abs(lhs - rhs) <= rtol * (Math.abs(lhs) + Math.abs(rhs) + 1e-3),
      `dot-product test (${k === 0 ? "re" : "im"}): <Jv, w> = ${lhs} but <v, J^T w> = ${rhs}`,
    );
  }
}
