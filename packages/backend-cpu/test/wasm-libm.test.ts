/**
 * The WebAssembly scalar routines (src/wasm/libm) against the functions they transcribe, bit for
 * bit: the fdlibm family against V8's `Math.exp/expm1/tanh/sinh/cosh` on doubles (random bit
 * patterns, random values of every magnitude, every branch boundary and special value), and the
 * XLA float32 routines against core's xlaF32 ports on float32 values (random bit patterns, a
 * sweep of every 2^9-th float32, boundaries). A difference in one bit fails, with the input.
 * (scratch runs over all 2^32 float32 inputs agreed too; see the backend README.)
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { xlaF32 } from "@linax-ts/core";
import { ModuleBuilder } from "../src/wasm/emitter.ts";
import { Library } from "../src/wasm/libm/library.ts";
import { KERNEL_ROUTINES } from "../src/compile/scalar-routines.ts";
import { rng, sameBits, vectorKernel } from "./wasm-libm-harness.ts";

/** One module exporting each named routine (f64 → f64 or f32 → f32). */
function routines(names: readonly string[]): Record<string, (...x: number[]) => number> {
  const mb = new ModuleBuilder({ shared: false, minPages: 0 });
  const lib = new Library(mb, KERNEL_ROUTINES);
  const exported: string[] = [];
  for (const n of names) {
    const def = KERNEL_ROUTINES[n];
    const i = lib.index(n);
    // A thin exported wrapper (the library's own functions are not exported).
    mb.func(
      def.params,
      [def.result],
      (c) => {
        def.params.forEach((_, k) => c.get(k));
        c.call(i);
      },
      `e_${n}`,
    );
    exported.push(n);
  }
  const inst = new WebAssembly.Instance(new WebAssembly.Module(mb.bytes()), {
    env: { memory: new WebAssembly.Memory({ initial: 0 }) },
  });
  return Object.fromEntries(exported.map((n) => [n, inst.exports[`e_${n}`] as (...x: number[]) => number]));
}

const f64Bits = new Float64Array(1);
const u32 = new Uint32Array(f64Bits.buffer);
const fromWords = (hi: number, lo: number): number => {
  u32[1] = hi >>> 0;
  u32[0] = lo >>> 0;
  return f64Bits[0];
};
const show = (x: number): string => {
  f64Bits[0] = x;
  return `${x} (0x${u32[1].toString(16).padStart(8, "0")}${u32[0].toString(16).padStart(8, "0")})`;
};

/** Doubles that exercise every branch: random bit patterns, random values at all scales, boundaries ± a few ulps. */
function doubleInputs(boundaryHighWords: readonly number[], n: number, seed: number): number[] {
  const r = rng(seed);
  const xs: number[] = [
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    1,
    -1,
    0.5,
    -0.5,
    2,
    22,
    -22,
    1e-300,
    5e-324,
    -5e-324,
    709.782712893384,
    709.79,
    -745.1332191019411,
    -745.14,
    710.4758600739439,
  ];
  for (let i = 0; i < n; i++) xs.push(fromWords(r(), r())); // any double
  for (let i = 0; i < n; i++) {
    const mag = Math.pow(2, (r() % 80) - 60) * (r() / 2 ** 32);
    xs.push(r() & 1 ? mag * 16 : -mag * 16); // |x| up to ~2^24, dense near 0
  }
  for (let i = 0; i < n; i++) xs.push(((r() / 2 ** 32) * 2 - 1) * 60); // the usual range
  for (const hw of boundaryHighWords)
    for (const sign of [0, 0x80000000])
      for (let d = -3; d <= 3; d++) {
        const hi = (hw | sign) + (d < 0 ? -1 : 0);
        xs.push(fromWords(hi, d < 0 ? 0x100000000 + d : d));
      }
  return xs;
}

