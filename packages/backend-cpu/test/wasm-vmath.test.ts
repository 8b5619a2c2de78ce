/**
 * The vectorised float32 transcendental functions (src/wasm/vmath.ts), run as tiny Wasm kernels:
 * max ulp error against (1) the correctly rounded value — `Math.fround(Math.f(x))` of V8's
 * float64 functions, and for erf a float64 series rounded once (`erfAccurateF32`) — and (2) the
 * reference backend's own float32 algorithm where it has one (XLA:CPU's log, log1p, erf ports),
 * over: every 2^11-th float32 bit pattern of both signs (with the low bits varied), ±64 ulps
 * around every range-reduction and saturation boundary, and dense seeded random samples of the
 * usual domain. The bounds asserted are the ones VMATH states. Special values are checked
 * exactly (Object.is, so −0 counts).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { VMATH, SINCOS_MAX_ARG } from "../src/wasm/vmath.ts";
import { erfF32, log1pF32, logF32 } from "../src/kernels/special.ts";
import { xlaF32 } from "@linax-ts/core";
import { fromBits, ulpDistance, vmathKernel } from "./vmath-harness.ts";

const f32 = Math.fround;
const logistic = (x: number): number => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)));

interface Case {
  /** Correctly rounded float32 value (float64 function, rounded once). */
  readonly exact: (x: number) => number;
  /** The reference backend's kernel, where it is not `exact`. */
  readonly reference?: (x: number) => number;
  /** Inputs where the reference comparison applies (default: all). */
  readonly referenceDomain?: (x: number) => boolean;
  /** Inputs where the bound is claimed (default: all). */
  readonly domain?: (x: number) => boolean;
  /** Branch / saturation boundaries: every float within ±64 ulps is tested. */
  readonly boundaries: readonly number[];
  /** Dense uniform sampling intervals. */
  readonly dense: readonly (readonly [number, number])[];
  /** Exact special values [x, f(x)]. */
  readonly specials: readonly (readonly [number, number])[];
}

const LN2 = Math.LN2;
const CASES: Record<string, Case> = {
  exp: {
    exact: Math.exp,
    boundaries: [0, LN2 / 2, -LN2 / 2, 88.72283, -87.33654, -103.97208, -104, 100, 1e-7, -1e-7],
    dense: [
      [-88, 88.7],
      [-1, 1],
      [-104, -87],
    ],
    specials: [
      [0, 1],
      [-0, 1],
      [-Infinity, 0],
      [Infinity, Infinity],
      [NaN, NaN],
      [89, Infinity],
      [-105, 0],
      [1e-45, 1],
    ],
  },
  log: {
    exact: Math.log,
    reference: logF32,
    referenceDomain: (x) => !(x < 2 ** -126),
    boundaries: [1, Math.SQRT1_2, Math.SQRT2, 2 ** -126, 2, 0.5, 3.4e38],
    dense: [
      [0.5, 2],
      [0, 100],
      [1e-40, 1e-36],
    ],
    specials: [
      [0, -Infinity],
      [-0, -Infinity],
      [-1, NaN],
      [-Infinity, NaN],
      [Infinity, Infinity],
      [NaN, NaN],
      [1, 0],
      [-1e-45, NaN],
    ],
  },
  tanh: {
    exact: Math.tanh,
    boundaries: [0, 0.34657, 0.625, 9.01, 9, 2 ** -12, 2 ** -126],
    dense: [
      [-10, 10],
      [-1, 1],
      [-0.01, 0.01],
    ],
    specials: [
      [0, 0],
      [-0, -0],
      [Infinity, 1],
      [-Infinity, -1],
      [NaN, NaN],
      [20, 1],
      [-20, -1],
      [1e-45, 1e-45],
      [-1e-40, f32(-1e-40)],
    ],
  },
  logistic: {
    exact: logistic,
    boundaries: [0, 16.63, -16.63, -87.33654, -103.97, 88.72],
    dense: [
      [-20, 20],
      [-3, 3],
      [-104, -80],
    ],
    specials: [
      [0, 0.5],
      [-0, 0.5],
      [Infinity, 1],
      [-Infinity, 0],
      [NaN, NaN],
      [20, 1],
      [-200, 0],
    ],
  },
  erf: {
    exact: xlaF32.erfAccurateF32,
    reference: erfF32,
    boundaries: [0, 3.832506856900711, 1, 2 ** -126],
    dense: [
      [-4, 4],
      [-1, 1],
    ],
    specials: [
      [0, 0],
      [-0, -0],
      [Infinity, 1],
      [-Infinity, -1],
      [NaN, NaN],
      [5, 1],
      [-5, -1],
    ],
  },
  sin: {
    exact: Math.sin,
    domain: (x) => Math.abs(x) <= SINCOS_MAX_ARG,
    boundaries: [0, Math.PI / 4, Math.PI / 2, Math.PI, (3 * Math.PI) / 4, 100 * Math.PI, 2 ** -126, SINCOS_MAX_ARG],
    dense: [
      [-10, 10],
      [-1e4, 1e4],
      [-0.8, 0.8],
    ],
    specials: [
      [0, 0],
      [-0, -0],
      [Infinity, NaN],
      [-Infinity, NaN],
      [NaN, NaN],
      [1e-45, 1e-45],
      [-1e-40, f32(-1e-40)],
    ],
  },
  cos: {
    exact: Math.cos,
    domain: (x) => Math.abs(x) <= SINCOS_MAX_ARG,
    boundaries: [0, Math.PI / 4, Math.PI / 2, Math.PI, (3 * Math.PI) / 4, 100 * Math.PI, SINCOS_MAX_ARG],
    dense: [
      [-10, 10],
      [-1e4, 1e4],
      [-0.8, 0.8],
    ],
    specials: [
      [0, 1],
      [-0, 1],
      [Infinity, NaN],
      [-Infinity, NaN],
      [NaN, NaN],
      [1e-45, 1],
    ],
  },
  expm1: {
    exact: Math.expm1,
    boundaries: [0, LN2 / 2, -LN2 / 2, 2 ** -25, -(2 ** -25), 88.72283, -17.33, -18, 2 ** -126],
    dense: [
      [-1, 1],
      [-20, 88.7],
      [-0.01, 0.01],
    ],
    specials: [
      [0, 0],
      [-0, -0],
      [-Infinity, -1],
      [Infinity, Infinity],
      [NaN, NaN],
      [89, Infinity],
      [-30, -1],
      [1e-45, 1e-45],
      [-1e-40, f32(-1e-40)],
    ],
  },
  log1p: {
    exact: Math.log1p,
    reference: log1pF32,
    boundaries: [0, -1, Math.SQRT1_2 - 1, Math.SQRT2 - 1, 0.41421356, 2 ** -24, -(2 ** -24), 1, 3.4e38],
    dense: [
      [-0.5, 1],
      [-1, 10],
      [-0.01, 0.01],
    ],
    specials: [
      [0, 0],
      [-0, -0],
      [-1, -Infinity],
      [-2, NaN],
      [-Infinity, NaN],
      [Infinity, Infinity],
      [NaN, NaN],
      [1e-45, 1e-45],
      [-1e-40, f32(-1e-40)],
    ],
  },
};

