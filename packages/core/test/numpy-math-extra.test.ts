// np extra math (logaddexp(2), fmax/fmin, floatPower, ldexp, frexp, gcd, lcm, diff, gradient,
// trapezoid, convolve, correlate, interp, polyval, vander, cross, kron, iscomplex/isreal,
// logspace, geomspace) and index generators: numpy references (testdata/numpy/), hand
// derivations, vmap/jit, gradients against finite differences, argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, ShapeError, ValueError, DTypeError, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";
import { checkCase, inputs } from "./numpy-reference-testutil.ts";

const i32 = (v: number[]) => np.array(v, { dtype: "int32" });
const tol = { rtol: 2e-5, atol: 2e-6 };

test("logaddexp, logaddexp2, fmax, fmin, floatPower, ldexp, frexp, gcd, lcm against numpy", () => {
  const { x, y } = inputs("logaddexp");
  checkCase("logaddexp", np.logaddexp(x, y), tol);
  checkCase("logaddexp2", np.logaddexp2(x, y), tol);
  const f = inputs("fmax");
  checkCase("fmax", np.fmax(f.x, f.y));
  checkCase("fmin", np.fmin(f.x, f.y));
  const p = inputs("float_power");
  checkCase("float_power", np.floatPower(p.x, p.y), tol);
  const l = inputs("ldexp");
  checkCase("ldexp", np.ldexp(l.x, l.e), { rtol: 0, atol: 0 });
  checkCase("frexp", np.frexp(inputs("frexp").x), { rtol: 0, atol: 0 });
  const g = inputs("gcd");
  checkCase("gcd", np.gcd(g.x, g.y));
  checkCase("lcm", np.lcm(g.x, g.y));
  // By hand: logaddexp(-inf, -inf) = -inf; log(e^1000 + e^1000) = 1000 + log 2.
  assertClose(np.logaddexp(np.array([-Infinity, 1000]), np.array([-Infinity, 1000])), [-Infinity, 1000 + Math.LN2], { rtol: 1e-7 });
  assertEqualArray(np.gcd(i32([12, -18, 0]), 8), [4, 2, 8], "int32");
  assertEqualArray(np.lcm(i32([4, -6, 0]), 6), [12, 6, 0], "int32");
  assert.equal(np.floatPower(i32([2]), i32([3])).dtype, "float32");
  assert.throws(() => np.gcd(np.array([1.5]), 2), DTypeError);
  assert.throws(() => np.ldexp(1, np.array([1.5])), /exponent x2 must have an integer dtype/);
  assertEqualArray(np.iscomplex(np.array(new Float32Array([1, 0, 2, 3]), { dtype: "complex64" })), [0, 1], "bool");
  assertEqualArray(np.isreal(np.array([1, NaN])), [1, 1], "bool");
  assert.equal(np.iscomplexobj(np.zeros([1], { dtype: "complex64" })), true);
  assert.equal(np.isrealobj(np.zeros([1])), true);
});

test("float ufuncs: gradients, vmap, jit", () => {
  const { x, y } = inputs("logaddexp");
  checkGrads((a: Array, b: Array) => np.logaddexp(a, b), [x, y]);
  checkGrads((a: Array, b: Array) => np.logaddexp2(a, b), [x, y]);
  const p = inputs("float_power");
  checkGrads((a: Array) => np.floatPower(a, p.y), [p.x]);
  // d/dx ldexp(x, e) = 2^e.
  assertClose(grad((v: Array) => np.sum(np.ldexp(v, i32([3, -1]))))(np.array([0.3, 2])) as Array, [8, 0.5]);
  checkVmap((a: Array, b: Array) => np.logaddexp(a, b), [x, y]);
  checkJit((a: Array, b: Array) => np.fmax(a, b), [x, y]);
  checkJit((a: Array) => np.frexp(a)[0], [x]);
  const g = inputs("gcd");
  checkJit((a: Array, b: Array) => np.gcd(a, b), [g.x, g.y]);
  checkVmap((a: Array, b: Array) => np.lcm(a, b), [np.reshape(g.x, [4, 5]), np.reshape(g.y, [4, 5])]);
});