const FDLIBM: readonly [string, (x: number) => number, readonly number[]][] = [
  ["exp", Math.exp, [0x40862e42, 0x7ff00000, 0x3fd62e42, 0x3ff0a2b2, 0x3e300000, 0x3ff00000]],
  [
    "expm1",
    Math.expm1,
    [0x4043687a, 0x40862e42, 0x7ff00000, 0x3fd62e42, 0x3ff0a2b2, 0x3c900000, 0x40340000, 0x404c0000],
  ],
  ["tanh", Math.tanh, [0x7ff00000, 0x40360000, 0x3e300000, 0x3ff00000]],
  ["sinh", Math.sinh, [0x40360000, 0x3e100000, 0x3ff00000, 0x40862e42]],
  ["cosh", Math.cosh, [0x3fd62e43, 0x3c800000, 0x40360000, 0x40862e42]],
];

test("fdlibm routines equal V8's Math functions bit for bit on doubles", () => {
  const fns = routines(FDLIBM.map(([n]) => n));
  for (const [name, ref, boundaries] of FDLIBM) {
    const xs = doubleInputs(boundaries, 20000, name.length * 7919);
    let bad = 0;
    for (const x of xs) {
      const got = fns[name](x);
      const want = ref(x);
      if (!sameBits(got, want)) {
        if (bad++ < 5) console.error(`${name}(${show(x)}) = ${show(got)}, Math.${name} gives ${show(want)}`);
      }
    }
    assert.equal(bad, 0, `${name}: ${bad} of ${xs.length} inputs differ from Math.${name}`);
  }
});

test("fdlibm routines on float32 inputs equal the reference kernels' float32 results", () => {
  const fns = routines(FDLIBM.map(([n]) => n));
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  for (const [name, ref] of FDLIBM) {
    let bad = 0;
    for (let u = 0; u < 2 ** 32; u += 2 ** 13 + 7) {
      bits[0] = u;
      const x = f32[0];
      if (!sameBits(Math.fround(fns[name](x)), Math.fround(ref(x)))) bad++;
    }
    assert.equal(bad, 0, name);
  }
});

const XLA: readonly [string, (x: number) => number][] = [
  ["logF32", xlaF32.logF32],
  ["log1pF32", xlaF32.log1pF32],
  ["erfF32", xlaF32.erfF32],
  ["erfInvF32", xlaF32.erfInvF32],
];

test("XLA float32 routines equal core's xlaF32 ports bit for bit", () => {
  const fns = routines(XLA.map(([n]) => n));
  const f32 = new Float32Array(1);
  const bits = new Uint32Array(f32.buffer);
  const r = rng(12345);
  const inputs: number[] = [
    0,
    -0,
    Infinity,
    -Infinity,
    NaN,
    1,
    -1,
    0.5,
    -0.5,
    1e-45,
    1.1754943508222875e-38,
    0.41421356,
    -0.41421356,
    3.832506856900711,
    -0.99999994,
  ];
  for (let u = 0; u < 2 ** 32; u += 2 ** 12 + 3) {
    bits[0] = u;
    inputs.push(f32[0]);
  }
  for (let i = 0; i < 100000; i++) inputs.push(Math.fround(((r() / 2 ** 32) * 2 - 1) * (i % 2 ? 1 : 8)));
  for (const [name, ref] of XLA) {
    let bad = 0;
    for (const x of inputs) {
      const got = fns[name](x);
      const want = ref(x);
      if (!sameBits(got, want)) {
        if (bad++ < 5) console.error(`${name}(${x}) = ${got}, xlaF32 gives ${want}`);
      }
    }
    assert.equal(bad, 0, `${name}: ${bad} of ${inputs.length} inputs differ`);
  }
});

