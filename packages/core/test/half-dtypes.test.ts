// float16 / bfloat16 as dtypes: bit-exact conversions (numpy's float16 and an independent bfloat16
// derivation in testdata/half/, written by testdata/half/generate.py; an arithmetic float16/bfloat16
// rounding written here as a second implementation), JAX's promotion lattice with weak types,
// finfo (numpy's values for float16/float32, ml_dtypes' by hand for bfloat16), creation, printing,
// astype and np.frombuffer.
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  np,
  lax,
  DTYPES,
  DTypeError,
  ValueError,
  promoteTypes,
  bfloat16BitsFromFloat32Bits,
  bfloat16BitsFromNumber,
  float16BitsFromFloat32Bits,
  float16BitsFromNumber,
  float32BitsFromBfloat16Bits,
  float32BitsFromFloat16Bits,
  float32FromBits,
  float32Bits,
  float16ToNumber,
  type DType,
} from "linax-ts";

interface Reference {
  f32_to_f16: [number, number][];
  f32_to_bf16: [number, number][];
  f16_to_f32: [number, number][];
  f64_to_f16: [string, number][];
  f16_arith: Record<"a" | "b" | "add" | "sub" | "mul" | "div" | "sqrt", number[]>;
  finfo: Record<"float16" | "float32", Record<string, number>>;
}
const REF = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/half/reference.json", import.meta.url)), "utf8"),
) as Reference;
const hex = (v: number): string => "0x" + (v >>> 0).toString(16);

/**
 * A second, arithmetic rounding to a binary format (mantissa bits `nmant`, minimum normal exponent
 * `emin`, largest finite `max`): scale by a power of two, round the integer part half to even.
 * Returns the value, not bits; no bit manipulation, so it checks the bit-twiddling one.
 */
function roundArith(v: number, nmant: number, emin: number, max: number): number {
  if (!Number.isFinite(v) || v === 0) return v;
  const a = Math.abs(v);
  let e = Math.max(emin, Math.floor(Math.log2(a)));
  if (2 ** e > a && e > emin) e--;
  if (2 ** (e + 1) <= a) e++;
  const scaled = a * 2 ** (nmant - e);
  let q = Math.floor(scaled);
  const frac = scaled - q;
  if (frac > 0.5 || (frac === 0.5 && q % 2 === 1)) q++;
  const r = q * 2 ** (e - nmant);
  const ulp = 2 ** (Math.floor(Math.log2(max)) - nmant);
  // Past max by half an ulp or more: inf (the rounding above cannot see the exponent ceiling).
  const out = a >= max + ulp / 2 ? Infinity : r;
  return v < 0 ? -out : out;
}

test("float32 → float16 bits: numpy's conversion on 6045 patterns (ties, subnormals, overflow, NaN payloads)", () => {
  for (const [b, want] of REF.f32_to_f16)
    assert.equal(float16BitsFromFloat32Bits(b), want, `f32 ${hex(b)}: want ${hex(want)}`);
  // And through the convert kernel (the CPU backend), in one array.
  const bits = np.frombuffer(Uint32Array.from(REF.f32_to_f16.map(([b]) => b)), { dtype: "uint32" });
  const got = lax.convertElementType(lax.bitcastConvertType(bits, "float32"), "float16").dataSync();
  assert.ok(got instanceof Uint16Array);
  REF.f32_to_f16.forEach(([b, want], i) => assert.equal(got[i], want, `kernel, f32 ${hex(b)}`));
});

test("float32 → bfloat16 bits: the independent neighbour-comparison derivation on 6045 patterns", () => {
  for (const [b, want] of REF.f32_to_bf16)
    assert.equal(bfloat16BitsFromFloat32Bits(b), want, `f32 ${hex(b)}: want ${hex(want)}`);
  const bits = np.frombuffer(Uint32Array.from(REF.f32_to_bf16.map(([b]) => b)), { dtype: "uint32" });
  const got = lax.convertElementType(lax.bitcastConvertType(bits, "float32"), "bfloat16").dataSync();
  REF.f32_to_bf16.forEach(([b, want], i) => assert.equal(got[i], want, `kernel, f32 ${hex(b)}`));
});

