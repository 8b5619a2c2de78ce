/**
 * The float32 sin/cos routines (src/wasm/libm/sincos-f32.ts), scalar and four-lane, against the
 * reference kernels' `Math.fround(Math.sin(x))` / `Math.fround(Math.cos(x))`, bit for bit, on
 * about 10^5 float32 inputs per routine: random bit patterns, every class of special value,
 * float32 values next to k·π/2 (small k, k up to 2^19 where the fast reduction ends, and huge),
 * huge magnitudes, inputs near a float32 rounding midpoint (the accurate path), the double-rounding
 * exception tables and inputs that once failed. The exhaustive check over all 2^32 inputs is
 * scratch/sincos-exhaustive.ts. The table of 2/π bits is checked against π computed here.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ModuleBuilder } from "../src/wasm/emitter.ts";
import { Library } from "../src/wasm/libm/library.ts";
import { COS_EXCEPTIONS, ddOf, IPIO2, SIN_EXCEPTIONS, SINCOS_F32 } from "../src/wasm/libm/sincos-f32.ts";
import { emitVectorLoop, rng, sameBits } from "./wasm-libm-harness.ts";

const f32 = new Float32Array(1);
const u32 = new Uint32Array(f32.buffer);
const fromBits = (b: number): number => ((u32[0] = b >>> 0), f32[0]);
const bitsOf = (x: number): number => ((f32[0] = x), u32[0]);

/** One module: the scalar routines exported, and a loop running each f32x4 routine over memory. */
function build(memory: WebAssembly.Memory): {
  scalar: Record<string, (x: number) => number>;
  vector: Record<string, (bytes: number, out: number) => void>;
} {
  const mb = new ModuleBuilder({ shared: false, minPages: 0 });
  const lib = new Library(mb, SINCOS_F32);
  for (const n of ["sin", "cos"]) {
    const i = lib.index(n);
    mb.func(["f64"], ["f64"], (c) => void c.get(0).call(i), `s_${n}`);
    emitVectorLoop(mb, lib.index(`${n}.f32x4`), `v_${n}`);
  }
  const e = new WebAssembly.Instance(new WebAssembly.Module(mb.bytes()), { env: { memory } }).exports;
  const fn = <T>(name: string): T => e[name] as T;
  return {
    scalar: { sin: fn("s_sin"), cos: fn("s_cos") },
    vector: { sin: fn("v_sin"), cos: fn("v_cos") },
  };
}

/** The test inputs, as float32 values. */
function inputs(): number[] {
  const xs: number[] = [
    0,
    -0,
    NaN,
    -NaN,
    Infinity,
    -Infinity,
    fromBits(1),
    fromBits(0x80000001),
    fromBits(0x007fffff),
    fromBits(0x00800000),
    3.4028234663852886e38,
    -3.4028234663852886e38,
  ];
  xs.push(
    2 ** -14,
    -(2 ** -14),
    fromBits(bitsOf(2 ** -14) - 1),
    524288,
    -524288,
    fromBits(bitsOf(524288) - 1),
    fromBits(bitsOf(524288) + 1),
  );
  // Inputs that failed in development: negative x whose x·(2/π) needed the symmetric remainder,
  // a double-rounding case, and a cosine near −π/2.
  xs.push(...[0xb9e8971c, 0xb9e89769, 0xb9e89784, 0x46199998, 0xbfc8bc8d].map(fromBits));
  for (const [b] of [...SIN_EXCEPTIONS, ...COS_EXCEPTIONS]) xs.push(fromBits(b), -fromBits(b));
  const r = rng(2026);
  for (let i = 0; i < 40000; i++) xs.push(fromBits(r()));
  // Next to k·π/2: small k, k up to 2^19 (the fast reduction's end), and k of every size up to 2^127.
  const near = (k: number): void => {
    const c = bitsOf(Math.fround(k * (Math.PI / 2)));
    for (let d = -3; d <= 3; d++) xs.push(fromBits(c + d), -fromBits(c + d));
  };
  for (let k = 1; k <= 2000; k++) near(k);
  for (let i = 0; i < 1500; i++) near(1 + (r() % 524288));
  for (let i = 0; i < 1500; i++) near(2 ** (r() % 126) * (1 + r() / 2 ** 32));
  // Huge magnitudes: random significands with exponents 2^19 … 2^127.
  for (let i = 0; i < 10000; i++)
    xs.push(fromBits(((r() & 0x80000000) | (((146 + (r() % 109)) << 23) | (r() & 0x7fffff))) >>> 0));
  // Moderate magnitudes, where most kernels' inputs lie.
  for (let i = 0; i < 10000; i++) xs.push(Math.fround((r() / 2 ** 32 - 0.5) * 200));
  // The accurate path's inputs (about one in 2^16): kept from 4·10^6 random values in 2^-14 … 2^19.
  const candidates = Array.from({ length: 4_000_000 }, () =>
    fromBits(((r() & 0x80000000) | ((113 + (r() % 33)) << 23) | (r() & 0x7fffff)) >>> 0),
  );
  xs.push(...nearMidpoint(candidates, Math.sin), ...nearMidpoint(candidates, Math.cos));
  return xs;
}

