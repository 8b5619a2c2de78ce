// WebGPU math kernels (exp/log family, trig, hyperbolic, roots, abs/sign, rounding, integerPow, pow,
// rem, atan2, nextafter) against the CPU reference backend (complex64: elementwise-math-complex.test.ts), on seeded random inputs and hand-picked
// special values, for every dtype each primitive supports.
//
// Tolerances: the CPU computes real functions in float64 and rounds once (correctly rounded up to
// float64's own error); the WGSL kernels are float32 algorithms (wgsl-math-real.ts), whose error is
// the polynomial's (< 1 ulp) plus a few float32 roundings, hence 2–4 ulp per function (each
// bound is about what the algorithm's error analysis gives, not fitted to observed failures).
// log and log1p are XLA's float32 algorithms on both backends: exact. Integer ops, rounding, rem,
// nextafter, abs, sign: exact. complex64: normwise relative, see COMPLEX_RTOL.
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU } from "@linax-ts/testing/webgpu";
import { arr, assertExact, assertUlps, both, uniform, ulps } from "./elementwise-ulp-checks.ts";

// At module level, not in a `before` hook: setupWebGPU registers an `after` hook that, registered
// from inside `before`, runs as soon as that hook ends and destroys the device.
await setupWebGPU();

const MEASURE = process.env.LINAX_MEASURE === "1";
const L = lax as unknown as Record<string, (...a: Array[]) => Array>;

/** Special values every real function is checked on (the CPU is the reference for each). */
const SPECIAL = [
  NaN,
  Infinity,
  -Infinity,
  0,
  -0,
  1,
  -1,
  0.5,
  -0.5,
  2,
  -2,
  1e-30,
  -1e-30,
  1e-7,
  -1e-7,
  1e30,
  -1e30,
  88,
  89,
  -88,
  -104,
  3.4e38,
  0.999,
  -0.999,
  1.001,
  10,
  100,
];

/** name, [lo, hi) ranges of random inputs, ulps allowed, and (optional) absolute slack near zero crossings. */
const UNARY: [string, [number, number][], number, number?][] = [
  [
    "exp",
    [
      [-87, 88],
      [-1, 1],
    ],
    2,
  ],
  [
    "log",
    [
      [0, 10],
      [0, 1e30],
    ],
    0,
  ],
  [
    "exp2",
    [
      [-125, 127],
      [-1, 1],
    ],
    2,
  ],
  [
    "log1p",
    [
      [-0.9, 2],
      [-0.4, 0.4],
      [0, 1e20],
    ],
    0,
  ],
  [
    "expm1",
    [
      [-3, 3],
      [-1e-3, 1e-3],
      [-80, 88],
    ],
    3,
  ],
  // sin/cos/tan: a Cody–Waite reduction with π/2 in three parts is accurate for these |x|.
  [
    "sin",
    [
      [-4, 4],
      [-1e4, 1e4],
    ],
    2,
  ],
  [
    "cos",
    [
      [-4, 4],
      [-1e4, 1e4],
    ],
    2,
  ],
  [
    "tan",
    [
      [-1.5, 1.5],
      [-1e3, 1e3],
    ],
    3,
  ],
  [
    "asin",
    [
      [-1, 1],
      [-1e-3, 1e-3],
    ],
    3,
  ],
  ["acos", [[-1, 1]], 3],
  [
    "atan",
    [
      [-5, 5],
      [-1e6, 1e6],
    ],
    2,
  ],
  [
    "sinh",
    [
      [-5, 5],
      [-0.1, 0.1],
      [-89, 89],
    ],
    3,
  ],
  [
    "cosh",
    [
      [-5, 5],
      [-89, 89],
    ],
    3,
  ],
  [
    "tanh",
    [
      [-5, 5],
      [-0.1, 0.1],
      [-12, 12],
    ],
    3,
  ],
  [
    "asinh",
    [
      [-5, 5],
      [-0.1, 0.1],
      [-1e6, 1e6],
    ],
    3,
  ],
  [
    "acosh",
    [
      [1, 3],
      [1, 1e6],
    ],
    3,
  ],
  [
    "atanh",
    [
      [-1, 1],
      [-0.1, 0.1],
    ],
    3,
  ],
  [
    "sqrt",
    [
      [0, 100],
      [0, 1e30],
    ],
    0,
  ],
  [
    "rsqrt",
    [
      [0, 100],
      [0, 1e30],
    ],
    1,
  ],
  [
    "cbrt",
    [
      [-100, 100],
      [-1e30, 1e30],
    ],
    1,
  ],
];

/** Max ulp difference (for LINAX_MEASURE=1 runs that report how close each kernel is). */
function maxUlps(got: number[], want: number[]): number {
  return got.reduce((m, g, i) => Math.max(m, ulps(g, want[i])), 0);
}

