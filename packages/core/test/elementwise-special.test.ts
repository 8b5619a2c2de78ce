// Special functions: logistic, erf, erfc, erfInv, lgamma, digamma, polygamma — reference values
// (published constants), special values, bit-exactness of erfInv with JAX, grads against host
// float64 finite differences of independent host implementations, vmap and jit.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, DTypeError, ValueError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { erfInvF32 } from "../../backend-cpu/src/kernels/special.ts";
import { checkGradVsHost, checkVmapJit, f32 } from "./elementwise-host-checks.ts";

const EULER = 0.5772156649015329;
const values = (op: (x: Array) => Array, xs: number[]): number[] => [...op(np.array(xs)).dataSync()];
function assertSameAll(actual: number[], expected: number[], what: string): void {
  expected.forEach((e, i) =>
    assert.ok(
      Object.is(actual[i], e) || (Number.isNaN(actual[i]) && Number.isNaN(e)),
      `${what}[${i}]: got ${actual[i]}, want ${e}`,
    ),
  );
}

// Independent host implementations (different algorithms from the kernels').
/** erf by its Maclaurin series (|x| < 3). */
function hostErf(x: number): number {
  let term = x;
  let sum = x;
  for (let n = 1; n < 150; n++) {
    term *= (-x * x) / n;
    sum += term / (2 * n + 1);
  }
  return (2 / Math.sqrt(Math.PI)) * sum;
}
/** log Γ(x) for x > 0: shift to x >= 12, then Stirling's series. */
function hostLgamma(x: number): number {
  let shift = 0;
  while (x < 12) {
    shift += Math.log(x);
    x += 1;
  }
  const z = 1 / (x * x);
  const series = (1 / x) * (1 / 12 - z * (1 / 360 - z * (1 / 1260 - z * (1 / 1680))));
  return (x - 0.5) * Math.log(x) - x + 0.5 * Math.log(2 * Math.PI) + series - shift;
}
/** ψ^(m)(x) for m >= 1, x > 0: direct sum of (-1)^(m+1) m!/(x+k)^(m+1) plus an integral tail. */
function hostPolygamma(m: number, x: number): number {
  const N = 20000;
  let s = 0;
  for (let k = 0; k < N; k++) s += 1 / (x + k) ** (m + 1);
  s += 1 / (m * (x + N) ** m) + 1 / (2 * (x + N) ** (m + 1));
  let fact = 1;
  for (let i = 2; i <= m; i++) fact *= i;
  return (m % 2 === 1 ? 1 : -1) * fact * s;
}

test("logistic: values, saturation without NaN, grads", () => {
  assertClose(lax.logistic(np.array([0, 2, -2, 30])), [0.5, 1 / (1 + Math.exp(-2)), 1 / (1 + Math.exp(2)), 1], {
    rtol: 1e-6,
  });
  assertSameAll(values(lax.logistic, [-200, 200, -Infinity, Infinity, NaN]), [0, 1, 0, 1, NaN], "logistic");
  checkGradVsHost(lax.logistic, (x) => 1 / (1 + Math.exp(-x)), [-3, 0.2, 4]);
  checkVmapJit(lax.logistic, [np.array([-3, 0.2, 4])]);
});

test("erf and erfc: reference values and special values", () => {
  // Abramowitz & Stegun table 7.1 / DLMF values.
  assertClose(
    lax.erf(np.array([0.5, 1, 2, -0.1])),
    [0.5204998778130465, 0.8427007929497149, 0.9953222650189527, -0.1124629160182849],
    { rtol: 1e-6, atol: 0 },
  );
  assertSameAll(values(lax.erf, [4, -4, Infinity, -Infinity, NaN, -0, 0]), [1, -1, 1, -1, NaN, -0, 0], "erf");
  assertClose(lax.erfc(np.array([0.5, 3, -1, 0])), [0.4795001221869535, 2.209049699858544e-5, 1.8427007929497148, 1], {
    rtol: 1e-6,
    atol: 0,
  });
  // Deep tail stays accurate in relative terms (down to float32 subnormals), then 0.
  assertClose(lax.erfc(np.array([5, 9])), [1.5374597944280349e-12, 4.13703174651381e-37], { rtol: 1e-6, atol: 0 });
  assertSameAll(
    values(lax.erfc, [10, 30, -Infinity, Infinity, NaN]),
    [f32(2.088487583762545e-45), 0, 2, 0, NaN],
    "erfc",
  );
  checkGradVsHost(lax.erf, hostErf, [-1.5, 0.3, 2]);
  checkGradVsHost(lax.erfc, (x) => 1 - hostErf(x), [-1.5, 0.3, 2]);
  checkVmapJit(lax.erf, [np.array([-1.5, 0.3, 2])]);
  checkVmapJit(lax.erfc, [np.array([-1.5, 0.3, 2])]);
});

