/**
 * Tests for the FFT kernels against a naive O(n²) DFT written independently here.
 *
 * Tolerances (first-order): each output component is rounded once to float32, so it differs
 * from the exact transform by ≤ U32·|X_k| (U32 = 2⁻²⁴, real and imaginary parts separately).
 * The float64 work — the kernel's O(log n) error growth, Bluestein's extra convolution, and the
 * naive reference's length-n sums — is bounded generously by C·n·EPS64·‖x‖₁ with C = 16.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { fftKernel, irfftKernel, rfftKernel } from "../src/kernels/fft.ts";
import { mulberry32 } from "@linax-ts/testing";

const U32 = 2 ** -24;
const EPS64 = 2 ** -52;
const LENGTHS = [1, 2, 3, 5, 8, 12, 17, 64, 100, 128, 1000];

function rng(seed: number): () => number {
  // Centred uniforms in [-0.5, 0.5) from the shared mulberry32 stream.
  const u = mulberry32(seed);
  return () => u() - 0.5;
}

/**
 * Naive DFT of interleaved complex x (float64 out): X_k = Σ_j x_j·exp(∓2πi·jk/n), scaled by
 * 1/n when inverse. The angle uses jk mod n so it stays small and exact.
 */
function naiveDft(x: ArrayLike<number>, n: number, inverse: boolean): Float64Array {
  const out = new Float64Array(2 * n);
  const sign = inverse ? 1 : -1;
  for (let k = 0; k < n; k++) {
    let sr = 0;
    let si = 0;
    for (let j = 0; j < n; j++) {
      const t = (sign * 2 * Math.PI * ((j * k) % n)) / n;
      const c = Math.cos(t);
      const s = Math.sin(t);
      sr += x[2 * j] * c - x[2 * j + 1] * s;
      si += x[2 * j] * s + x[2 * j + 1] * c;
    }
    out[2 * k] = inverse ? sr / n : sr;
    out[2 * k + 1] = inverse ? si / n : si;
  }
  return out;
}

function l1(x: ArrayLike<number>, start = 0, end = x.length): number {
  let s = 0;
  for (let i = start; i < end; i++) s += Math.abs(x[i]);
  return s;
}

/** Assert got ≈ want componentwise with tol_i = U32·|want_i| + floor. */
function assertSpectrum(got: ArrayLike<number>, want: ArrayLike<number>, floor: number, what: string): void {
  assert.equal(got.length, want.length, `${what}: length`);
  for (let i = 0; i < want.length; i++) {
    const tol = 1.001 * U32 * Math.abs(want[i]) + floor;
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol)) assert.fail(`${what}: component ${i}: got ${got[i]}, want ${want[i]} (err ${err} > ${tol})`);
  }
}

function randomF32(len: number, r: () => number): Float32Array {
  const x = new Float32Array(len);
  for (let i = 0; i < len; i++) x[i] = 2 * r();
  return x;
}

test("fft: hand-derived values", () => {
  // Twiddles like cos(π/2) ≈ 6e-17 leave float64 residue of that size, hence the floor.
  const floor = 16 * EPS64 * 16;
  assertSpectrum(
    fftKernel(new Float32Array([1, 0, 0, 0, 0, 0, 0, 0]), 1, 4, false),
    [1, 0, 1, 0, 1, 0, 1, 0],
    floor,
    "δ",
  );
  assertSpectrum(
    fftKernel(new Float32Array([1, 0, 2, 0, 3, 0, 4, 0]), 1, 4, false),
    [10, 0, -2, 2, -2, 0, -2, -2],
    floor,
    "1234",
  );
  assertSpectrum(
    fftKernel(new Float32Array([10, 0, -2, 2, -2, 0, -2, -2]), 1, 4, true),
    [1, 0, 2, 0, 3, 0, 4, 0],
    floor,
    "ifft 1234",
  );
  // n = 3 (Bluestein): DFT of [1, 2, 3] = [6, −1.5 + (√3/2)i, −1.5 − (√3/2)i].
  const h = Math.sqrt(3) / 2;
  assertSpectrum(fftKernel(new Float32Array([1, 0, 2, 0, 3, 0]), 1, 3, false), [6, 0, -1.5, h, -1.5, -h], floor, "123");
  assertSpectrum(rfftKernel(new Float32Array([1, 2, 3, 4]), 1, 4), [10, 0, -2, 2, -2, 0], floor, "rfft 1234");
  assert.deepEqual(Array.from(fftKernel(new Float32Array([3, -4]), 1, 1, true)), [3, -4]);
});

for (const inverse of [false, true]) {
  test(`fft: ${inverse ? "inverse" : "forward"} matches the naive DFT for n in ${LENGTHS}`, () => {
    const r = rng(inverse ? 2 : 1);
    for (const n of LENGTHS) {
      const batch = 3;
      const x = randomF32(2 * batch * n, r);
      const got = fftKernel(x, batch, n, inverse);
      for (let b = 0; b < batch; b++) {
        const xb = x.subarray(2 * b * n, 2 * (b + 1) * n);
        const want = naiveDft(xb, n, inverse);
        const floor = (16 * n * EPS64 * l1(xb)) / (inverse ? n : 1);
        assertSpectrum(got.subarray(2 * b * n, 2 * (b + 1) * n), want, floor, `n=${n} b=${b}`);
      }
    }
  });
}

