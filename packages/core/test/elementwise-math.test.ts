// lax transcendental ops, abs/sign, rounding, pow, atan2, nextafter: values against host Math
// (float64, rounded to float32), special values, complex values and branch cuts, grads against
// host finite differences, complex JVPs along the real and imaginary directions, vmap and jit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jvp, DTypeError, NotImplementedError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray } from "@linax-ts/testing";
import {
  C,
  checkComplexJvp,
  checkGrad2VsHost,
  checkGradVsHost,
  checkVmapJit,
  complexArray,
  f32,
  hostComplex,
  type Cx,
} from "./elementwise-host-checks.ts";

type Unary = (x: Array) => Array;
interface RealCase {
  op: Unary;
  host: (x: number) => number;
  /** Points inside the domain, away from singularities (values and grads are checked there). */
  points: number[];
  /** [input, expected] special values (exact comparison, NaN matches NaN, -0 distinguished). */
  specials?: [number, number][];
  /** No derivative rule is expected to match finite differences (piecewise-constant ops). */
  noGrad?: boolean;
}

const REAL: Record<string, RealCase> = {
  exp: {
    op: lax.exp,
    host: Math.exp,
    points: [-3.5, 0, 0.5, 10],
    specials: [
      [-Infinity, 0],
      [Infinity, Infinity],
      [NaN, NaN],
      [100, Infinity],
    ],
  },
  log: {
    op: lax.log,
    host: Math.log,
    points: [0.01, 1.5, 1e6],
    specials: [
      [0, -Infinity],
      [-1, NaN],
      [Infinity, Infinity],
    ],
  },
  exp2: {
    op: lax.exp2,
    host: (x) => 2 ** x,
    points: [-3.5, 0, 0.5, 10],
    specials: [
      [-Infinity, 0],
      [Infinity, Infinity],
      [NaN, NaN],
      [3, 8],
    ],
  },
  log1p: {
    op: lax.log1p,
    host: Math.log1p,
    points: [-0.5, 1e-7, 3],
    specials: [
      [-1, -Infinity],
      [-2, NaN],
      [-0, -0],
    ],
  },
  expm1: {
    op: lax.expm1,
    host: Math.expm1,
    points: [-2, 1e-7, 0.5, 5],
    specials: [
      [-Infinity, -1],
      [-0, -0],
      [Infinity, Infinity],
    ],
  },
  sin: {
    op: lax.sin,
    host: Math.sin,
    points: [-2, 0.3, 10],
    specials: [
      [-0, -0],
      [Infinity, NaN],
    ],
  },
  cos: { op: lax.cos, host: Math.cos, points: [-2, 0.3, 10] },
  tan: { op: lax.tan, host: Math.tan, points: [-1.2, 0.3, 1], specials: [[-0, -0]] },
  asin: {
    op: lax.asin,
    host: Math.asin,
    points: [-0.9, 0.2, 0.6],
    specials: [
      [1, Math.PI / 2],
      [1.5, NaN],
    ],
  },
  acos: {
    op: lax.acos,
    host: Math.acos,
    points: [-0.9, 0.2, 0.6],
    specials: [
      [1, 0],
      [-1.5, NaN],
    ],
  },
  atan: {
    op: lax.atan,
    host: Math.atan,
    points: [-100, 0.2, 3],
    specials: [
      [Infinity, Math.PI / 2],
      [-0, -0],
    ],
  },
  sinh: {
    op: lax.sinh,
    host: Math.sinh,
    points: [-3, 0.1, 2],
    specials: [
      [100, Infinity],
      [-100, -Infinity],
    ],
  },
  cosh: {
    op: lax.cosh,
    host: Math.cosh,
    points: [-3, 0.1, 2],
    specials: [
      [100, Infinity],
      [0, 1],
    ],
  },
  tanh: {
    op: lax.tanh,
    host: Math.tanh,
    points: [-3, 0.1, 2],
    specials: [
      [Infinity, 1],
      [-Infinity, -1],
      [-0, -0],
    ],
  },
  asinh: { op: lax.asinh, host: Math.asinh, points: [-5, 0.1, 3], specials: [[-Infinity, -Infinity]] },
  acosh: {
    op: lax.acosh,
    host: Math.acosh,
    points: [1.2, 1.5, 10],
    specials: [
      [1, 0],
      [0.5, NaN],
    ],
  },
  atanh: {
    op: lax.atanh,
    host: Math.atanh,
    points: [-0.9, 0.1, 0.5],
    specials: [
      [1, Infinity],
      [-1, -Infinity],
      [2, NaN],
    ],
  },
  sqrt: {
    op: lax.sqrt,
    host: Math.sqrt,
    points: [0.25, 2, 1e-30],
    specials: [
      [-1, NaN],
      [-0, -0],
      [0, 0],
      [Infinity, Infinity],
    ],
  },
  rsqrt: {
    op: lax.rsqrt,
    host: (x) => 1 / Math.sqrt(x),
    points: [0.25, 2, 100],
    specials: [
      [0, Infinity],
      [-0, -Infinity],
      [Infinity, 0],
      [-4, NaN],
    ],
  },
  cbrt: {
    op: lax.cbrt,
    host: Math.cbrt,
    points: [-8, 0.001, 27],
    specials: [
      [-0, -0],
      [-Infinity, -Infinity],
    ],
  },
};

