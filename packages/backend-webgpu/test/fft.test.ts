// The fft WGSL kernel against the CPU kernel: FFT / IFFT / RFFT / IRFFT over 1, 2 and 3 trailing
// axes, power-of-two lengths (Stockham passes) and other lengths (Bluestein), lengths 1 and 2,
// batch dimensions, empty arrays, plus known answers (impulse, constant, a pure tone).
import { test } from "node:test";
import assert from "node:assert/strict";
import { lax, np, type Array } from "linax-ts";
import { mulberry32 } from "@linax-ts/testing";
import { setupWebGPU, readValues, toWebGPU } from "@linax-ts/testing/webgpu";

// At top level, not in a `before` hook: setupWebGPU registers an `after(shutdown)`, and one
// registered from inside a `before` hook runs as soon as that hook ends (the device is destroyed).
await setupWebGPU();

type FftType = "FFT" | "IFFT" | "RFFT" | "IRFFT";
const EPS = 2 ** -24;
const size = (s: readonly number[]): number => s.reduce((a, b) => a * b, 1);

function rand01(rand: () => number, shape: readonly number[]): Array {
  return np.reshape(np.array(Float32Array.from({ length: size(shape) }, () => 2 * rand() - 1)), [...shape]);
}
const cplx = (rand: () => number, shape: readonly number[]): Array =>
  lax.complex(rand01(rand, shape), rand01(rand, shape));

/** ‖got − want‖₂ / ‖want‖₂ over the whole array (complex interleaved). */
function relErr(got: readonly number[], want: readonly number[]): number {
  let d = 0;
  let w = 0;
  for (let i = 0; i < want.length; i++) {
    d += (got[i] - want[i]) ** 2;
    w += want[i] ** 2;
  }
  return w === 0 ? Math.sqrt(d) : Math.sqrt(d / w);
}

/**
 * The tolerance on ‖got − want‖₂/‖want‖₂ for a transform over axes of these lengths. The CPU result
 * is a float64 transform rounded to float32 (error ≤ ε/2 per element); the WGSL kernel computes in
 * float32, where each radix-2 stage rounds every value about once (the butterflies preserve the
 * norm up to √2, twiddles are within ~2 ulp), so the rms relative error grows by about ε per stage:
 * ε·(log2 n + 2) per power-of-two axis (+2: load/store scaling, rounding of the reference).
 * Bluestein runs three length-M transforms (the data's two and the filter's) plus three unitary
 * chirp/filter products, whose errors add roughly in quadrature: ε·(2·log2 M + 2). Axes run one
 * after another, so their errors add. (Observed: 0.5ε-2.4ε for powers of two up to 1024, 1.3ε-4.3ε
 * for Bluestein up to n = 1000 — well inside; n = 1000 and 65537 are slow on SwiftShader, so only
 * 65537 (for its exact chirp index path) is kept here.)
 */
function tolerance(lengths: readonly number[]): number {
  let t = 0;
  for (const n of lengths) {
    let m = 1;
    while (m < n) m *= 2;
    if (m === n) t += Math.log2(n) + 2;
    else {
      while (m < 2 * n - 1) m *= 2;
      t += 2 * Math.log2(m) + 2;
    }
  }
  return t * EPS;
}

async function compare(x: Array, t: FftType, lengths: number[], what: string): Promise<number> {
  const want = lax.fft(x, t, lengths);
  const got = lax.fft(toWebGPU(x), t, lengths);
  assert.deepEqual(got.shape, want.shape, what);
  assert.equal(got.dtype, want.dtype, what);
  const g = await readValues(got);
  const w = await readValues(want);
  assert.ok(g.every(Number.isFinite), `${what}: non-finite output`);
  const e = relErr(g, w);
  assert.ok(e <= tolerance(lengths), `${what}: relative error ${e / EPS} ε > ${tolerance(lengths) / EPS} ε`);
  return e;
}