test("fmaF32 is the exactly rounded float32 a·b + c (round-to-odd), as xlaF32.fmaF32", () => {
  const { fmaF32 } = routines(["fmaF32"]);
  const r = rng(777);
  const f = new Float32Array(3);
  const b = new Uint32Array(f.buffer);
  let bad = 0;
  // Random bit patterns, and operands built so a·b + c lands on or next to float32 midpoints.
  for (let i = 0; i < 200000; i++) {
    b[0] = r();
    b[1] = r();
    b[2] = r();
    if (i % 2) {
      // c ≈ −a·b rounded: heavy cancellation, and ties of the double sum.
      f[2] = -Math.fround(f[0] * f[1]) * (1 + ((r() % 5) - 2) * 2 ** -24);
    }
    const got = fmaF32(f[0], f[1], f[2]);
    const want = xlaF32.fmaF32(f[0], f[1], f[2]);
    if (!sameBits(got, want) && bad++ < 5) console.error(`fma(${f[0]}, ${f[1]}, ${f[2]}) = ${got}, want ${want}`);
  }
  // Exact ties: a·b = 1 + 2^-24 exactly (a midpoint of float32), c a tiny nudge either way.
  const a = 1 + 2 ** -12;
  const bb = 1 + 2 ** -12; // a·b = 1 + 2^-11 + 2^-24
  for (const c of [0, 2 ** -60, -(2 ** -60), 2 ** -149, -(2 ** -149)]) {
    const got = fmaF32(Math.fround(a), Math.fround(bb), Math.fround(c));
    const want = xlaF32.fmaF32(Math.fround(a), Math.fround(bb), Math.fround(c));
    if (!sameBits(got, want) && bad++ < 10) console.error(`tie fma(${a}, ${bb}, ${c}) = ${got}, want ${want}`);
  }
  assert.equal(bad, 0);
});

const VECTOR: readonly [string, (x: number) => number][] = [
  ["exp", Math.exp],
  ["expm1", Math.expm1],
  ["tanh", Math.tanh],
  ["logistic", (x) => (x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x)))],
];

test("f64x2 routines equal the Math functions on every lane (random doubles, boundaries, specials mixed into vectors)", () => {
  const memory = new WebAssembly.Memory({ initial: 64 });
  for (const [name, ref] of VECTOR) {
    const xs = doubleInputs(
      [0x40862e42, 0x3fd62e42, 0x3fd62e43, 0x3ff0a2b2, 0x3e300000, 0x3c900000, 0x4043687a, 0x40360000, 0x3ff00000],
      15000,
      31 + name.length,
    );
    // Shuffle so special lanes sit next to ordinary ones.
    const r = rng(99);
    for (let i = xs.length - 1; i > 0; i--) {
      const j = r() % (i + 1);
      [xs[i], xs[j]] = [xs[j], xs[i]];
    }
    const n = xs.length - (xs.length % 2);
    const input = new Float64Array(memory.buffer, 0, n);
    input.set(xs.slice(0, n));
    const out = 8 * n;
    vectorKernel(`${name}.f64x2`, memory)(8 * n, out);
    const got = new Float64Array(memory.buffer, out, n);
    let bad = 0;
    for (let i = 0; i < n; i++)
      if (!sameBits(got[i], ref(xs[i])) && bad++ < 5)
        console.error(`${name}.f64x2 lane ${i % 2}: (${show(xs[i])}) = ${show(got[i])}, want ${show(ref(xs[i]))}`);
    assert.equal(bad, 0, `${name}.f64x2: ${bad} of ${n} lanes differ`);
  }
});

test("f32x4 routines equal the reference kernels' rounded results over a sweep of float32 bit patterns", () => {
  const memory = new WebAssembly.Memory({ initial: 300 });
  const n = 2 ** 21; // every 2^11-th pattern of both signs
  const bits = new Uint32Array(memory.buffer, 0, n);
  for (let i = 0; i < n; i++) bits[i] = i * 2 ** 11 + ((i * 2654435761) % 2 ** 11);
  const xs = new Float32Array(memory.buffer, 0, n);
  for (const [name, ref] of VECTOR) {
    vectorKernel(`${name}.f32x4`, memory)(4 * n, 4 * n);
    const got = new Float32Array(memory.buffer, 4 * n, n);
    let bad = 0;
    for (let i = 0; i < n; i++)
      if (!sameBits(got[i], Math.fround(ref(xs[i]))) && bad++ < 5) console.error(`${name}.f32x4(${xs[i]}) = ${got[i]}`);
    assert.equal(bad, 0, `${name}.f32x4: ${bad} of ${n} differ`);
  }
});
