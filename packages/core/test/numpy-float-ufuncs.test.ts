// np float ufuncs (logaddexp(2), fmax/fmin, floatPower, ldexp, frexp, gcd, lcm, iscomplex/isreal):
// numpy references (testdata/numpy/), hand derivations, vmap/jit, gradients against finite
// differences, argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, DTypeError, grad, type Array } from "linax-ts";
import { assertClose, assertEqualArray, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";
import { checkCase, inputs } from "./numpy-reference-cases.ts";

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
  assertClose(np.logaddexp(np.array([-Infinity, 1000]), np.array([-Infinity, 1000])), [-Infinity, 1000 + Math.LN2], {
    rtol: 1e-7,
  });
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