/** Exact comparison that distinguishes -0 from 0 and matches NaN with NaN. */
function assertSame(actual: number, expected: number, what: string): void {
  assert.ok(
    Object.is(actual, expected) || (Number.isNaN(actual) && Number.isNaN(expected)),
    `${what}: got ${actual}, want ${expected}`,
  );
}

test("real unary ops match host Math (float64 rounded to float32) and special values", () => {
  for (const [name, c] of Object.entries(REAL)) {
    const y = c.op(np.array(c.points));
    assert.equal(y.dtype, "float32", name);
    assertClose(
      y,
      c.points.map((p) => c.host(f32(p))),
      { rtol: 1e-6, atol: 0 },
    );
    for (const [x, want] of c.specials ?? []) assertSame(c.op(np.array([x])).dataSync()[0], f32(want), `${name}(${x})`);
  }
});

test("grads of real unary ops match host float64 finite differences", () => {
  for (const [name, c] of Object.entries(REAL)) {
    try {
      checkGradVsHost(
        c.op,
        c.host,
        c.points.filter((p) => Math.abs(p) > 1e-6 && p < 50),
      );
    } catch (e) {
      assert.fail(`${name}: ${(e as Error).message}`);
    }
  }
});

test("vmap(op) == stacked op and jit(op) == op for every unary op", () => {
  for (const [name, c] of Object.entries(REAL)) {
    try {
      checkVmapJit(c.op, [np.array(c.points)]);
    } catch (e) {
      assert.fail(`${name}: ${(e as Error).message}`);
    }
  }
});

// Points off every branch cut (no point on the real or imaginary axis).
const ZS: Cx[] = [
  [0.3, 0.4],
  [-0.7, 0.2],
  [1.2, -0.5],
  [-0.4, -1.3],
];
const COMPLEX_OPS: Record<string, Unary> = {
  exp: lax.exp,
  log: lax.log,
  sqrt: lax.sqrt,
  rsqrt: lax.rsqrt,
  exp2: lax.exp2,
  expm1: lax.expm1,
  log1p: lax.log1p,
  sin: lax.sin,
  cos: lax.cos,
  tan: lax.tan,
  sinh: lax.sinh,
  cosh: lax.cosh,
  tanh: lax.tanh,
  asin: lax.asin,
  acos: lax.acos,
  atan: lax.atan,
  asinh: lax.asinh,
  acosh: lax.acosh,
  atanh: lax.atanh,
  logistic: lax.logistic,
};

