// np interpolation and polynomials (interp, polyval, vander), vector products (cross, kron) and
// geometric ranges (logspace, geomspace):
// numpy references (testdata/numpy/), hand derivations, vmap/jit, gradients against finite
// differences, argument errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, type Array } from "linax-ts";
import { assertClose, checkGrads, checkJit, checkVmap } from "@linax-ts/testing";
import { checkCase, inputs } from "./numpy-reference-cases.ts";

const tol = { rtol: 2e-5, atol: 2e-6 };

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