/** mulberry32: a fixed-seed generator so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const bitsOf = (x: number): number => new Uint32Array(new Float32Array([x]).buffer)[0];

/** The sweep, the boundary neighbourhoods (both signs) and the dense samples, padded to 4. */
function inputs(c: Case, seed: number): Float32Array {
  const xs: number[] = [];
  const stride = 1 << 11;
  for (let i = 0; i < 2 ** 32 / stride; i++)
    xs.push(fromBits(i * stride + ((Math.imul(i, 2654435761) >>> 21) & (stride - 1))));
  for (const b of c.boundaries) {
    for (const s of [1, -1]) {
      const u = bitsOf(f32(s * b));
      for (let d = -64; d <= 64; d++) xs.push(fromBits(u + d));
    }
  }
  const r = rng(seed);
  for (const [lo, hi] of c.dense) for (let i = 0; i < 1 << 18; i++) xs.push(lo + (hi - lo) * r());
  while (xs.length % 4 !== 0) xs.push(0);
  return new Float32Array(xs);
}

interface Worst {
  ulp: number;
  x: number;
  got: number;
  want: number;
}

function worst(xs: Float32Array, ys: Float32Array, f: (x: number) => number, include: (x: number) => boolean): Worst {
  const w: Worst = { ulp: 0, x: NaN, got: NaN, want: NaN };
  for (let i = 0; i < xs.length; i++) {
    const x = xs[i];
    if (!include(x)) continue;
    const want = f32(f(x));
    const d = ulpDistance(ys[i], want);
    if (d > w.ulp) Object.assign(w, { ulp: d, x, got: ys[i], want });
  }
  return w;
}

const show = (w: Worst): string =>
  `${w.ulp} ulp at x=${w.x} (bits 0x${bitsOf(w.x).toString(16)}): got ${w.got}, want ${w.want}`;

let seed = 1;
for (const [name, c] of Object.entries(CASES)) {
  const entry = VMATH[name];
  const run = vmathKernel(entry.emit);
  const s = seed++;
  test(`vmath ${name}: ≤ ${entry.maxUlp} ulp of the correctly rounded value, ≤ ${entry.maxUlpVsReference} of the reference (seed ${s})`, () => {
    const xs = inputs(c, s);
    const ys = run(xs);
    const inDomain = c.domain ?? (() => true);
    const we = worst(xs, ys, c.exact, inDomain);
    const wr = worst(xs, ys, c.reference ?? c.exact, (x) => inDomain(x) && (c.referenceDomain ?? (() => true))(x));
    console.log(`# ${name}: vs correctly rounded ${show(we)}; vs reference ${show(wr)}`);
    assert.ok(we.ulp <= entry.maxUlp, `${name} vs correctly rounded: ${show(we)}`);
    assert.ok(wr.ulp <= entry.maxUlpVsReference, `${name} vs reference: ${show(wr)}`);
    // The stated bound is tight: the measured maximum, not a loosened one.
    assert.equal(Math.max(we.ulp, 0), entry.maxUlp, `${name}: VMATH states ${entry.maxUlp}, measured ${we.ulp}`);
  });
  test(`vmath ${name}: special values exactly`, () => {
    const xs = new Float32Array(Math.ceil(c.specials.length / 4) * 4);
    c.specials.forEach(([x], i) => (xs[i] = x));
    const ys = run(xs);
    c.specials.forEach(([x, want], i) => {
      const ok = Number.isNaN(want) ? Number.isNaN(ys[i]) : Object.is(ys[i], f32(want));
      assert.ok(ok, `${name}(${Object.is(x, -0) ? "-0" : x}) = ${Object.is(ys[i], -0) ? "-0" : ys[i]}, want ${want}`);
    });
  });
}