/** sin/cos/tan reduce with float32 Cody–Waite, accurate to |x| ~ 1e5 (wgsl-math-real.ts): no huge arguments. */
const TRIG = new Set(["sin", "cos", "tan"]);

for (const [name, ranges, tol, atol] of UNARY) {
  test(`${name} float32: random inputs and special values`, async () => {
    const rand = mulberry32(name.length * 7919);
    const special = TRIG.has(name) ? SPECIAL.filter((v) => !(Math.abs(v) > 1e5)) : SPECIAL;
    const xs = [...ranges.flatMap(([lo, hi]) => uniform(rand, 200, lo, hi)), ...special];
    const [got, want] = await both((a) => L[name](a), [arr(xs)]);
    if (MEASURE) console.log(name, "max ulps", maxUlps(got, want));
    assertUlps(got, want, tol, name, xs.map(Math.fround), atol);
  });
}

const INT_EDGE = [0, 1, -1, 2, -2, 7, -7, 65536, 46341, -46341, 2147483647, -2147483648];
const UINT_EDGE = [0, 1, 2, 7, 65536, 65537, 2147483648, 4294967295];

test("integerPow: int32/uint32 wrap exactly, float32 within 1 ulp (a double-float32 power)", async () => {
  const rand = mulberry32(11);
  const ints = [...INT_EDGE, ...uniform(rand, 100, -1000, 1000).map(Math.trunc)];
  const uints = [...UINT_EDGE, ...uniform(rand, 100, 0, 5000).map(Math.trunc)];
  const floats = [
    ...uniform(rand, 200, -3, 3),
    ...uniform(rand, 50, -1e-3, 1e-3),
    NaN,
    Infinity,
    -Infinity,
    0,
    -0,
    1,
    -1,
    1e20,
    -1e-20,
  ];
  for (const y of [0, 2, 3, 5, 13, 31, 100]) {
    for (const [vals, dt] of [
      [ints, "int32"],
      [uints, "uint32"],
    ] as const) {
      const [g, w] = await both((a) => lax.integerPow(a, y), [arr(vals, dt)]);
      assertExact(g, w, `integerPow ${dt} y=${y}`);
    }
  }
  for (const y of [0, 1, 2, 3, 5, 13, -1, -2, -7, 40]) {
    const [g, w] = await both((a) => lax.integerPow(a, y), [arr(floats)]);
    if (MEASURE) console.log("integerPow y", y, maxUlps(g, w));
    // The double-float32 product is exact to ~2^-44 before its one rounding; subnormal results may flush.
    assertUlps(g, w, 1, `integerPow float32 y=${y}`, floats.map(Math.fround));
  }
});

test("abs and sign on every dtype (INT32_MIN wraps; NaN, ±0 kept)", async () => {
  const rand = mulberry32(12);
  const floats = [...uniform(rand, 100, -10, 10), NaN, Infinity, -Infinity, 0, -0, 1e-40, -1e-40];
  const ints = [...INT_EDGE, ...uniform(rand, 50, -1e9, 1e9).map(Math.trunc)];
  for (const name of ["abs", "sign"]) {
    for (const [vals, dt] of [
      [floats, "float32"],
      [ints, "int32"],
      [UINT_EDGE, "uint32"],
    ] as const) {
      if (name === "abs" && dt === "uint32") continue; // abs: SIGNED dtypes only
      const [g, w] = await both((a) => L[name](a), [arr(vals, dt)]);
      // GPUs may flush the subnormal ±1e-40 inputs: sign is then ±0, abs 0.
      const keep = vals.map((v) => !(dt === "float32" && v !== 0 && Math.abs(v) < 1.2e-38));
      assertExact(
        g.filter((_, i) => keep[i]),
        w.filter((_, i) => keep[i]),
        `${name} ${dt}`,
      );
    }
  }
});

test("floor, ceil, round (both methods): exact, signed zeros kept", async () => {
  const rand = mulberry32(13);
  const xs = [
    ...uniform(rand, 200, -10, 10),
    ...uniform(rand, 20, -5, 5).map((v) => Math.round(v) + 0.5),
    -0.5,
    0.5,
    -0.3,
    0.3,
    -0,
    0,
    2.5,
    -2.5,
    1.5,
    NaN,
    Infinity,
    -Infinity,
    8388607.5,
    -8388607.5,
    1e30,
    0.49999997,
  ];
  const ops: [string, (a: Array) => Array][] = [
    ["floor", lax.floor],
    ["ceil", lax.ceil],
    ["round away", (a) => lax.round(a)],
    ["round even", (a) => lax.round(a, "toNearestEven")],
  ];
  for (const [name, f] of ops) {
    const [g, w] = await both(f, [arr(xs)]);
    assertExact(g, w, name);
  }
});