test("complex64 unary ops match textbook formulas evaluated on the host", () => {
  for (const [name, op] of Object.entries(COMPLEX_OPS)) {
    const y = op(complexArray(ZS));
    assert.equal(y.dtype, "complex64", name);
    const want = ZS.flatMap((z) => hostComplex[name]([f32(z[0]), f32(z[1])]));
    try {
      assertClose(y, want, { rtol: 2e-6, atol: 1e-6 });
    } catch (e) {
      assert.fail(`${name}: ${(e as Error).message}`);
    }
  }
});

test("complex JVPs match host finite differences along the real and imaginary directions", () => {
  for (const [name, op] of Object.entries(COMPLEX_OPS)) {
    try {
      checkComplexJvp(op, hostComplex[name], ZS);
    } catch (e) {
      assert.fail(`${name}: ${(e as Error).message}`);
    }
  }
});

test("complex vmap/jit", () => {
  for (const op of [lax.sqrt, lax.asin, lax.tan, lax.log1p]) checkVmapJit(op, [complexArray(ZS)]);
});

test("complex branch cuts and signed zeros follow C99/numpy", () => {
  const at = (op: Unary, re: number, im: number): number[] => [
    ...op(lax.complex(np.array([re]), np.array([im]))).dataSync(),
  ];
  assertClose(at(lax.sqrt, -4, 0), [0, 2]);
  assertClose(at(lax.sqrt, -4, -0), [0, -2]);
  assertClose(at(lax.log, -1, 0), [0, Math.PI]);
  assertClose(at(lax.log, -1, -0), [0, -Math.PI]);
  // numpy: arcsin(2+0j) = 1.5707963+1.3169579j, arccos(2+0j) = 0-1.3169579j, arctanh(2+0j) = 0.5493061+1.5707963j
  const acosh2 = Math.log(2 + Math.sqrt(3));
  assertClose(at(lax.asin, 2, 0), [Math.PI / 2, acosh2]);
  assertClose(at(lax.acos, 2, 0), [0, -acosh2]);
  assertClose(at(lax.atanh, 2, 0), [0.5 * Math.log(3), Math.PI / 2]);
  // acosh(0.5) = i·π/3; asinh(2i) = 1.3169579+1.5707963j
  assertClose(at(lax.acosh, 0.5, 0), [0, Math.PI / 3]);
  assertClose(at(lax.asinh, 0, 2), [acosh2, Math.PI / 2]);
  // Large arguments saturate instead of producing NaN.
  assertClose(at(lax.tanh, 50, 1), [1, 0]);
  assertClose(at(lax.tan, 1, 50), [0, 1]);
  assertClose(at(lax.exp, 1, 0), [Math.E, 0]);
});

test("abs and sign per dtype", () => {
  assertEqualArray(lax.abs(np.array([-3, 0, 5, -2147483648], { dtype: "int32" })), [3, 0, 5, -2147483648], "int32");
  const a = lax.abs(np.array([-1.5, -0, NaN, -Infinity])).dataSync();
  assert.deepEqual([...a], [1.5, 0, NaN, Infinity]);
  assert.ok(Object.is(a[1], 0));
  const z = lax.abs(
    complexArray([
      [3, -4],
      [0, 0],
      [-1e30, 1e30],
    ]),
  );
  assert.equal(z.dtype, "float32");
  assertClose(z, [5, 0, Math.SQRT2 * 1e30]);
  assert.throws(() => lax.abs(np.array([1], { dtype: "uint32" })), /abs: argument 'x' has dtype uint32/);
  assertEqualArray(lax.sign(np.array([-7, 0, 9], { dtype: "int32" })), [-1, 0, 1], "int32");
  assertEqualArray(lax.sign(np.array([0, 4294967295], { dtype: "uint32" })), [0, 1], "uint32");
  const s = lax.sign(np.array([-2.5, -0, 0, NaN, Infinity])).dataSync();
  [-1, -0, 0, NaN, 1].forEach((v, i) => assertSame(s[i], v, `sign element ${i}`));
  assertClose(
    lax.sign(
      complexArray([
        [3, -4],
        [0, 0],
      ]),
    ),
    [0.6, -0.8, 0, 0],
  );
});