test("float16/bfloat16 rounding agrees with a second, arithmetic implementation on finite float32 values", () => {
  let n = 0;
  for (const [b] of REF.f32_to_f16) {
    const v = float32FromBits(b);
    if (Number.isNaN(v)) continue;
    n++;
    const h = float16ToNumber(float16BitsFromFloat32Bits(b));
    const want = roundArith(v, 10, -14, 65504);
    assert.ok(Object.is(h, want), `f16 of ${v}: bits give ${h}, arithmetic ${want}`);
    const bf = float32FromBits(float32BitsFromBfloat16Bits(bfloat16BitsFromFloat32Bits(b)));
    const wantBf = roundArith(v, 7, -126, 3.3895313892515355e38);
    assert.ok(Object.is(bf, wantBf), `bf16 of ${v}: bits give ${bf}, arithmetic ${wantBf}`);
  }
  assert.ok(n > 5900);
});

test("float16 → float32 decoding: numpy's values, and every float16 pattern round-trips exactly", () => {
  for (const [h, want] of REF.f16_to_f32) assert.equal(float32BitsFromFloat16Bits(h), want, `f16 ${hex(h)}`);
  for (let h = 0; h < 65536; h++) {
    assert.equal(float16BitsFromFloat32Bits(float32BitsFromFloat16Bits(h)), h, `f16 ${hex(h)} → f32 → f16`);
    // bfloat16: every pattern except signalling-NaN payloads (quieted to 0x7fc0 with the sign).
    const isNaN = (h & 0x7fff) > 0x7f80;
    assert.equal(
      bfloat16BitsFromFloat32Bits(float32BitsFromBfloat16Bits(h)),
      isNaN ? (h & 0x8000) | 0x7fc0 : h,
      `bf16 ${hex(h)}`,
    );
  }
});

test("JS numbers → float16 round once like numpy's float64 → float16 (not through float32)", () => {
  let differ = 0;
  for (const [s, want] of REF.f64_to_f16) {
    const v = Number(s);
    assert.equal(float16BitsFromNumber(v), want, `${s}: want ${hex(want)}`);
    if (float16BitsFromFloat32Bits(float32Bits(v)) !== want) differ++;
  }
  // The cases were chosen so that the float32 detour would give other bits for many of them.
  assert.ok(differ > 50, `only ${differ} double-rounding cases`);
  // np.array goes the same way.
  const x = np
    .array(
      REF.f64_to_f16.map(([s]) => Number(s)),
      { dtype: "float16" },
    )
    .dataSync();
  REF.f64_to_f16.forEach(([s, want], i) => assert.equal(x[i], want, `np.array(${s})`));
});

test("JS numbers → bfloat16 go through float32 (ml_dtypes' bfloat16(double)): hand-derived double rounding", () => {
  // 1 + 2^-8 + 2^-30: float32 rounds it to 1 + 2^-8, a bfloat16 tie between 1 and 1 + 2^-7, which
  // goes to even (1.0); rounding once would go up.
  const v = 1 + 2 ** -8 + 2 ** -30;
  assert.equal(bfloat16BitsFromNumber(v), 0x3f80);
  assert.equal(np.array([v], { dtype: "bfloat16" }).dataSync()[0], 0x3f80);
  // Values: 0.1 → 0x3dcd (0.10009765625), 3.14159 → 0x4049 (3.140625), -2 → 0xc000, 1e39 → inf.
  assert.deepEqual(
    [...np.array([0.1, 3.14159, -2, 1e39, -0], { dtype: "bfloat16" }).dataSync()],
    [0x3dcd, 0x4049, 0xc000, 0x7f80, 0x8000],
  );
});