test("rem: integer (x % 0 = x, INT32_MIN % -1 = 0) and float fmod, exact", async () => {
  const rand = mulberry32(14);
  const xi = [...INT_EDGE, ...uniform(rand, 100, -1e6, 1e6).map(Math.trunc)];
  const yi = [
    ...[0, 0, -1, 3, -3, 0, 5, 65536, -1, -2147483648, -1, 0],
    ...uniform(rand, 100, -100, 100).map(Math.trunc),
  ];
  let [g, w] = await both(lax.rem, [arr(xi, "int32"), arr(yi, "int32")]);
  assertExact(g, w, "rem int32");
  const xu = [...UINT_EDGE, ...uniform(rand, 100, 0, 4e9).map(Math.trunc)];
  const yu = [0, 0, 3, 0, 7, 65536, 4294967295, 2, ...uniform(rand, 100, 0, 1000).map(Math.trunc)];
  [g, w] = await both(lax.rem, [arr(xu, "uint32"), arr(yu, "uint32")]);
  assertExact(g, w, "rem uint32");
  const sp = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2.5, 1e30, 1e-30];
  const xf = [
    ...uniform(rand, 200, -100, 100),
    ...uniform(rand, 50, -1e30, 1e30),
    ...sp.flatMap((a) => sp.map(() => a)),
  ];
  const yf = [...uniform(rand, 200, -10, 10), ...uniform(rand, 50, -1e-3, 1e-3), ...sp.flatMap(() => sp)];
  [g, w] = await both(lax.rem, [arr(xf), arr(yf)]);
  assertExact(g, w, "rem float32");
});

test("atan2 (2 ulp) and nextafter (exact), with the special-value grid", async () => {
  const rand = mulberry32(15);
  const sp = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 1e-30, -1e30];
  const ys = [...uniform(rand, 300, -10, 10), ...sp.flatMap((a) => sp.map(() => a))];
  const xs = [...uniform(rand, 300, -10, 10), ...sp.flatMap(() => sp)];
  let [g, w] = await both(lax.atan2, [arr(ys), arr(xs)]);
  if (MEASURE) console.log("atan2", maxUlps(g, w));
  assertUlps(g, w, 2, "atan2");
  [g, w] = await both(lax.nextafter, [arr(ys), arr(xs)]);
  assertExact(g, w, "nextafter");
  // Stepping off zero gives the smallest subnormal (bit patterns only, no flushing).
  [g, w] = await both(lax.nextafter, [arr([0, -0, 0]), arr([1, -1, -1])]);
  assertExact(g, w, "nextafter from 0");
});

test("pow float32: C99 special cases exactly, random within ~(2 + |y·log x|) ulp", async () => {
  const rand = mulberry32(16);
  // exp(y·log x) carries log x's error (~1 ulp) scaled by |y·log x| into the result; the inputs
  // keep |y·log x| <= 10.
  const xs = uniform(rand, 300, 0.1, 10);
  const ys = uniform(rand, 300, -4, 4);
  let [g, w] = await both(lax.pow, [arr(xs), arr(ys)]);
  if (MEASURE) console.log("pow", maxUlps(g, w));
  assertUlps(g, w, 12, "pow random", xs.map(Math.fround));
  const sp = [NaN, Infinity, -Infinity, 0, -0, 1, -1, 2, -2, 0.5, -0.5, 3, -3];
  const sx = sp.flatMap((a) => sp.map(() => a));
  const sy = sp.flatMap(() => sp);
  [g, w] = await both(lax.pow, [arr(sx), arr(sy)]);
  // Exact where the result is a special value (non-finite, zero, ±1); 1 ulp for finite powers
  // like 3^0.5, which take the exp(y·log x) path.
  assertUlps(g, w, 1, "pow specials", sx);
});

test("rank-0 and empty arrays, and a 2-d shape", async () => {
  let [g, w] = await both(lax.exp, [arr([0.5], "float32", [])]);
  assertUlps(g, w, 2, "exp rank-0");
  [g, w] = await both(lax.sin, [arr([], "float32", [0, 3])]);
  assert.deepEqual(g, []);
  [g, w] = await both((a) => lax.integerPow(a, 3), [arr([], "int32", [0])]);
  assert.deepEqual(g, []);
  const rand = mulberry32(17);
  const xs = uniform(rand, 15, -2, 2);
  [g, w] = await both(lax.tanh, [arr(xs, "float32", [3, 5])]);
  assertUlps(g, w, 3, "tanh 3x5");
  [g, w] = await both(lax.rem, [arr([7], "int32", []), arr([-3], "int32", [])]);
  assertExact(g, w, "rem rank-0");
});
