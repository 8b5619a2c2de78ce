/**
 * np.fft and the `fft` primitive: values against numpy (testdata/fft), round trips, the rules
 * (jvp = transform of the tangent vs a float64 host DFT, the dot-product test for all four
 * transform types, Parseval gradient identities), vmap vs stacking, jit, errors.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jvp, grad, jit, DTypeError, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, checkVmap, checkJit, toFlat } from "@linax-ts/testing";
import { dec, dotTest, loadRef, randArray, type Enc } from "./linalg-fft-reference.ts";

const ref = loadRef("fft");
const E = (c: string, k: string): Array => dec(ref[c][k] as Enc);
const tol = { rtol: 1e-5, atol: 2e-5 };

test("fft / ifft / rfft / irfft match numpy for n = 1, 5, 8, 12, 17 (radix-2 and Bluestein)", () => {
  for (const n of [1, 5, 8, 12, 17]) {
    const x = E(`fft_${n}`, "x");
    assertClose(np.fft.fft(x), E(`fft_${n}`, "fft"), { ...tol, dtype: "complex64" });
    assertClose(np.fft.ifft(x), E(`fft_${n}`, "ifft"), tol);
    const r = E(`rfft_${n}`, "x");
    const spec = np.fft.rfft(r);
    assertClose(spec, E(`rfft_${n}`, "rfft"), { ...tol, shape: [2, (n >> 1) + 1] });
    assertClose(np.fft.irfft(E(`rfft_${n}`, "rfft"), { n }), E(`rfft_${n}`, "irfft_n"), { ...tol, dtype: "float32" });
  }
});

test("n (crop / zero-pad), axis and norm options match numpy", () => {
  const x = E("fft_options", "x");
  assertClose(np.fft.fft(x, { n: 4 }), E("fft_options", "n4"), tol);
  assertClose(np.fft.fft(x, { n: 9 }), E("fft_options", "n9"), tol);
  assertClose(np.fft.fft(x, { axis: 0 }), E("fft_options", "axis0"), tol);
  assertClose(np.fft.fft(x, { norm: "ortho" }), E("fft_options", "ortho"), tol);
  assertClose(np.fft.fft(x, { norm: "forward" }), E("fft_options", "forward"), tol);
  assertClose(np.fft.ifft(x, { norm: "ortho" }), E("fft_options", "ifft_ortho"), tol);
  assertClose(np.fft.ifft(x, { norm: "forward" }), E("fft_options", "ifft_forward"), { rtol: 1e-5, atol: 1e-4 });
  const r = E("rfft_options", "x");
  assertClose(np.fft.rfft(r, { n: 10 }), E("rfft_options", "n10"), tol);
  assertClose(np.fft.rfft(r, { axis: 0 }), E("rfft_options", "axis0"), tol);
  assertClose(np.fft.rfft(r, { norm: "ortho" }), E("rfft_options", "ortho"), tol);
  const spec = E("rfft_options", "spec");
  assertClose(np.fft.irfft(spec), E("rfft_options", "irfft_default"), { ...tol, shape: [4, 6] });
  assertClose(np.fft.irfft(spec, { n: 7 }), E("rfft_options", "irfft_n7"), tol);
  assertClose(np.fft.irfft(spec, { n: 5 }), E("rfft_options", "irfft_n5"), tol);
  assertClose(np.fft.irfft(spec, { n: 11, norm: "forward" }), E("rfft_options", "irfft_n11_forward"), {
    rtol: 1e-5,
    atol: 1e-4,
  });
});

test("fft2 / ifft2 / fftn / ifftn / rfftn / rfft2 / irfftn / irfft2 match numpy", () => {
  const x = E("nd", "x");
  const r = E("nd", "r");
  assertClose(np.fft.fft2(x), E("nd", "fft2"), tol);
  assertClose(np.fft.ifft2(x), E("nd", "ifft2"), tol);
  assertClose(np.fft.fftn(x), E("nd", "fftn"), { rtol: 1e-5, atol: 5e-5 });
  assertClose(np.fft.fftn(x, { s: [5, 3], axes: [2, 0] }), E("nd", "fftn_axes20_s"), { rtol: 1e-5, atol: 5e-5 });
  assertClose(np.fft.ifftn(x, { norm: "ortho" }), E("nd", "ifftn"), tol);
  assertClose(np.fft.rfftn(r), E("nd", "rfftn"), { rtol: 1e-5, atol: 5e-5 });
  assertClose(np.fft.rfft2(r), E("nd", "rfft2"), tol);
  assertClose(np.fft.rfftn(r, { axes: [1, 0] }), E("nd", "rfftn_axes10"), tol);
  assertClose(np.fft.irfftn(E("nd", "rfftn_spec"), { s: [2, 3, 4] }), E("nd", "irfftn"), tol);
  assertClose(np.fft.irfftn(E("nd", "rfftn_spec")), E("nd", "irfftn_default"), tol);
  assertClose(np.fft.irfft2(E("nd", "rfft2_spec")), E("nd", "irfft2"), tol);
});

test("fftfreq, rfftfreq, fftshift, ifftshift match numpy", () => {
  assertClose(np.fft.fftfreq(8), E("freq", "fftfreq_8"), { dtype: "float32" });
  assertClose(np.fft.fftfreq(7, 0.5), E("freq", "fftfreq_7_d0.5"));
  assertClose(np.fft.rfftfreq(8), E("freq", "rfftfreq_8"));
  assertClose(np.fft.rfftfreq(9, 2), E("freq", "rfftfreq_9_d2"));
  const x = E("shift", "x");
  assertClose(np.fft.fftshift(x), E("shift", "fftshift"));
  assertClose(np.fft.ifftshift(x), E("shift", "ifftshift"));
  assertClose(np.fft.fftshift(x, 1), E("shift", "fftshift_axis1"));
  assertClose(np.fft.ifftshift(x, [0]), E("shift", "ifftshift_axis0"));
  assertClose(np.fft.ifftshift(x, { axes: 0 }), E("shift", "ifftshift_axis0"));
  assertClose(np.fft.ifftshift(np.fft.fftshift(x)), x);
});

test("round trips: ifft(fft(x)) = x, irfft(rfft(x), n) = x for odd and even n, irfftn(rfftn(x)) = x", () => {
  for (const n of [1, 2, 7, 8, 9, 16, 30]) {
    const z = randArray([3, n], n, "complex64");
    assertClose(np.fft.ifft(np.fft.fft(z)), z, { rtol: 1e-5, atol: 1e-5 });
    assertClose(np.fft.fft(np.fft.ifft(z, { norm: "ortho" }), { norm: "ortho" }), z, { rtol: 1e-5, atol: 1e-5 });
    const x = randArray([2, n], 100 + n);
    assertClose(np.fft.irfft(np.fft.rfft(x), { n }), x, { rtol: 1e-5, atol: 1e-5 });
  }
  const x3 = randArray([3, 5, 6], 77);
  assertClose(np.fft.irfftn(np.fft.rfftn(x3), { s: [3, 5, 6] }), x3, { rtol: 1e-5, atol: 1e-5 });
  assertClose(np.fft.ifftn(np.fft.fftn(x3)), x3.astype("complex64"), { rtol: 1e-5, atol: 1e-5 });
});

/** The float64 DFT (sign −1 forward), inverse scaled by 1/n, of interleaved lines of length n. */
function hostDft(x: number[], n: number, inverse: boolean): number[] {
  const out: number[] = [];
  for (let b = 0; b < x.length / (2 * n); b++) {
    for (let k = 0; k < n; k++) {
      let [re, im] = [0, 0];
      for (let j = 0; j < n; j++) {
        const t = ((inverse ? 2 : -2) * Math.PI * j * k) / n;
        const [xr, xi] = [x[2 * (b * n + j)], x[2 * (b * n + j) + 1]];
        re += xr * Math.cos(t) - xi * Math.sin(t);
        im += xr * Math.sin(t) + xi * Math.cos(t);
      }
      out.push(inverse ? re / n : re, inverse ? im / n : im);
    }
  }
  return out;
}

