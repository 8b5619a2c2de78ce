// np calculus on samples (diff, gradient, trapezoid) and 1-d convolution (convolve, correlate):
// numpy references (testdata/numpy/), hand derivations, vmap/jit, gradients against finite
// differences, argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, ShapeError, ValueError, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";
import { checkCase, inputs } from "./numpy-reference-cases.ts";

const tol = { rtol: 2e-5, atol: 2e-6 };

test("diff, gradient, trapezoid against numpy and by hand; gradients", () => {
  const D = inputs("diff_axis1").x;
  checkCase("diff_axis1", np.diff(D), tol);
  checkCase(
    "diff_n2_axis0_prepend_append",
    np.diff(D, 2, { axis: 0, prepend: 1.5, append: inputs("diff_n2_axis0_prepend_append").app }),
    tol,
  );
  const G = inputs("gradient_unit").x;
  checkCase("gradient_unit", np.gradient(G) as Array[], tol);
  checkCase("gradient_spacing_edge2", np.gradient(G, 0.5, 2, { edgeOrder: 2 }) as Array[], tol);
  const c = inputs("gradient_coords_axis1").c;
  checkCase("gradient_coords_axis1", np.gradient(G, c, { axis: 1 }) as Array, { rtol: 1e-4, atol: 1e-5 });
  checkCase("gradient_coords_axis1_edge2", np.gradient(G, c, { axis: 1, edgeOrder: 2 }) as Array, {
    rtol: 1e-4,
    atol: 1e-5,
  });
  checkCase("trapezoid_dx", np.trapezoid(G, { dx: 0.3 }), tol);
  checkCase("trapezoid_x_axis0", np.trapezoid(G, { x: inputs("trapezoid_x_axis0").c, axis: 0 }), tol);
  // By hand: diff of [1, 4, 9, 16] = [3, 5, 7], twice = [2, 2]; gradient of x² sampled at 0..3.
  assertClose(np.diff(np.array([1, 4, 9, 16]), 2), [2, 2]);
  assertEqualArray(np.diff(np.array([true, true, false])), [0, 1], "bool");
  assertClose(np.gradient(np.array([0, 1, 4, 9])) as Array, [1, 2, 4, 5]);
  assertClose(np.trapezoid(np.array([0, 1, 4])), [3]);
  assert.throws(() => np.gradient(np.array([1])), /at least \(edgeOrder \+ 1\) = 2 elements/);
  assert.throws(() => np.diff(np.array(1)), ShapeError);
  assert.throws(() => np.diff(D, -1), /order must be non-negative/);
  checkGrads((v: Array) => np.diff(v, 2, { axis: 1 }), [D]);
  checkGrads((v: Array) => np.gradient(v, c, { axis: 1, edgeOrder: 2 }) as Array, [G]);
  checkGrads((v: Array) => np.trapezoid(v, { x: inputs("trapezoid_x_axis0").c, axis: 0 }), [G]);
  checkVmap((v: Array) => np.gradient(v) as Array, [G]);
  checkJit((v: Array) => np.trapezoid(v), [G]);
});

test("convolve, correlate (all modes, swapped lengths, complex) against numpy; gradients", () => {
  for (const mode of ["full", "same", "valid"] as const) {
    for (const name of [`convolve_${mode}`, `convolve_swapped_${mode}`, `convolve_even_${mode}`]) {
      const { a, v } = inputs(name);
      checkCase(name, np.convolve(a, v, { mode }), tol);
    }
    for (const name of [`correlate_${mode}`, `correlate_swapped_${mode}`]) {
      const { a, v } = inputs(name);
      checkCase(name, np.correlate(a, v, { mode }), tol);
    }
  }
  const z = inputs("correlate_complex_full");
  checkCase("correlate_complex_full", np.correlate(z.a, z.v, { mode: "full" }), tol);
  // By hand: [1, 2, 3] * [0, 1, 0.5] = [0, 1, 2.5, 4, 1.5].
  assertClose(np.convolve(np.array([1, 2, 3]), np.array([0, 1, 0.5])), [0, 1, 2.5, 4, 1.5]);
  assertClose(np.correlate(np.array([1, 2, 3]), np.array([0, 1, 0.5])), [3.5]);
  const { a, v } = inputs("convolve_full");
  checkGrads((p: Array, q: Array) => np.convolve(p, q, { mode: "same" }), [a, v]);
  checkGrads((p: Array, q: Array) => np.correlate(p, q, { mode: "full" }), [a, v]);
  checkVmap((p: Array) => np.convolve(p, v), [np.stack([a, np.flip(a)])]);
  checkJit((p: Array, q: Array) => np.correlate(p, q), [a, v]);
  assert.throws(() => np.convolve(np.zeros([2, 2]), np.ones([2])), /only 1-d inputs/);
  assert.throws(() => np.convolve(np.zeros([0]), np.ones([2])), /cannot be empty/);
  assert.throws(() => np.convolve(a, v, { mode: "wide" as "full" }), ValueError);
});
