import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, grad, jit, vmap, jvp, linearize, makeJaxpr, TracerLeakError, ShapeError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

// A small RNN-like recurrence with a pytree carry, used throughout:
//   h' = tanh(w·h + x),  s' = s + h'²,  y = w·h'      loss = Σ s_T + Σ ys
const T = 7;
const D = 3;
const xsHost = globalThis.Array.from({ length: T }, (_, t) =>
  globalThis.Array.from({ length: D }, (_, d) => Math.sin(1.3 * t + 0.7 * d) * 0.8),
);
const wHost = [0.9, -0.6, 1.2];
const h0Host = [0.1, -0.2, 0.3];

type Carry = { h: Array; s: Array };
function step(w: Array) {
  return (c: Carry, x: Array): [Carry, Array] => {
    const h = lax.tanh(lax.add(lax.mul(w, c.h), x));
    return [{ h, s: lax.add(c.s, lax.mul(h, h)) }, lax.mul(w, h)];
  };
}
const xs = np.array(xsHost);
const lossScan = (w: Array, opts: { reverse?: boolean } = {}) => {
  const [c, ys] = lax.scan(step(w), { h: np.array(h0Host), s: np.array([0, 0, 0]) }, xs, opts);
  return np.sum(lax.add(c.s, lax.reduceSum(ys, [0])));
};
const lossUnrolled = (w: Array) => {
  let c: Carry = { h: np.array(h0Host), s: np.array([0, 0, 0]) };
  let acc = np.array([0, 0, 0]);
  for (let t = 0; t < T; t++) {
    const [c2, y] = step(w)(c, np.array(xsHost[t]));
    c = c2;
    acc = lax.add(acc, y);
  }
  return np.sum(lax.add(c.s, acc));
};
/** The same loss in float64 on the host. */
function lossHost(w: number[], reverse = false): number {
  let h = [...h0Host];
  const s = [0, 0, 0];
  let ys = 0;
  for (let k = 0; k < T; k++) {
    const t = reverse ? T - 1 - k : k;
    h = h.map((hv, d) => Math.tanh(w[d] * hv + xsHost[t][d]));
    h.forEach((hv, d) => {
      s[d] += hv * hv;
      ys += w[d] * hv;
    });
  }
  return s.reduce((a, b) => a + b) + ys;
}
function centralDiff(f: (x: number[]) => number, x: number[], eps = 1e-6): number[] {
  return x.map((_, i) => {
    const p = [...x];
    const m = [...x];
    p[i] += eps;
    m[i] -= eps;
    return (f(p) - f(m)) / (2 * eps);
  });
}

test("scan values match a host loop (forward and reverse)", () => {
  assertClose(lossScan(np.array(wHost)), lossHost(wHost), { rtol: 1e-5 });
  assertClose(lossScan(np.array(wHost), { reverse: true }), lossHost(wHost, true), { rtol: 1e-5 });
});

test("scan stacks ys in index order, also when reverse", () => {
  const cum = (reverse: boolean) =>
    lax.scan(
      (c: Array, x: Array) => [lax.add(c, x), lax.add(c, x)] as [Array, Array],
      np.array(0),
      np.array([1, 2, 3, 4]),
      { reverse },
    );
  const [c, ys] = cum(false);
  assertClose(c, 10);
  assertClose(ys, [1, 3, 6, 10]);
  const [cr, ysr] = cum(true);
  assertClose(cr, 10);
  assertClose(ysr, [10, 9, 7, 4]);
});

test("scan without xs (length option), with pytree xs and an integer counter", () => {
  const [[i, v], ys] = lax.scan(
    ([k, acc]: [Array, Array]) =>
      [[lax.add(k, np.array(1, { dtype: "int32" })), lax.mul(acc, np.array(2))], k] as [[Array, Array], Array],
    [np.array(0, { dtype: "int32" }), np.array(1)] as [Array, Array],
    null,
    { length: 5 },
  );
  assert.equal(i.item(), 5);
  assertClose(v, 32);
  assert.deepEqual(ys.tolist(), [0, 1, 2, 3, 4]);
  const [s] = lax.scan(
    (c: Array, x: { a: Array; b: Array }) => [lax.add(c, lax.mul(x.a, x.b)), null] as [Array, null],
    np.array(0),
    {
      a: np.array([1, 2, 3]),
      b: np.array([4, 5, 6]),
    },
  );
  assertClose(s, 32);
});