test("abs JVP: JAX's select(x >= 0, dx, -dx) for reals, real(dx·conj(z)/|z|) for complex", () => {
  assertClose(grad((x: Array) => lax.reduceSum(lax.abs(x), [0]))(np.array([-2, 0, 3])) as Array, [-1, 1, 1]);
  checkGradVsHost(lax.abs, Math.abs, [-2, 0.5, 3]);
  // grad of |z| is conj(z)/|z| (JAX's convention), and 0 at the origin.
  const g = grad((x: Array) => lax.reduceSum(lax.abs(x), [0]))(
    complexArray([
      [3, 4],
      [0, 0],
    ]),
  ) as Array;
  assertClose(g, [0.6, -0.8, 0, 0], { dtype: "complex64" });
  const h = 1e-6;
  for (const z of ZS) {
    const [, t] = jvp(lax.abs, [complexArray([z])], [complexArray([[0, 1]])]) as Array[];
    const want = (Math.hypot(z[0], f32(z[1]) + h) - Math.hypot(z[0], f32(z[1]) - h)) / (2 * h);
    assertClose(t, [want], { rtol: 1e-4, atol: 1e-6 });
  }
  assertClose(grad((x: Array) => lax.reduceSum(lax.sign(x), [0]))(np.array([-2, 3])) as Array, [0, 0]);
});

test("floor, ceil and both rounding methods, with halves, -0 and large values", () => {
  const xs = [-2.5, -1.5, -0.5, -0.3, -0, 0.3, 0.5, 1.5, 2.5, 2.6, 8388609, Infinity, NaN];
  const check = (y: Array, want: number[], what: string) => {
    const d = y.dataSync();
    want.forEach((v, i) => assertSame(d[i], v, `${what}(${xs[i]})`));
  };
  check(lax.floor(np.array(xs)), [-3, -2, -1, -1, -0, 0, 0, 1, 2, 2, 8388609, Infinity, NaN], "floor");
  check(lax.ceil(np.array(xs)), [-2, -1, -0, -0, -0, 1, 1, 2, 3, 3, 8388609, Infinity, NaN], "ceil");
  check(lax.round(np.array(xs)), [-3, -2, -1, -0, -0, 0, 1, 2, 3, 3, 8388609, Infinity, NaN], "round awayFromZero");
  check(
    lax.round(np.array(xs), "toNearestEven"),
    [-2, -2, -0, -0, -0, 0, 0, 2, 2, 3, 8388609, Infinity, NaN],
    "round toNearestEven",
  );
  // The largest float32 below 0.5 does not round up (no double-rounding through x + 0.5).
  check(lax.round(np.array([f32(0.49999997)])), [0], "round");
  assertClose(grad((x: Array) => lax.reduceSum(lax.floor(x), [0]))(np.array([1.5, -2])) as Array, [0, 0]);
  assert.throws(() => lax.round(np.array([1]), "up" as never), ValueError);
  assert.throws(
    () => lax.floor(np.array([1], { dtype: "int32" })),
    (e: unknown) => e instanceof DTypeError && /floor: argument 'x' has dtype int32/.test((e as Error).message),
  );
  checkVmapJit((x) => lax.round(x, "toNearestEven"), [np.array([0.5, 1.5, -2.5])]);
});

