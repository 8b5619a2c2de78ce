/**
 * Shared helpers of the elementwise test files: host float64 finite differences, a tiny host
 * complex arithmetic (independent of the kernels' formulas), and grad/vmap/jit checks of lax ops.
 */
import assert from "node:assert/strict";
import { np, lax, grad, jvp, type Array } from "linax-ts";
import { assertClose, checkJit, checkVmap } from "@linax-ts/testing";

export const f32 = Math.fround;

/** Central finite difference of a host float64 function. */
export function fd(f: (x: number) => number, x: number, h = 1e-6): number {
  return (f(x + h) - f(x - h)) / (2 * h);
}

/**
 * `grad(Σ op(x))` at float32 points equals the host float64 central difference of `host` at the
 * same (float32-rounded) points.
 */
export function checkGradVsHost(
  op: (x: Array) => Array,
  host: (x: number) => number,
  points: readonly number[],
  rtol = 2e-5,
  atol = 1e-6,
): void {
  const x = np.array(points.map(f32));
  const g = grad((v: Array) => lax.reduceSum(op(v), [0]))(x) as Array;
  assertClose(
    g,
    points.map((p) => fd(host, f32(p))),
    { rtol, atol, dtype: "float32", shape: [points.length] },
  );
}

/** Same for a binary op: gradients with respect to both arguments. */
export function checkGrad2VsHost(
  op: (x: Array, y: Array) => Array,
  host: (x: number, y: number) => number,
  xs: readonly number[],
  ys: readonly number[],
  rtol = 2e-5,
  atol = 1e-6,
): void {
  const x = np.array(xs.map(f32));
  const y = np.array(ys.map(f32));
  const loss = (a: Array, b: Array) => lax.reduceSum(op(a, b), [0]);
  const [gx, gy] = grad(loss, { argnums: [0, 1] })(x, y) as Array[];
  assertClose(
    gx,
    xs.map((a, i) => fd((t) => host(t, f32(ys[i])), f32(a))),
    { rtol, atol },
  );
  assertClose(
    gy,
    ys.map((b, i) => fd((t) => host(f32(xs[i]), t), f32(b))),
    { rtol, atol },
  );
}

/** vmap(op) over a [2, ...] stack (the args, then the args with elements reversed) equals stacking, and jit(op) equals op. */
export function checkVmapJit(op: (...xs: Array[]) => Array, args: readonly Array[]): void {
  const stacked = (a: Array): Array => {
    const v = [...elements(a), ...reversedElements(a)];
    // Complex data goes through a Float32Array (interleaved pairs); nested lists are real numbers.
    const arr =
      a.dtype === "complex64" ? np.array(new Float32Array(v), { dtype: "complex64" }) : np.array(v, { dtype: a.dtype });
    return np.reshape(arr, [2, ...a.shape]);
  };
  checkVmap(op, args.map(stacked));
  checkJit(op, args);
}
function elements(a: Array): number[] {
  return globalThis.Array.from(a.dataSync() as ArrayLike<number>);
}
/** Elements in reverse order (complex (re, im) pairs kept together). */
function reversedElements(a: Array): number[] {
  const d = elements(a);
  if (a.dtype !== "complex64") return d.reverse();
  const out: number[] = [];
  for (let i = d.length - 2; i >= 0; i -= 2) out.push(d[i], d[i + 1]);
  return out;
}

// ------------------------------------------------------------------ host complex numbers