test("grad through scan matches float64 central differences and the unrolled loop", () => {
  const w = np.array(wHost);
  const g = grad(lossScan)(w) as Array;
  assertClose(
    g,
    centralDiff((v) => lossHost(v), wHost),
    { rtol: 2e-4, atol: 2e-5 },
  );
  assertClose(g, grad(lossUnrolled)(w) as Array, { rtol: 1e-5, atol: 1e-6 });
  const gr = grad((v: Array) => lossScan(v, { reverse: true }))(w) as Array;
  assertClose(
    gr,
    centralDiff((v) => lossHost(v, true), wHost),
    { rtol: 2e-4, atol: 2e-5 },
  );
});

test("grad through scan w.r.t. init carry and xs", () => {
  const f = (h0: Array, x: Array) => {
    const [c, ys] = lax.scan(step(np.array(wHost)), { h: h0, s: np.array([0, 0, 0]) }, x);
    return np.sum(lax.add(c.s, lax.reduceSum(ys, [0])));
  };
  const [gh, gx] = grad(f, { argnums: [0, 1] })(np.array(h0Host), xs) as Array[];
  const hostH = (h0: number[]) => {
    const saved = [...h0Host];
    h0Host.splice(0, 3, ...h0);
    const v = lossHost(wHost);
    h0Host.splice(0, 3, ...saved);
    return v;
  };
  assertClose(gh, centralDiff(hostH, [...h0Host]), { rtol: 2e-4, atol: 2e-5 });
  const flatX = xsHost.flat();
  const hostX = (v: number[]) => {
    const saved = xsHost.map((r) => [...r]);
    for (let t = 0; t < T; t++) for (let d = 0; d < D; d++) xsHost[t][d] = v[t * D + d];
    const out = lossHost(wHost);
    saved.forEach((r, t) => (xsHost[t] = r));
    return out;
  };
  assertClose(gx, centralDiff(hostX, flatX), { rtol: 2e-4, atol: 2e-5, shape: [T, D] });
});