test("float16 arithmetic: numpy's add/sub/mul/div/sqrt results bit for bit (computed in float32, rounded)", () => {
  const { a, b } = REF.f16_arith;
  const x = np.frombuffer(Uint16Array.from(a), { dtype: "float16" });
  const y = np.frombuffer(Uint16Array.from(b), { dtype: "float16" });
  const cases: [string, () => ReturnType<typeof np.add>][] = [
    ["add", () => np.add(x, y)],
    ["sub", () => np.subtract(x, y)],
    ["mul", () => np.multiply(x, y)],
    ["div", () => np.divide(x, y)],
    ["sqrt", () => np.sqrt(np.abs(x))],
  ];
  for (const [op, f] of cases) {
    const r = f();
    assert.equal(r.dtype, "float16", op);
    const got = r.dataSync();
    const want = REF.f16_arith[op as "add"];
    // NaN results (0/0) need only be NaN: numpy's NaN bits come from the C library.
    want.forEach((w, i) => {
      if ((w & 0x7fff) > 0x7c00) assert.ok((got[i] & 0x7fff) > 0x7c00, `${op}[${i}] NaN`);
      else assert.equal(got[i], w, `${op}(${hex(a[i])}, ${hex(b[i])}): want ${hex(w)}, got ${hex(got[i])}`);
    });
  }
});

test("promotion: JAX's lattice (float16 ⊔ bfloat16 = float32, integers promote to either half)", () => {
  const table: [DType, DType, DType][] = [
    ["float16", "float16", "float16"],
    ["bfloat16", "bfloat16", "bfloat16"],
    ["float16", "bfloat16", "float32"],
    ["float16", "float32", "float32"],
    ["bfloat16", "float32", "float32"],
    ["float16", "int32", "float16"],
    ["bfloat16", "uint32", "bfloat16"],
    ["float16", "bool", "float16"],
    ["bfloat16", "complex64", "complex64"],
    ["float16", "complex64", "complex64"],
  ];
  for (const [a, b, want] of table) {
    assert.equal(promoteTypes(a, b), want, `${a} ⊔ ${b}`);
    assert.equal(promoteTypes(b, a), want, `${b} ⊔ ${a}`);
    assert.equal(np.promoteTypes(a, b), want);
  }
  // Every pair: the join is symmetric, an upper bound of both, and idempotent.
  for (const a of DTYPES) for (const b of DTYPES) assert.equal(promoteTypes(a, b), promoteTypes(b, a), `${a}, ${b}`);
  for (const a of DTYPES) assert.equal(promoteTypes(a, a), a);
});

test("weak types: JS scalars keep a half array's dtype (JAX's weak float below float16/bfloat16)", () => {
  const h = np.array([1, 2], { dtype: "float16" });
  const bf = np.array([1, 2], { dtype: "bfloat16" });
  assert.equal(h.add(2.5).dtype, "float16");
  assert.equal(h.mul(3).dtype, "float16");
  assert.equal(bf.sub(0.1).dtype, "bfloat16");
  assert.equal(np.resultType(h, 2.5), "float16");
  assert.equal(np.resultType(bf, 2), "bfloat16");
  // A weak complex scalar gives complex64; an int array with a JS float stays float32 (unchanged).
  assert.equal(np.resultType(h, np.array(1).astype("complex64")), "complex64");
  assert.equal(np.array([1], { dtype: "int32" }).add(2.5).dtype, "float32");
  // Mixed halves: float32.
  assert.equal(h.add(bf).dtype, "float32");
  assert.equal(h.add(np.array([1, 2], { dtype: "int32" })).dtype, "float16");
  // The scalar is rounded to the half dtype first (as jnp does): 0.1 + 0 in bfloat16 is bf16(0.1).
  assert.deepEqual([...np.zeros([1], { dtype: "bfloat16" }).add(0.1).dataSync()], [0x3dcd]);
});