/** Inputs whose reference float64 result lies within 2^12 float64 ulps of a float32 midpoint: the accurate path. */
function nearMidpoint(xs: readonly number[], f: (x: number) => number): number[] {
  const d = new Float64Array(1);
  const b = new BigUint64Array(d.buffer);
  return xs.filter((x) => {
    d[0] = f(x);
    const m = Number(b[0] & 0x1fffffffn) - 0x10000000;
    return Math.abs(m) < 4096;
  });
}

test("the 2/π table and the double-double constants are exact", () => {
  // π·2^P by Machin's formula in integers, then 2/π's 24-bit chunks.
  const P = 400n;
  const S = 1n << P;
  const arctanInv = (x: bigint): bigint => {
    let t = S / x;
    let s = t;
    for (let n = 1n, sign = -1n; t !== 0n; n++, sign = -sign) {
      t /= x * x;
      s += (sign * t) / (2n * n + 1n);
    }
    return s;
  };
  const pi = 4n * (4n * arctanInv(5n) - arctanInv(239n));
  const twoOverPi = (2n * S * S) / pi;
  IPIO2.forEach((c, i) => assert.equal(c, Number((twoOverPi >> (P - 24n * BigInt(i + 1))) & 0xffffffn), `chunk ${i}`));
  // ddOf: hi is the double nearest, lo the rest to 2^-106 relative: 1/3 and 1/5040.
  const [h3, l3] = ddOf(1n, 3n);
  assert.equal(h3, 1 / 3);
  assert.equal(l3, 1 / 3 / 2 ** 54); // 1/3 = 0x3FD5555555555555 + 2^-54/3
  const [h, l] = ddOf(1n, 5040n);
  assert.equal(h, 1 / 5040);
  assert.ok(Math.abs(l) <= (2 ** -52 * h) / 2 && l !== 0);
});

test("scalar and four-lane sin/cos equal Math.fround(Math.sin/cos(x)) on ~10^5 float32 inputs, bit for bit", () => {
  const xs = inputs();
  const n = xs.length - (xs.length % 4);
  const memory = new WebAssembly.Memory({ initial: Math.ceil((8 * n) / 65536) + 1 });
  const { scalar, vector } = build(memory);
  const input = new Float32Array(memory.buffer, 0, n);
  input.set(xs.slice(0, n));
  for (const [name, ref] of [
    ["sin", Math.sin],
    ["cos", Math.cos],
  ] as const) {
    // Enough inputs take the accurate path for the test to mean something.
    assert.ok(nearMidpoint(xs, ref).length > 50, `${name}: accurate-path inputs`);
    let bad = 0;
    for (const x of xs) {
      const got = scalar[name](x);
      if (!sameBits(got, Math.fround(ref(x))) && bad++ < 5)
        console.error(`${name}(${x} = 0x${bitsOf(x).toString(16)}) = ${got}, want ${Math.fround(ref(x))}`);
    }
    assert.equal(bad, 0, `scalar ${name}: ${bad} of ${xs.length} differ`);
    vector[name](4 * n, 4 * n);
    const got = new Float32Array(memory.buffer, 4 * n, n);
    for (let i = 0; i < n; i++) {
      if (!sameBits(got[i], Math.fround(ref(input[i]))) && bad++ < 5)
        console.error(`${name}.f32x4(${input[i]}) = ${got[i]}`);
    }
    assert.equal(bad, 0, `${name}.f32x4: ${bad} of ${n} differ`);
  }
});

test("the exception tables hold only double-rounding cases of V8's float64 result", () => {
  const d = new Float64Array(1);
  const b = new BigUint64Array(d.buffer);
  for (const [table, ref] of [
    [SIN_EXCEPTIONS, Math.sin],
    [COS_EXCEPTIONS, Math.cos],
  ] as const) {
    for (const [xb, yb] of table) {
      const x = fromBits(xb);
      assert.equal(bitsOf(Math.fround(ref(x))), yb, `0x${xb.toString(16)}: the table's result is the reference's`);
      d[0] = ref(x);
      // V8's double lies within 2 float64 ulps of a float32 rounding midpoint.
      assert.ok(
        Math.abs(Number(b[0] & 0x1fffffffn) - 0x10000000) <= 2,
        `0x${xb.toString(16)} is a double-rounding case`,
      );
    }
  }
});
