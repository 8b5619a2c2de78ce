import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, jvp, ValueError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const xsHost = [1, 4, -2, 5];
const xs = np.array(xsHost);
const sum = xsHost.reduce((a, b) => a + b);

test("psum / pmean / pmax / pmin / axisIndex under vmap with an axis name", () => {
  assertClose(
    vmap((x: Array) => lax.psum(x, "i"), { axisName: "i" })(xs),
    xsHost.map(() => sum),
  );
  assertClose(
    vmap((x: Array) => lax.sub(x, lax.pmean(x, "i")), { axisName: "i" })(xs),
    xsHost.map((v) => v - sum / 4),
  );
  assertClose(vmap((x: Array) => lax.pmax(x, "i"), { axisName: "i" })(xs), [5, 5, 5, 5]);
  assertClose(vmap((x: Array) => lax.pmin(x, "i"), { axisName: "i" })(xs), [-2, -2, -2, -2]);
  const idx = vmap((_x: Array) => lax.axisIndex("i"), { axisName: "i" })(xs);
  assert.equal(idx.dtype, "int32");
  assert.deepEqual(idx.tolist(), [0, 1, 2, 3]);
  // Vector elements: the reduction is over the mapped axis only.
  const m = np.array([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  assertClose(vmap((r: Array) => lax.psum(r, "rows"), { axisName: "rows" })(m), [9, 12, 9, 12, 9, 12]);
  assertClose(
    vmap((c: Array) => lax.psum(c, "cols"), { axisName: "cols", inAxes: 1, outAxes: 1 })(m),
    [3, 3, 7, 7, 11, 11],
  );
});

test("an operand that does not vary along the axis still sees it: psum(w) = n·w", () => {
  const out = vmap((x: Array, w: Array) => lax.add(lax.mul(x, np.array(0)), lax.psum(w, "i")), {
    axisName: "i",
    inAxes: [0, null],
  })(xs, np.array(2.5));
  assertClose(out, [10, 10, 10, 10]);
  // The JAX idiom psum(1) gives the axis size.
  assertClose(vmap(() => lax.psum(1, "i"), { axisName: "i", axisSize: 3 })(), [3, 3, 3]);
  assertClose(vmap((_x: Array) => lax.pmean(np.array(7), "i"), { axisName: "i" })(xs), [7, 7, 7, 7]);
});

test("nested vmaps with two axis names", () => {
  const m = np.array([
    [1, 2, 3],
    [4, 5, 6],
  ]);
  const over = (names: string | string[]) =>
    vmap(
      vmap((v: Array) => lax.psum(v, names), { axisName: "j" }),
      { axisName: "i" },
    )(m);
  assertClose(over("i"), [5, 7, 9, 5, 7, 9]);
  assertClose(over("j"), [6, 6, 6, 15, 15, 15]);
  assertClose(over(["i", "j"]), [21, 21, 21, 21, 21, 21]);
  const ids = vmap(
    vmap(() => lax.add(lax.mul(lax.axisIndex("i"), np.array(10, { dtype: "int32" })), lax.axisIndex("j")), {
      axisName: "j",
      axisSize: 3,
    }),
    { axisName: "i", axisSize: 2 },
  )();
  assert.deepEqual(ids.tolist(), [
    [0, 1, 2],
    [10, 11, 12],
  ]);
  // Same name twice: the inner vmap shadows the outer one.
  const sh = vmap(
    vmap((v: Array) => lax.psum(v, "k"), { axisName: "k" }),
    { axisName: "k" },
  )(m);
  assertClose(sh, [6, 6, 6, 15, 15, 15]);
});

test("gradients through collectives (grad outside and inside the vmap)", () => {
  // L(x) = Σ_b (x_b − mean(x))²  ⇒  ∂L/∂x_b = 2(x_b − mean).
  const centered = (x: Array) =>
    np.sum(
      vmap((v: Array) => lax.mul(lax.sub(v, lax.pmean(v, "b")), lax.sub(v, lax.pmean(v, "b"))), { axisName: "b" })(x),
    );
  const mean = sum / 4;
  assertClose(
    grad(centered)(xs) as Array,
    xsHost.map((v) => 2 * (v - mean)),
    { rtol: 1e-6 },
  );
  // grad inside vmap: JAX's semantics (psum transposes to psum) give the gradient of the summed
  // per-example losses, the same as grad outside the vmap.
  const per = (v: Array) => lax.mul(lax.sub(v, lax.pmean(v, "b")), lax.sub(v, lax.pmean(v, "b")));
  assertClose(
    vmap(grad(per) as (v: Array) => Array, { axisName: "b" })(xs),
    xsHost.map((v) => 2 * (v - mean)),
    { rtol: 1e-6 },
  );
  // jvp of pmax passes the tangent of the maximal element.
  const t = vmap((v: Array, dv: Array) => jvp((u: Array) => lax.pmax(u, "b"), [v], [dv])[1], { axisName: "b" })(
    xs,
    np.array([10, 20, 30, 40]),
  );
  assertClose(t, [40, 40, 40, 40]);
});

test("collectives inside jit, scan and cond under a named vmap", () => {
  const f = (x: Array) => lax.div(x, lax.psum(x, "i"));
  assertClose(
    vmap(jit(f), { axisName: "i" })(xs),
    xsHost.map((v) => v / sum),
    { rtol: 1e-6 },
  );
  assertClose(
    jit(vmap(f, { axisName: "i" }))(xs),
    xsHost.map((v) => v / sum),
    { rtol: 1e-6 },
  );
  // A running total across the batch, per step of a scan; w is unbatched.
  const g = (x: Array) =>
    lax.scan(
      (c: Array, w: Array) => [lax.add(c, lax.psum(lax.mul(x, w), "i")), c] as [Array, Array],
      np.array(0),
      np.array([1, 2]),
    )[0];
  assertClose(
    vmap(g, { axisName: "i" })(xs),
    xsHost.map(() => 3 * sum),
  );
  const h = (x: Array) =>
    lax.cond(
      true,
      (v: Array) => lax.psum(v, "i"),
      (v: Array) => v,
      x,
    );
  assertClose(
    vmap(h, { axisName: "i" })(xs),
    xsHost.map(() => sum),
  );
});

test("BatchNorm-style normalization with pmean over axis 'batch'", () => {
  const norm = (x: Array) => {
    const mu = lax.pmean(x, "batch");
    const d = lax.sub(x, mu);
    const v = lax.pmean(lax.mul(d, d), "batch");
    return lax.div(d, lax.sqrt(np.add(v, 1e-5)));
  };
  const out = vmap(norm, { axisName: "batch" })(
    np.array([
      [1, 10],
      [3, 20],
      [5, 30],
    ]),
  );
  const z = (a: number[]) => {
    const m = a.reduce((p, q) => p + q) / a.length;
    const s = Math.sqrt(a.reduce((p, q) => p + (q - m) ** 2, 0) / a.length + 1e-5);
    return a.map((q) => (q - m) / s);
  };
  const c0 = z([1, 3, 5]);
  const c1 = z([10, 20, 30]);
  assertClose(out, [c0[0], c1[0], c0[1], c1[1], c0[2], c1[2]], { rtol: 1e-5 });
});

test("an unbound axis name is a clear error", () => {
  assert.throws(
    () => lax.psum(xs, "i"),
    (e: unknown) =>
      e instanceof ValueError && /unbound axis name 'i'/.test(e.message) && /bound axis names: none/.test(e.message),
  );
  assert.throws(
    () => vmap((x: Array) => lax.pmean(x, "batch"), { axisName: "i" })(xs),
    (e: unknown) => e instanceof ValueError && /unbound axis name 'batch'/.test(e.message) && /'i'/.test(e.message),
  );
  assert.throws(() => lax.axisIndex("z"), /unbound axis name 'z'/);
});