test("jvp is the transform of the tangent (float64 host DFT), for all four types", () => {
  const n = 6;
  const z = randArray([2, n], 1, "complex64");
  const dz = randArray([2, n], 2, "complex64");
  for (const t of ["FFT", "IFFT"] as const) {
    const [, tan] = jvp((a: Array) => lax.fft(a, t, [n]), [z], [dz]) as [Array, Array];
    assertClose(tan, hostDft(toFlat(dz), n, t === "IFFT"), { rtol: 1e-5, atol: 1e-5 });
  }
  const x = randArray([2, n], 3);
  const dx = randArray([2, n], 4);
  const [, tr] = jvp((a: Array) => lax.fft(a, "RFFT", [n]), [x], [dx]) as [Array, Array];
  const full = hostDft(
    toFlat(dx).flatMap((v) => [v, 0]),
    n,
    false,
  );
  const half = [0, 1].flatMap((b) => full.slice(2 * b * n, 2 * b * n + 2 * (n / 2 + 1)));
  assertClose(tr, half, { rtol: 1e-5, atol: 1e-5 });
  // IRFFT of a Hermitian-consistent spectrum: the host inverse DFT of the full spectrum.
  const spec = lax.fft(dx, "RFFT", [n]);
  const [, ti] = jvp((a: Array) => lax.fft(a, "IRFFT", [n]), [lax.fft(x, "RFFT", [n])], [spec]) as [Array, Array];
  assertClose(ti, dx, { rtol: 1e-5, atol: 1e-5 });
});