test("the jaxpr of grad(scan) is a forward scan plus a reverse scan, not an unrolled loop", () => {
  const s = String(makeJaxpr(grad(lossScan))(np.array(wHost)));
  const scans = s.match(/= scan\[/g) ?? [];
  assert.equal(scans.length, 2, s);
  assert.match(s, /scan\[length=7 reverse=false/);
  assert.match(s, /scan\[length=7 reverse=true/);
  // One tanh in the forward body; the backward body reads saved residuals instead.
  const tanhs = s.match(/tanh/g) ?? [];
  assert.ok(tanhs.length < T, `expected no per-step tanh, got ${tanhs.length}:\n${s}`);
});

test("jvp and linearize through scan agree with the host derivative", () => {
  const dir = [0.3, -0.1, 0.5];
  const fd = centralDiff((v) => lossHost(v), wHost).reduce((a, g, i) => a + g * dir[i], 0);
  const [, t] = jvp(lossScan, [np.array(wHost)], [np.array(dir)]);
  assertClose(t, fd, { rtol: 2e-4 });
  const [, fLin] = linearize(lossScan, np.array(wHost));
  assertClose(fLin(np.array(dir)), fd, { rtol: 2e-4 });
});

test("vmap of scan equals stacking per-example scans (batched carry and batched xs)", () => {
  const ws = [wHost, [0.5, 0.5, -0.5], [1.5, 0.1, 0.2]];
  const out = vmap(lossScan as (w: Array) => Array)(np.array(ws));
  assertClose(
    out,
    ws.map((w) => lossHost(w)),
    { rtol: 1e-5 },
  );
  // xs batched along axis 1, carry unbatched: the carry becomes batched through the body.
  const f = (x: Array) =>
    lax.scan((c: Array, xi: Array) => [lax.add(lax.mul(c, np.array(0.5)), xi), c] as [Array, Array], np.array(1), x);
  const xb = np.array([
    [1, 2],
    [3, 4],
    [5, 6],
  ]);
  const [cB, ysB] = vmap(f, { inAxes: 1 })(xb);
  const per = [0, 1].map((j) => f(np.array([1, 3, 5].map((v) => v + j))));
  assertClose(
    cB,
    per.map(([c]) => c.item()),
  );
  assertClose(
    ysB,
    per.flatMap(([, ys]) => ys.tolist() as number[]),
    { shape: [2, 3] },
  );
  // vmap of grad through scan.
  const gs = vmap(grad(lossScan) as (w: Array) => Array)(np.array(ws));
  assertClose(
    gs,
    ws.flatMap((w) => centralDiff((v) => lossHost(v), w)),
    { rtol: 3e-4, atol: 3e-5 },
  );
});

test("jit(scan) == scan, grad(jit) == grad", () => {
  const w = np.array(wHost);
  assertClose(jit(lossScan)(w), lossScan(w), { rtol: 1e-6 });
  assertClose(grad(jit(lossScan))(w) as Array, grad(lossScan)(w) as Array, { rtol: 1e-5 });
  assertClose(jit(grad(lossScan))(w) as Array, grad(lossScan)(w) as Array, { rtol: 1e-5 });
});

test("nested scans differentiate (inner scan in the outer body)", () => {
  const f = (w: Array) =>
    lax.scan(
      (c: Array, x: Array) => {
        const [ci] = lax.scan(
          (a: Array, b: Array) => [lax.sin(lax.add(lax.mul(a, w), b)), null] as [Array, null],
          c,
          lax.broadcastInDim(x, [3], []),
        );
        return [ci, null] as [Array, null];
      },
      np.array(0.2),
      np.array([0.1, 0.2]),
    )[0];
  const host = (w: number) => {
    let c = 0.2;
    for (const x of [0.1, 0.2]) for (let k = 0; k < 3; k++) c = Math.sin(c * w + x);
    return c;
  };
  assertClose(grad(f)(np.array(0.8)) as Array, (host(0.8 + 1e-6) - host(0.8 - 1e-6)) / 2e-6, { rtol: 1e-4 });
});

test("lax.map applies f to each leading slice", () => {
  const out = lax.map((x: Array) => lax.mul(x, x), np.array([1, 2, 3]));
  assertClose(out, [1, 4, 9]);
});

test("foriLoop with static bounds lowers to scan and is reverse-differentiable", () => {
  // c ← c·x + i, five times from c = 1.
  const f = (x: Array) =>
    lax.foriLoop(
      0,
      5,
      (i: Array, c: Array) => lax.add(lax.mul(c, x), lax.convertElementType(i, "float32")),
      np.array(1),
    );
  const host = (x: number) => {
    let c = 1;
    for (let i = 0; i < 5; i++) c = c * x + i;
    return c;
  };
  assertClose(f(np.array(1.3)), host(1.3), { rtol: 1e-6 });
  assertClose(grad(f)(np.array(1.3)) as Array, (host(1.3 + 1e-6) - host(1.3 - 1e-6)) / 2e-6, { rtol: 1e-4 });
  assert.match(String(makeJaxpr(f)(np.array(1.3))), /scan\[length=5/);
});

test("a carry that changes shape is a clear error naming the leaf and the shapes", () => {
  assert.throws(
    () =>
      lax.scan(
        (c: { h: Array }, x: Array) => [{ h: lax.reduceSum(lax.add(c.h, x), [0]) }, null],
        { h: np.array([1, 2, 3]) },
        np.array([[1, 2, 3]]),
      ),
    (e: unknown) =>
      e instanceof ShapeError &&
      /carry\.h/.test(e.message) &&
      /f32\[3\]/.test(e.message) &&
      /\[3\] → \[\]/.test(e.message),
  );
  assert.throws(
    () => lax.scan((c: Array) => [lax.convertElementType(c, "int32"), null], np.array(1), null, { length: 2 }),
    (e: unknown) => e instanceof ShapeError && /float32 → int32/.test(e.message),
  );
  assert.throws(
    () =>
      lax.scan((c: Array, x: { a: Array; b: Array }) => [c, x.a], np.array(0), {
        a: np.array([1, 2]),
        b: np.array([1, 2, 3]),
      }),
    /leading axis 3/,
  );
});

test("a tracer leaked from a scan body raises TracerLeakError when used", () => {
  let leaked: Array | undefined;
  lax.scan(
    (c: Array, x: Array) => {
      leaked = c;
      return [lax.add(c, x), null] as [Array, null];
    },
    np.array(0),
    np.array([1, 2]),
  );
  assert.throws(() => lax.add(leaked as Array, leaked as Array), TracerLeakError);
});