test("fft: ifft(fft(x)) round trip", () => {
  const r = rng(9);
  for (const n of LENGTHS) {
    const x = randomF32(2 * n, r);
    const X = fftKernel(x, 1, n, false);
    const y = fftKernel(X, 1, n, true);
    // The float32 rounding of X (≤ U32·|X_k| each) passes through ifft, which maps an error e
    // to ≤ ‖e‖₁/n per component; then y is rounded again (≤ U32·|y_j|).
    const floor = (1.001 * U32 * l1(X)) / n + 16 * n * EPS64 * l1(x);
    assertSpectrum(y, x, floor, `n=${n}`);
  }
});

test("rfft matches the naive DFT of real input (even and odd n)", () => {
  const r = rng(4);
  for (const n of LENGTHS) {
    const batch = 2;
    const x = randomF32(batch * n, r);
    const got = rfftKernel(x, batch, n);
    const bins = Math.floor(n / 2) + 1;
    assert.equal(got.length, 2 * batch * bins);
    for (let b = 0; b < batch; b++) {
      const xc = new Float64Array(2 * n);
      for (let j = 0; j < n; j++) xc[2 * j] = x[b * n + j];
      const want = naiveDft(xc, n, false).subarray(0, 2 * bins);
      const floor = 16 * n * EPS64 * l1(xc);
      assertSpectrum(got.subarray(2 * b * bins, 2 * (b + 1) * bins), want, floor, `n=${n} b=${b}`);
    }
  }
});

/**
 * Naive c2r with numpy/pocketfft semantics: bins cropped/zero-padded to nOut//2 + 1, imaginary
 * parts of DC and (even nOut) Nyquist ignored, Hermitian extension, real part of the inverse.
 */
function naiveIrfft(bins: ArrayLike<number>, binsIn: number, nOut: number): Float64Array {
  const full = new Float64Array(2 * nOut);
  const half = Math.floor(nOut / 2);
  for (let k = 0; k <= half; k++) {
    const re = k < binsIn ? bins[2 * k] : 0;
    const imRaw = k < binsIn ? bins[2 * k + 1] : 0;
    const im = k === 0 || 2 * k === nOut ? 0 : imRaw;
    full[2 * k] = re;
    full[2 * k + 1] = im;
    if (k > 0 && 2 * k !== nOut) {
      full[2 * (nOut - k)] = re;
      full[2 * (nOut - k) + 1] = -im;
    }
  }
  const y = naiveDft(full, nOut, true);
  const out = new Float64Array(nOut);
  for (let j = 0; j < nOut; j++) out[j] = y[2 * j];
  return out;
}

test("irfft matches a naive c2r (DC/Nyquist imaginary parts ignored, crop and pad)", () => {
  const r = rng(6);
  for (const nOut of LENGTHS) {
    const natural = Math.floor(nOut / 2) + 1;
    // Natural size, one bin short (zero padding), two bins too many (cropping).
    for (const binsIn of [natural, Math.max(1, natural - 1), natural + 2]) {
      const batch = 2;
      const x = randomF32(2 * batch * binsIn, r); // random imaginary DC/Nyquist on purpose
      const got = irfftKernel(x, batch, nOut);
      assert.equal(got.length, batch * nOut);
      for (let b = 0; b < batch; b++) {
        const xb = x.subarray(2 * b * binsIn, 2 * (b + 1) * binsIn);
        const want = naiveIrfft(xb, binsIn, nOut);
        const floor = (2 * 16 * nOut * EPS64 * l1(xb)) / nOut;
        assertSpectrum(got.subarray(b * nOut, (b + 1) * nOut), want, floor, `nOut=${nOut} bins=${binsIn} b=${b}`);
      }
    }
  }
});

test("irfft(rfft(x)) round trip", () => {
  const r = rng(8);
  for (const n of LENGTHS) {
    const x = randomF32(n, r);
    const X = rfftKernel(x, 1, n);
    const y = irfftKernel(X, 1, n);
    // Each stored bin carries ≤ U32·|X_k| error; the Hermitian extension uses every bin but DC
    // (and Nyquist) twice, and the inverse divides by n: ≤ 2·U32·‖X‖₁/n per output, plus y's own
    // rounding.
    const floor = (2.002 * U32 * l1(X)) / n + 32 * n * EPS64 * l1(x);
    assertSpectrum(y, x, floor, `n=${n}`);
  }
});

test("fft kernels: edge cases and argument checks", () => {
  assert.equal(fftKernel(new Float32Array(0), 5, 0, false).length, 0);
  assert.equal(fftKernel(new Float32Array(0), 0, 7, true).length, 0);
  assert.equal(rfftKernel(new Float32Array(0), 0, 4).length, 0);
  assert.deepEqual(Array.from(rfftKernel(new Float32Array([2.5, -1]), 2, 1)), [2.5, 0, -1, 0]);
  assert.deepEqual(Array.from(irfftKernel(new Float32Array([2.5, 9]), 1, 1)), [2.5]);
  assert.throws(() => fftKernel(new Float32Array(6), 1, 4, false), RangeError);
  assert.throws(() => rfftKernel(new Float32Array(0), 1, 0), RangeError);
  assert.throws(() => irfftKernel(new Float32Array(4), 1, 0), RangeError);
  assert.throws(() => irfftKernel(new Float32Array(3), 1, 4), RangeError);
  // Inputs are never mutated.
  const x = new Float32Array([1, 2, 3, 4, 5, 6]);
  fftKernel(x, 1, 3, false);
  rfftKernel(x, 2, 3);
  irfftKernel(x, 1, 4);
  assert.deepEqual(Array.from(x), [1, 2, 3, 4, 5, 6]);
});