test("dot-product test (jvp vs vjp) for FFT, IFFT, RFFT and IRFFT, 1-D and multi-axis, odd and even", () => {
  for (const lengths of [[5], [8], [3, 4], [2, 3, 5]]) {
    const shape = [2, ...lengths];
    const bins = [...lengths.slice(0, -1), (lengths[lengths.length - 1] >> 1) + 1];
    const z = randArray(shape, 5, "complex64");
    dotTest((a: Array) => lax.fft(a, "FFT", lengths), [z], 1);
    dotTest((a: Array) => lax.fft(a, "IFFT", lengths), [z], 2);
    dotTest((a: Array) => lax.fft(a, "RFFT", lengths), [randArray(shape, 6)], 3);
    dotTest((a: Array) => lax.fft(a, "IRFFT", lengths), [randArray([2, ...bins], 7, "complex64")], 4);
  }
  // Through the np layer: crop/pad, norms, non-trailing axes.
  const x = randArray([4, 6], 8);
  dotTest((a: Array) => np.fft.rfft(a, { n: 9, axis: 0, norm: "ortho" }), [x], 9);
  dotTest((a: Array) => np.fft.irfft(a, { n: 7, norm: "forward" }), [randArray([3, 5], 10, "complex64")], 10);
  dotTest((a: Array) => np.fft.fftn(a, { s: [3, 8], axes: [1, 0] }), [randArray([4, 6], 11, "complex64")], 11);
});

test("Parseval: ∇Σ|fft(x)|² = 2n·x (real x) and 2n·conj(z) (complex z, JAX's convention)", () => {
  const n = 7;
  const x = randArray([n], 20);
  const energy = (a: Array): Array => {
    const f = np.fft.fft(a);
    return np.sum(np.real(np.multiply(f, np.conj(f))));
  };
  assertClose(grad(energy)(x) as Array, np.multiply(x, 2 * n), { rtol: 1e-5, atol: 1e-5 });
  const z = randArray([n], 21, "complex64");
  assertClose(grad(energy)(z) as Array, np.multiply(np.conj(z), 2 * n), { rtol: 1e-5, atol: 1e-5 });
});