test("finfo: numpy's float16 and float32 values; bfloat16 as ml_dtypes gives (hand-derived)", () => {
  const keys: [string, string][] = [
    ["eps", "eps"],
    ["epsneg", "epsneg"],
    ["max", "max"],
    ["min", "min"],
    ["tiny", "tiny"],
    ["smallestSubnormal", "smallest_subnormal"],
    ["resolution", "resolution"],
    ["bits", "bits"],
    ["precision", "precision"],
    ["nmant", "nmant"],
    ["nexp", "nexp"],
    ["maxexp", "maxexp"],
    ["minexp", "minexp"],
    ["machep", "machep"],
    ["negep", "negep"],
  ];
  for (const d of ["float16", "float32"] as const) {
    const info = np.finfo(d) as unknown as Record<string, number>;
    for (const [ours, numpys] of keys) assert.equal(info[ours], REF.finfo[d][numpys], `finfo(${d}).${ours}`);
    assert.equal(info.smallestNormal, REF.finfo[d].tiny);
  }
  // bfloat16: 8 exponent bits like float32, 7 mantissa bits; max = (2 − 2⁻⁷)·2¹²⁷.
  const bf = np.finfo("bfloat16");
  assert.equal(bf.eps, 2 ** -7);
  assert.equal(bf.epsneg, 2 ** -8);
  assert.equal(bf.max, (2 - 2 ** -7) * 2 ** 127);
  assert.equal(bf.max, 3.3895313892515355e38);
  assert.equal(bf.tiny, 2 ** -126);
  assert.equal(bf.smallestSubnormal, 2 ** -133);
  assert.equal(bf.resolution, 0.010009765625); // bfloat16(0.01)
  assert.deepEqual([bf.bits, bf.precision, bf.nmant, bf.nexp, bf.maxexp, bf.minexp], [16, 2, 7, 8, 128, -126]);
  assert.equal(np.finfo("complex64").eps, 2 ** -23);
  assert.equal(np.finfo(np.array([1], { dtype: "float16" })).max, 65504);
  assert.throws(() => np.finfo("int32"), DTypeError);
  assert.deepEqual(np.iinfo("int32"), { dtype: "int32", bits: 32, min: -2147483648, max: 2147483647 });
  assert.throws(() => np.iinfo("float16"), DTypeError);
  // The dtype names.
  assert.equal(np.float16, "float16");
  assert.equal(np.bfloat16, "bfloat16");
  assert.equal(np.zeros([2], { dtype: np.bfloat16 }).dtype, "bfloat16");
});

test("storage: Uint16Array bit patterns; tolist/item/toString give the values; printing as numpy's shortest repr", () => {
  const x = np.array([0.1, -2.5, 65504, 1e-7, Infinity, NaN], { dtype: "float16" });
  const bits = x.dataSync();
  assert.ok(bits instanceof Uint16Array);
  assert.deepEqual([...bits], [0x2e66, 0xc100, 0x7bff, 0x0002, 0x7c00, 0x7e00]);
  assert.deepEqual(x.tolist(), [0.0999755859375, -2.5, 65504, 1.1920928955078125e-7, Infinity, NaN]);
  assert.equal(np.array(-2.5, { dtype: "float16" }).item(), -2.5);
  // numpy: array([ 1.000e-01, -2.500e+00,  6.550e+04,  1.192e-07,        inf,        nan], dtype=float16)
  // prints in scientific notation; ours uses the float32 printer's layout with float16's digits.
  assert.equal(np.array([0.1, 1.5, 3], { dtype: "float16" }).toString(), "Array([0.1, 1.5,  3.], dtype=float16)");
  assert.equal(np.array([0.1, 1.5, 3], { dtype: "bfloat16" }).toString(), "Array([0.1, 1.5,  3.], dtype=bfloat16)");
  assert.equal(np.array(3.14159, { dtype: "bfloat16" }).toString(), "Array(3.14, dtype=bfloat16)");
  assert.equal(x.aval.toString(), "f16[6]");
  assert.equal(np.zeros([2], { dtype: "bfloat16" }).aval.toString(), "bf16[2]");
});

test("creation: zeros/ones/full/arange/eye/linspace and typed-array values in half dtypes", () => {
  assert.deepEqual(np.ones([3], { dtype: "float16" }).tolist(), [1, 1, 1]);
  assert.deepEqual([...np.ones([2], { dtype: "bfloat16" }).dataSync()], [0x3f80, 0x3f80]);
  assert.deepEqual(np.full([2], 0.1, { dtype: "bfloat16" }).tolist(), [0.10009765625, 0.10009765625]);
  assert.deepEqual(np.arange(0, 3, 1, { dtype: "float16" }).tolist(), [0, 1, 2]);
  const eye = np.eye(2, 2, { dtype: "float16" });
  assert.equal(eye.dtype, "float16");
  assert.deepEqual(eye.tolist(), [
    [1, 0],
    [0, 1],
  ]);
  assert.deepEqual(np.linspace(0, 1, 3, { dtype: "float16" }).tolist(), [0, 0.5, 1]);
  // A typed array's values convert (numpy's np.array(u16, dtype=float16)): 2049 → 2048 (tie to even).
  assert.deepEqual(np.array(Uint16Array.of(1, 2049), { dtype: "float16" }).tolist(), [1, 2048]);
  assert.deepEqual(np.array(Float32Array.of(0.5), { dtype: "bfloat16" }).tolist(), [0.5]);
});