test("erfInv: reference values, ±inf at ±1, NaN outside, and grads", () => {
  assertClose(
    lax.erfInv(np.array([0.5, 0.9, -0.999, 0.1])),
    [0.4769362762044699, 1.1630871536766743, -2.326753765513525, 0.08885599049425769],
    {
      rtol: 2e-6,
      atol: 0,
    },
  );
  assertSameAll(values(lax.erfInv, [1, -1, 1.5, NaN, 0]), [Infinity, -Infinity, NaN, NaN, 0], "erfInv");
  // erf(erfInv(x)) = x through the independent host erf.
  const xs = [-0.95, -0.3, 0.01, 0.7, 0.99];
  assertClose(
    values(lax.erfInv, xs).map(hostErf),
    xs.map((x) => f32(x)),
    { rtol: 1e-6, atol: 1e-7 },
  );
  // d/dx erfInv(x) = 1 / erf'(erfInv(x)); host FD of the host inverse (by Newton on hostErf).
  const hostErfInv = (y: number): number => {
    let x = 0;
    for (let i = 0; i < 60; i++) x -= (hostErf(x) - y) / ((2 / Math.sqrt(Math.PI)) * Math.exp(-x * x));
    return x;
  };
  checkGradVsHost(lax.erfInv, hostErfInv, [-0.8, 0.1, 0.6], 5e-5);
  checkVmapJit(lax.erfInv, [np.array([-0.8, 0.1, 0.6])]);
});

test("erfInv float32 is bit-exact with JAX on CPU: random.normal from observed uniform bits", () => {
  // JAX 0.11.2 on CPU, key = PRNGKey(0), jax_threefry_partitionable=True (the values the random
  // family's known-answer test pins, "observed"): float32 bits of random.uniform(key, (5,)) and of
  // random.normal(key, (5,)). normal = f32(√2)·erf_inv(u') with u' = uniform on
  // [nextafter(-1, 0), 1) from the same bits: u' = f32(2·u + nextafter(-1, 0)) (span rounds to 2,
  // and 2·u is exact, so XLA's fused multiply-add equals one rounded add).
  const uniformBits = [1064475214, 1064993846, 1051337244, 1055913296, 1058137146];
  const normalBits = [1070576317, 1073847792, 3202220055, 3181445666, 1043616044];
  const view = new DataView(new ArrayBuffer(4));
  const fromBits = (b: number): number => {
    view.setUint32(0, b);
    return view.getFloat32(0);
  };
  const toBits = (x: number): number => {
    view.setFloat32(0, x);
    return view.getUint32(0);
  };
  const lo = -fromBits(0x3f7fffff); // nextafter(-1, 0)
  const u = uniformBits.map((b) => Math.max(lo, f32(2 * fromBits(b) + lo)));
  const sqrt2 = f32(Math.SQRT2);
  assert.deepEqual(
    u.map((v) => toBits(f32(sqrt2 * erfInvF32(v)))),
    normalBits,
  );
  // The lax kernel is the same function.
  const viaLax = lax.mul(lax.fullLike(np.array(u), sqrt2), lax.erfInv(np.array(u)));
  assert.deepEqual([...viaLax.dataSync()].map(toBits), normalBits);
});