test("diff, gradient, trapezoid against numpy and by hand; gradients", () => {
  const D = inputs("diff_axis1").x;
  checkCase("diff_axis1", np.diff(D), tol);
  checkCase("diff_n2_axis0_prepend_append", np.diff(D, 2, { axis: 0, prepend: 1.5, append: inputs("diff_n2_axis0_prepend_append").app }), tol);
  const G = inputs("gradient_unit").x;
  checkCase("gradient_unit", np.gradient(G) as Array[], tol);
  checkCase("gradient_spacing_edge2", np.gradient(G, 0.5, 2, { edgeOrder: 2 }) as Array[], tol);
  const c = inputs("gradient_coords_axis1").c;
  checkCase("gradient_coords_axis1", np.gradient(G, c, { axis: 1 }) as Array, { rtol: 1e-4, atol: 1e-5 });
  checkCase("gradient_coords_axis1_edge2", np.gradient(G, c, { axis: 1, edgeOrder: 2 }) as Array, { rtol: 1e-4, atol: 1e-5 });
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

test("interp, polyval, vander, cross, kron, logspace, geomspace against numpy; gradients", () => {
  const ip = inputs("interp");
  checkCase("interp", np.interp(ip.x, ip.xp, ip.fp), tol);
  checkCase("interp_left_right", np.interp(ip.x, ip.xp, ip.fp, { left: -5, right: 5 }), tol);
  const pp = inputs("interp_period");
  checkCase("interp_period", np.interp(pp.x, pp.xp, pp.fp, { period: 360 }), { rtol: 1e-4, atol: 1e-5 });
  assertClose(np.interp(np.array([0.5, 2, -1]), np.array([0, 1]), np.array([10, 20])), [15, 20, 10]);
  const pv = inputs("polyval");
  checkCase("polyval", np.polyval(pv.p, pv.x), tol);
  assertClose(np.polyval(np.array([1, 0, -2]), np.array([3])), [7]);
  const vx = inputs("vander").x;
  checkCase("vander", np.vander(vx), tol);
  checkCase("vander_N3_increasing", np.vander(vx, 3, { increasing: true }), tol);
  const c = inputs("cross3");
  checkCase("cross3", np.cross(c.a, c.b), tol);
  const c32 = inputs("cross32");
  checkCase("cross32", np.cross(c32.a, c32.b), tol);
  const c22 = inputs("cross22");
  checkCase("cross22", np.cross(c22.a, c22.b), tol);
  const cx = inputs("cross_axes");
  checkCase("cross_axes", np.cross(cx.a, cx.b, { axisa: 0, axisb: 0, axisc: 1 }), tol);
  assertClose(np.cross(np.array([1, 0, 0]), np.array([0, 1, 0])), [0, 0, 1]);
  const k = inputs("kron");
  checkCase("kron", np.kron(k.a, k.b), tol);
  const kr = inputs("kron_ranks");
  checkCase("kron_ranks", np.kron(kr.a, kr.b), tol);
  checkCase("logspace", np.logspace(-1, 2, 7), tol);
  checkCase("logspace_base2_noend", np.logspace(0, 3, 4, { endpoint: false, base: 2 }), tol);
  checkCase("geomspace", np.geomspace(1, 1000, 4), tol);
  checkCase("geomspace_negative", np.geomspace(-2, -64, 6), tol);
  assert.throws(() => np.geomspace(0, 1, 3), /cannot include zero/);
  assert.throws(() => np.cross(np.ones([4]), np.ones([3])), /dimension must be 2 or 3/);
  checkGrads((x: Array, f: Array) => np.interp(x, ip.xp, f), [ip.x, ip.fp]);
  checkGrads((p: Array, x: Array) => np.polyval(p, x), [pv.p, pv.x]);
  checkGrads((x: Array) => np.vander(x), [vx]);
  checkGrads((a: Array, b: Array) => np.cross(a, b), [c.a, c.b]);
  checkGrads((a: Array, b: Array) => np.kron(a, b), [k.a, k.b]);
  checkVmap((x: Array) => np.interp(x, ip.xp, ip.fp), [np.reshape(ip.x, [3, 5])]);
  checkJit((a: Array, b: Array) => np.cross(a, b), [c.a, c.b]);
  checkVmap((x: Array) => np.vander(x), [np.stack([vx, np.flip(vx)])]);
});

test("unravelIndex, indices, diagIndices, trilIndices, triuIndices (by hand)", () => {
  // 7 in shape [2, 3, 2]: 7 = 1·6 + 0·2 + 1 → (1, 0, 1); -1 → the last (1, 2, 1); out of bounds clips (JAX).
  const [a, b, cc] = np.unravelIndex(i32([7, -1, 0, 100]), [2, 3, 2]);
  assertEqualArray(a, [1, 1, 0, 1], "int32");
  assertEqualArray(b, [0, 2, 0, 2], "int32");
  assertEqualArray(cc, [1, 1, 0, 1], "int32");
  checkJit((v: Array) => np.unravelIndex(v, [2, 3, 2])[1], [i32([7, 3, 11])]);
  const g = np.indices([2, 3]);
  assert.deepEqual([...g.shape], [2, 2, 3]);
  assertEqualArray(g, [0, 0, 0, 1, 1, 1, 0, 1, 2, 0, 1, 2], "int32");
  const [s0, s1] = np.indices([2, 3], { sparse: true });
  assert.deepEqual([[...s0.shape], [...s1.shape]], [[2, 1], [1, 3]]);
  assertEqualArray(np.diagIndices(3, 3)[2], [0, 1, 2], "int32");
  const [r, c] = np.trilIndices(3);
  assertEqualArray(r, [0, 1, 1, 2, 2, 2], "int32");
  assertEqualArray(c, [0, 0, 1, 0, 1, 2], "int32");
  const [r2, c2] = np.triuIndices(3, 1, 4);
  assertEqualArray(r2, [0, 0, 0, 1, 1, 2], "int32");
  assertEqualArray(c2, [1, 2, 3, 2, 3, 3], "int32");
  assertEqualArray(np.trilIndicesFrom(np.zeros([2, 2]), -1)[1], [0], "int32");
  assertEqualArray(np.triuIndicesFrom(np.zeros([2, 3]))[1], [0, 1, 2, 1, 2], "int32");
  assert.throws(() => np.diagIndicesFrom(np.zeros([2, 3])), /equal length/);
  assert.throws(() => np.unravelIndex(np.array([1.5]), [2]), DTypeError);
});