export type Cx = [number, number];
export const C = {
  add: ([a, b]: Cx, [c, d]: Cx): Cx => [a + c, b + d],
  sub: ([a, b]: Cx, [c, d]: Cx): Cx => [a - c, b - d],
  mul: ([a, b]: Cx, [c, d]: Cx): Cx => [a * c - b * d, a * d + b * c],
  div: ([a, b]: Cx, [c, d]: Cx): Cx => {
    const n = c * c + d * d;
    return [(a * c + b * d) / n, (b * c - a * d) / n];
  },
  scale: ([a, b]: Cx, s: number): Cx => [a * s, b * s],
  exp: ([a, b]: Cx): Cx => [Math.exp(a) * Math.cos(b), Math.exp(a) * Math.sin(b)],
  log: ([a, b]: Cx): Cx => [Math.log(Math.hypot(a, b)), Math.atan2(b, a)],
  sqrt: (z: Cx): Cx => C.exp(C.scale(C.log(z), 0.5)),
};
const I: Cx = [0, 1];
const ONE: Cx = [1, 0];
/** Textbook formulas for complex elementary functions (valid away from branch cuts). */
export const hostComplex: Record<string, (z: Cx) => Cx> = {
  exp: C.exp,
  log: C.log,
  sqrt: C.sqrt,
  rsqrt: (z) => C.div(ONE, C.sqrt(z)),
  exp2: (z) => C.exp(C.scale(z, Math.LN2)),
  expm1: (z) => C.sub(C.exp(z), ONE),
  log1p: (z) => C.log(C.add(ONE, z)),
  sin: (z) => C.div(C.sub(C.exp(C.mul(I, z)), C.exp(C.mul([0, -1], z))), [0, 2]),
  cos: (z) => C.scale(C.add(C.exp(C.mul(I, z)), C.exp(C.mul([0, -1], z))), 0.5),
  tan: (z) => C.div(hostComplex.sin(z), hostComplex.cos(z)),
  sinh: (z) => C.scale(C.sub(C.exp(z), C.exp(C.scale(z, -1))), 0.5),
  cosh: (z) => C.scale(C.add(C.exp(z), C.exp(C.scale(z, -1))), 0.5),
  tanh: (z) => C.div(hostComplex.sinh(z), hostComplex.cosh(z)),
  asin: (z) => C.mul([0, -1], C.log(C.add(C.mul(I, z), C.sqrt(C.sub(ONE, C.mul(z, z)))))),
  acos: (z) => C.sub([Math.PI / 2, 0], hostComplex.asin(z)),
  atan: (z) => C.mul([0, 0.5], C.sub(C.log(C.sub(ONE, C.mul(I, z))), C.log(C.add(ONE, C.mul(I, z))))),
  asinh: (z) => C.log(C.add(z, C.sqrt(C.add(C.mul(z, z), ONE)))),
  acosh: (z) => C.log(C.add(z, C.mul(C.sqrt(C.add(z, ONE)), C.sqrt(C.sub(z, ONE))))),
  atanh: (z) => C.scale(C.sub(C.log(C.add(ONE, z)), C.log(C.sub(ONE, z))), 0.5),
  logistic: (z) => C.div(ONE, C.add(ONE, C.exp(C.scale(z, -1)))),
};

/** A complex64 array from host pairs. */
export function complexArray(zs: readonly Cx[]): Array {
  return lax.complex(np.array(zs.map((z) => z[0])), np.array(zs.map((z) => z[1])));
}

/**
 * The JVP of a holomorphic lax op along 1 and along i equals the host central differences of its
 * textbook formula along the real and the imaginary direction.
 */
export function checkComplexJvp(
  op: (x: Array) => Array,
  host: (z: Cx) => Cx,
  zs: readonly Cx[],
  rtol = 1e-4,
  atol = 1e-5,
): void {
  const z32 = zs.map(([a, b]): Cx => [f32(a), f32(b)]);
  const h = 1e-6;
  for (const [dir, name] of [
    [[1, 0] as Cx, "real"],
    [[0, 1] as Cx, "imaginary"],
  ] as const) {
    const [, t] = jvp(op, [complexArray(z32)], [complexArray(z32.map(() => dir))]) as [Array, Array];
    const want = z32.flatMap((z) =>
      C.scale(C.sub(host(C.add(z, C.scale(dir, h))), host(C.sub(z, C.scale(dir, h)))), 1 / (2 * h)),
    );
    try {
      assertClose(t, want, { rtol, atol });
    } catch (e) {
      assert.fail(`complex jvp along the ${name} direction: ${(e as Error).message}`);
    }
  }
}