test("lgamma: reference values, poles and large arguments", () => {
  assertClose(
    lax.lgamma(np.array([0.5, 1, 3, 10, -0.5, -2.5, 1e-3])),
    [
      0.5 * Math.log(Math.PI),
      0,
      Math.LN2,
      Math.log(362880),
      Math.log(2 * Math.sqrt(Math.PI)),
      Math.log(0.9453087204829419),
      6.907178885383854,
    ],
    { rtol: 1e-6, atol: 1e-7 },
  );
  assertSameAll(
    values(lax.lgamma, [0, -1, -2, Infinity, NaN]),
    [Infinity, Infinity, Infinity, Infinity, NaN],
    "lgamma",
  );
  assertClose(lax.lgamma(np.array([1e30])), [1e30 * (Math.log(1e30) - 1)], { rtol: 1e-6 });
  checkGradVsHost(lax.lgamma, hostLgamma, [0.3, 1.7, 5.5, 20]);
  checkVmapJit(lax.lgamma, [np.array([0.3, 1.7, 5.5])]);
});

test("digamma and polygamma: reference values, poles, grads", () => {
  assertClose(
    lax.digamma(np.array([1, 0.5, 2, -0.5, 10])),
    [
      -EULER,
      -EULER - 2 * Math.LN2,
      1 - EULER,
      -EULER - 2 * Math.LN2 + 2,
      1 + 1 / 2 + 1 / 3 + 1 / 4 + 1 / 5 + 1 / 6 + 1 / 7 + 1 / 8 + 1 / 9 - EULER,
    ],
    { rtol: 1e-6, atol: 1e-7 },
  );
  // XLA's convention: NaN at the poles.
  assertSameAll(values(lax.digamma, [0, -1, -3, NaN]), [NaN, NaN, NaN, NaN], "digamma");
  const zeta3 = 1.2020569031595942;
  assertClose(lax.polygamma(1, np.array([1, 0.5, -0.5])), [Math.PI ** 2 / 6, Math.PI ** 2 / 2, Math.PI ** 2 / 2 + 4], {
    rtol: 1e-6,
  });
  assertClose(lax.polygamma(2, np.array([1])), [-2 * zeta3], { rtol: 1e-6 });
  assertClose(lax.polygamma(3, np.array([1])), [Math.PI ** 4 / 15], { rtol: 1e-6 });
  assertClose(lax.polygamma(0, np.array([1])), [-EULER], { rtol: 1e-6 });
  // d/dx lgamma = digamma, d/dx digamma = ψ1, d/dx ψ1 = ψ2, checked against independent host sums.
  const pts = [0.4, 1.3, 6];
  const gradOf = (op: (x: Array) => Array) => grad((v: Array) => lax.reduceSum(op(v), [0]))(np.array(pts)) as Array;
  assertClose(
    gradOf(lax.digamma),
    pts.map((p) => hostPolygamma(1, f32(p))),
    { rtol: 1e-5 },
  );
  assertClose(
    gradOf((x) => lax.polygamma(1, x)),
    pts.map((p) => hostPolygamma(2, f32(p))),
    { rtol: 1e-5 },
  );
  assertClose(
    values(lax.digamma, pts),
    pts.map((p) => (hostLgamma(f32(p) + 1e-6) - hostLgamma(f32(p) - 1e-6)) / 2e-6),
    { rtol: 1e-5, atol: 1e-6 },
  );
  checkVmapJit(lax.digamma, [np.array(pts)]);
  checkVmapJit((x) => lax.polygamma(2, x), [np.array(pts)]);
  assert.throws(() => lax.polygamma(-1, np.array([1])), ValueError);
  assert.throws(() => lax.polygamma(1.5, np.array([1])), ValueError);
});

test("special functions reject non-float32 dtypes by name", () => {
  const z = lax.complex(np.array([1]), np.array([1]));
  for (const [name, op] of [
    ["erf", lax.erf],
    ["erfc", lax.erfc],
    ["erfInv", lax.erfInv],
    ["lgamma", lax.lgamma],
    ["digamma", lax.digamma],
  ] as const) {
    assert.throws(
      () => op(z),
      (e: unknown) =>
        e instanceof DTypeError && new RegExp(`^${name}: argument 'x' has dtype complex64`).test((e as Error).message),
    );
  }
  assert.throws(() => lax.logistic(np.array([1], { dtype: "int32" })), /logistic: argument 'x' has dtype int32/);
});