test("astype: every dtype to and from the halves (hand-derived: truncation, saturation, bool, complex)", () => {
  const h = np.array([1.5, -2.75, 0, NaN, 70000, -0.4], { dtype: "float16" });
  assert.deepEqual(h.astype("int32").tolist(), [1, -2, 0, 0, 2147483647, 0]);
  assert.deepEqual(h.astype("uint32").tolist(), [1, 0, 0, 0, 4294967295, 0]);
  assert.deepEqual(h.astype("bool").tolist(), [true, true, false, false, true, true]);
  assert.deepEqual(h.astype("float32").tolist(), [1.5, -2.75, 0, NaN, Infinity, -0.39990234375]);
  assert.deepEqual(h.astype("complex64").tolist(), [
    [1.5, 0],
    [-2.75, 0],
    [0, 0],
    [NaN, 0],
    [Infinity, 0],
    [-0.39990234375, 0],
  ]);
  // float16 → bfloat16 through the exact float32 value: -0.39990234375 = -0x1.998p-2 → -0x1.9ap-2.
  assert.deepEqual(h.astype("bfloat16").tolist(), [1.5, -2.75, 0, NaN, Infinity, -0.400390625]);
  // int → half: 2049 → 2048 (f16, tie to even); int32 2^24 + 2^16 + 1 → bfloat16 through float32
  // (2^24 + 2^16, a tie, to even 2^24), as XLA converts s32 → f32 → bf16.
  const i = np.array([2049, -3, 16777216 + 65536 + 1], { dtype: "int32" });
  assert.deepEqual(i.astype("float16").tolist(), [2048, -3, Infinity]);
  assert.deepEqual(i.astype("bfloat16").tolist(), [2048, -3, 16777216]);
  assert.deepEqual(np.array([true, false]).astype("bfloat16").tolist(), [1, 0]);
  assert.deepEqual(np.array([1.5, 2]).astype("complex64").astype("float16").tolist(), [1.5, 2]);
  assert.deepEqual(np.array([65520, 65519.996]).astype("float16").tolist(), [Infinity, 65504]);
  assert.throws(() => np.astype(h, "float8" as DType), DTypeError);
});

test("np.frombuffer: raw bytes as a dtype, bit patterns kept; size errors", () => {
  const x = np.frombuffer(Uint16Array.of(0x3c00, 0xc000, 0x7e01), { dtype: "float16" });
  assert.deepEqual([...x.dataSync()], [0x3c00, 0xc000, 0x7e01]);
  assert.deepEqual(x.tolist(), [1, -2, NaN]);
  assert.deepEqual(np.frombuffer(Uint16Array.of(0x3f80, 0x4049), { dtype: "bfloat16" }).tolist(), [1, 3.140625]);
  assert.deepEqual(
    np.frombuffer(new Uint8Array([0, 0, 128, 63, 0, 0, 0, 64]), { dtype: "float32", offset: 4 }).tolist(),
    [2],
  );
  assert.deepEqual(np.frombuffer(Uint8Array.of(0, 2, 1), { dtype: "bool" }).tolist(), [false, true, true]);
  assert.throws(() => np.frombuffer(new Uint8Array(3), { dtype: "float16" }), ValueError);
  assert.throws(() => np.frombuffer(new Uint8Array(4), { dtype: "float32", count: 2 }), ValueError);
});

test("toNdarray gives a half array's values as float32 (ndarray has no half dtype)", () => {
  const nd = np.toNdarray(
    np.array(
      [
        [0.1, 2],
        [3, -4],
      ],
      { dtype: "float16" },
    ),
  );
  assert.ok(nd.data instanceof Float32Array);
  assert.deepEqual([...nd.shape], [2, 2]);
  assert.deepEqual([nd.get(0, 0), nd.get(1, 1)], [0.0999755859375, -4]);
});