/** The operand a transform takes: the signal shape for FFT/IFFT/RFFT, the bins for IRFFT. */
function operand(rand: () => number, t: FftType, lead: readonly number[], lengths: readonly number[]): Array {
  const last = lengths[lengths.length - 1];
  const shape = [...lead, ...lengths.slice(0, -1), t === "IRFFT" ? (last >> 1) + 1 : last];
  return t === "RFFT" ? rand01(rand, shape) : cplx(rand, shape);
}

const TYPES: FftType[] = ["FFT", "IFFT", "RFFT", "IRFFT"];

test("fft: 1-d transforms of every type, powers of two and Bluestein lengths, vs CPU", async () => {
  const rand = mulberry32(1);
  for (const n of [1, 2, 3, 5, 8, 12, 17, 100, 1024]) {
    for (const t of TYPES) await compare(operand(rand, t, [3], [n]), t, [n], `${t} n=${n}`);
  }
});

test("fft: 2-d and 3-d transforms, batch axes, rank = number of axes", async () => {
  const rand = mulberry32(2);
  const cases: [number[], number[]][] = [
    [[2], [4, 6]],
    [[], [8, 8]],
    [[], [3, 5, 4]],
    [[3], [1, 9]],
  ];
  for (const [lead, lengths] of cases) {
    for (const t of TYPES)
      await compare(
        operand(rand, t, lead, lengths),
        t,
        lengths,
        `${t} lead ${JSON.stringify(lead)} lengths ${JSON.stringify(lengths)}`,
      );
  }
  // Only some trailing axes transformed: the leading ones are batch.
  await compare(cplx(rand, [4, 3, 8]), "FFT", [3, 8], "FFT [4,3,8] over [3,8]");
});

test("fft: empty batches", async () => {
  for (const t of TYPES) {
    const x = operand(mulberry32(3), t, [0], [6]);
    const got = lax.fft(toWebGPU(x), t, [6]);
    assert.deepEqual(got.shape, lax.fft(x, t, [6]).shape);
    assert.deepEqual(await readValues(got), []);
  }
});

test("fft: known answers (impulse, constant, pure tone) and a long prime length", async () => {
  for (const n of [8, 10, 13]) {
    const impulse = new Float32Array(n);
    impulse[0] = 1;
    const ones = await readValues(lax.fft(toWebGPU(lax.complex(np.array(impulse), np.zeros([n]))), "FFT", [n]));
    const wantOnes = globalThis.Array.from({ length: 2 * n }, (_, k) => (k % 2 === 0 ? 1 : 0));
    assert.ok(relErr(ones, wantOnes) <= tolerance([n]), `impulse n=${n}`);
    // exp(2πi·3j/n) has all its energy in bin 3: n there, 0 elsewhere.
    const re = Float32Array.from({ length: n }, (_, j) => Math.cos((2 * Math.PI * 3 * j) / n));
    const im = Float32Array.from({ length: n }, (_, j) => Math.sin((2 * Math.PI * 3 * j) / n));
    const tone = await readValues(lax.fft(toWebGPU(lax.complex(np.array(re), np.array(im))), "FFT", [n]));
    const wantTone = globalThis.Array.from({ length: 2 * n }, (_, k) => (k === 6 ? n : 0));
    assert.ok(relErr(tone, wantTone) <= tolerance([n]), `tone n=${n}`);
    // A constant c: rfft is n·c at DC, 0 elsewhere; irfft of that gives c back.
    const c = np.full([n], 0.75);
    const spec = lax.fft(toWebGPU(c), "RFFT", [n]);
    const wantSpec = globalThis.Array.from({ length: 2 * ((n >> 1) + 1) }, (_, k) => (k === 0 ? 0.75 * n : 0));
    assert.ok(relErr(await readValues(spec), wantSpec) <= tolerance([n]), `rfft const n=${n}`);
    const back = await readValues(lax.fft(spec, "IRFFT", [n]));
    assert.ok(relErr(back, new globalThis.Array<number>(n).fill(0.75)) <= 2 * tolerance([n]), `irfft const n=${n}`);
  }
  // n = 65537: j² overflows u32, so the chirp's index goes through the exact mulmod path.
  const rand = mulberry32(4);
  await compare(rand01(rand, [65537]), "RFFT", [65537], "RFFT n=65537");
});