test("Parseval for rfft: ∇Σ|rfft(x)|² = n·x + Σx (+ (−1)^j·Σ(−1)^k x_k for even n)", () => {
  for (const n of [6, 7]) {
    const xs = toFlat(randArray([n], 30 + n));
    const x = np.array(xs);
    const energy = (a: Array): Array => {
      const f = np.fft.rfft(a);
      return np.sum(np.real(np.multiply(f, np.conj(f))));
    };
    const s0 = xs.reduce((a, b) => a + b, 0);
    const sNyq = xs.reduce((a, b, k) => a + (k % 2 === 0 ? b : -b), 0);
    const want = xs.map((v, j) => n * v + s0 + (n % 2 === 0 ? (j % 2 === 0 ? sNyq : -sNyq) : 0));
    assertClose(grad(energy)(x) as Array, want, { rtol: 1e-5, atol: 1e-5 });
  }
});

test("irfft gradient: ∇_X Σ irfft(X)² = conj(2·mask·rfft(y)/n), mask = (1, 2, …, 2, 1)", () => {
  for (const n of [6, 7]) {
    const X = np.fft.rfft(randArray([n], 40 + n));
    const y = np.fft.irfft(X, { n });
    const bins = (n >> 1) + 1;
    const mask = np.array(
      globalThis.Array.from({ length: bins }, (_, k) => (k === 0 || (n % 2 === 0 && k === bins - 1) ? 2 / n : 4 / n)),
    );
    const want = np.conj(np.multiply(np.fft.rfft(y), mask));
    const g = grad((a: Array) => np.sum(np.multiply(np.fft.irfft(a, { n }), np.fft.irfft(a, { n }))))(X) as Array;
    assertClose(g, want, { rtol: 1e-5, atol: 1e-5 });
  }
});

test("vmap equals stacking and jit(f) equals f", () => {
  const z = randArray([3, 2, 5], 50, "complex64");
  const x = randArray([3, 2, 6], 51);
  checkVmap((a: Array) => np.fft.fft(a), [z], { rtol: 1e-5, atol: 1e-5 });
  checkVmap((a: Array) => np.fft.fft2(a), [z], { rtol: 1e-5, atol: 1e-5 });
  checkVmap((a: Array) => np.fft.rfft(a, { axis: 0 }), [x], { rtol: 1e-5, atol: 1e-5 });
  checkVmap((a: Array) => np.fft.irfft(a, { n: 9 }), [z], { rtol: 1e-5, atol: 1e-5 });
  checkJit((a: Array) => np.fft.rfftn(a), [x]);
  checkJit((a: Array) => np.fft.ifft(a, { n: 7, norm: "ortho" }), [z]);
  const g = grad((a: Array) => np.sum(np.fft.irfft(np.fft.rfft(a), { n: 6 })));
  assertClose(jit(g)(x.get(0)) as Array, g(x.get(0)) as Array, { rtol: 1e-6, atol: 1e-6 });
});

test("errors: dtypes, shapes, lengths, norm, repeated axes", () => {
  const z = randArray([4], 60, "complex64");
  assert.throws(() => np.fft.rfft(z), DTypeError);
  assert.throws(() => lax.fft(np.ones([4]), "FFT", [4]), DTypeError);
  assert.throws(() => lax.fft(z, "FFT", [5]), ShapeError);
  assert.throws(() => lax.fft(z, "IRFFT", [4]), ShapeError);
  assert.throws(() => lax.fft(z, "FFT", [4, 4]), ShapeError);
  assert.throws(() => lax.fft(z, "DCT" as "FFT", [4]), ValueError);
  assert.throws(() => np.fft.fft(z, { n: 0 }), ValueError);
  assert.throws(() => np.fft.fft(z, { norm: "unitary" as "ortho" }), ValueError);
  assert.throws(() => np.fft.fftn(np.ones([2, 2]), { axes: [0, 0] }), ShapeError);
  assert.throws(() => np.fft.fft(z, { axis: 2 }), ShapeError);
  // Integer input is promoted (numpy semantics).
  assertClose(np.fft.fft(np.array([1, 2, 3, 4], { dtype: "int32" })), [10, 0, -2, 2, -2, 0, -2, -2], {
    atol: 1e-5,
    dtype: "complex64",
  });
});