test("pow: float values with C99 special cases, complex values, grads incl. JAX's handling at x = 0", () => {
  const x = [2, 1, -1, 0, 0, NaN, -8, 4];
  const y = [0.5, NaN, Infinity, -1, 0, 0, 1 / 3, -0.5];
  const want = [Math.SQRT2, 1, 1, Infinity, 1, 1, NaN, 0.5];
  const d = lax.pow(np.array(x), np.array(y)).dataSync();
  want.forEach((v, i) => assertSame(d[i], f32(v), `pow(${x[i]}, ${y[i]})`));
  checkGrad2VsHost(lax.pow, Math.pow, [2, 0.5, 3.5], [0.5, -1.3, 2]);
  // d/dy at x = 0 is 0 (log(0) replaced by log(1)); d/dx for y = 0 is 0; d/dx of x^2 at 0 is 0.
  const [gx, gy] = grad((a: Array, b: Array) => lax.reduceSum(lax.pow(a, b), [0]), { argnums: [0, 1] })(
    np.array([0, 0, 0]),
    np.array([2, 0, 3]),
  ) as Array[];
  assertClose(gx, [0, 0, 0]);
  assertClose(gy, [0, 0, 0]);
  // Complex: z^w = exp(w log z).
  const zs: Cx[] = [
    [0.5, 1.5],
    [-2, 0.3],
  ];
  const ws: Cx[] = [
    [2, 0],
    [0.5, -1],
  ];
  const got = lax.pow(complexArray(zs), complexArray(ws));
  assertClose(
    got,
    zs.flatMap((z, i) => C.exp(C.mul(ws[i], C.log([f32(z[0]), f32(z[1])])))),
    { rtol: 1e-5, atol: 1e-6 },
  );
  assertClose(lax.pow(complexArray([[0, 0]]), complexArray([[2, 0]])), [0, 0]);
  // Complex JVP along both arguments.
  const w0 = complexArray([[0.5, -1]]);
  checkComplexJvp(
    (z) => lax.pow(z, w0),
    (z) => C.exp(C.mul([0.5, -1], C.log(z))),
    [[-2, 0.3]],
  );
  const z0 = complexArray([[-2, 0.3]]);
  checkComplexJvp(
    (w) => lax.pow(z0, w),
    (w) => C.exp(C.mul(w, C.log([-2, f32(0.3)]))),
    [[0.5, -1]],
  );
  checkVmapJit(lax.pow, [np.array([2, 0.5, 3]), np.array([0.5, -1, 2])]);
  assert.throws(
    () => lax.pow(np.array([2], { dtype: "int32" }), np.array([2], { dtype: "int32" })),
    /pow: argument 'x' has dtype int32/,
  );
});

test("atan2 quadrants, signed zeros and grads", () => {
  const d = lax.atan2(np.array([1, 1, -1, 0, -0, 0]), np.array([1, -1, -1, -1, -1, 0])).dataSync();
  [Math.PI / 4, (3 * Math.PI) / 4, (-3 * Math.PI) / 4, Math.PI, -Math.PI, 0].forEach((v, i) =>
    assertSame(d[i], f32(v), `atan2 element ${i}`),
  );
  checkGrad2VsHost(lax.atan2, Math.atan2, [1, -0.5, 2], [0.3, -1, -2]);
  checkVmapJit(lax.atan2, [np.array([1, -0.5, 2]), np.array([0.3, -1, -2])]);
});

test("nextafter steps one float32 ulp (subnormals included) and has no derivative", () => {
  const d = lax.nextafter(np.array([1, 1, 0, 0, 3, NaN, -1]), np.array([2, 0, 1, -1, 3, 0, -Infinity])).dataSync();
  [1 + 2 ** -23, 1 - 2 ** -24, 2 ** -149, -(2 ** -149), 3, NaN, -1 - 2 ** -23].forEach((v, i) =>
    assertSame(d[i], v, `nextafter element ${i}`),
  );
  assert.throws(() => grad((x: Array) => lax.reduceSum(lax.nextafter(x, x), [0]))(np.array([1])), NotImplementedError);
});

test("dtype errors name the op and the dtype", () => {
  assert.throws(
    () => lax.cbrt(complexArray([[1, 1]])),
    /cbrt: argument 'x' has dtype complex64, which cbrt does not support/,
  );
  assert.throws(() => lax.sqrt(np.array([4], { dtype: "int32" })), /sqrt: argument 'x' has dtype int32/);
  assert.throws(
    () => lax.atan2(complexArray([[1, 1]]), complexArray([[1, 1]])),
    /atan2: argument 'x' has dtype complex64/,
  );
  assert.throws(() => lax.sign(np.array([true])), /sign: argument 'x' has dtype bool/);
});
