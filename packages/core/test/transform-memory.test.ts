/**
 * Eager transforms free their intermediates themselves, not through the garbage collector
 * (transforms/owned.ts): after many eager grad / valueAndGrad / vmap / jvp / vjp / linearize /
 * jacfwd / jacrev calls — no GC run in between — the live-buffer count is exactly where it was,
 * and the values are unchanged. Before, a 3-op grad left 9 buffers per call for the collector
 * (vjp and jvp 7, grad∘grad 30, vmap∘grad 11).
 *
 * The other half: what must NOT be freed — the caller's arrays, arrays the user made inside the
 * transformed function and kept, concrete values handed to user code, residuals a returned
 * pullback holds, constants a jit cache holds.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  getBackend,
  grad,
  valueAndGrad,
  vmap,
  jvp,
  vjp,
  linearize,
  jit,
  jacfwd,
  jacrev,
  treeLeaves,
  UseAfterDisposeError,
  type Array,
} from "linax-ts";

const b = getBackend();
/** f(x) = Σ sin(x²): three primitives (mul, sin, reduce_sum). */
const f = (x: Array): Array => np.sum(np.sin(np.multiply(x, x)));
const xs = [0.5, 1, 1.5];
const x = np.array(xs);
/** ∂f/∂x = 2x·cos(x²), by hand. */
const df = xs.map((v) => 2 * v * Math.cos(v * v));

const close = (got: number[], want: number[], tol = 1e-5): void => {
  assert.equal(got.length, want.length);
  got.forEach((g, i) =>
    assert.ok(Math.abs(g - want[i]) <= tol * Math.max(1, Math.abs(want[i])), `element ${i}: ${g} vs ${want[i]}`),
  );
};
const flatNums = (a: Array): number[] => (a.tolist() as unknown as number[]).flat(3) as number[];
const disposeAll = (r: unknown): void => {
  for (const l of treeLeaves(r as never) as unknown[]) (l as Array).dispose();
};

/**
 * Call `fn` (which returns fresh arrays) `n` times, checking its values with `check` on the first
 * and last call and disposing its outputs: the live-buffer count must not move.
 */
function flat(name: string, n: number, fn: () => unknown, check: (r: unknown) => void): void {
  const warm = fn();
  check(warm);
  disposeAll(warm);
  const before = b.liveBuffers();
  for (let i = 0; i < n; i++) {
    const r = fn();
    if (i === n - 1) check(r);
    disposeAll(r);
  }
  assert.equal(b.liveBuffers() - before, 0, `${name}: ${b.liveBuffers() - before} buffers left after ${n} calls`);
}

const N = 300;

test("eager grad and valueAndGrad leave no buffer behind, with unchanged values", () => {
  flat(
    "grad",
    N,
    () => grad(f)(x),
    (g) => close(flatNums(g as Array), df),
  );
  flat(
    "valueAndGrad",
    N,
    () => valueAndGrad(f)(x),
    (r) => {
      const [v, g] = r as [Array, Array];
      close([v.item()], [xs.reduce((s, t) => s + Math.sin(t * t), 0)]);
      close(flatNums(g), df);
    },
  );
  // hasAux: the aux array comes back alive; the value (dropped by grad) is freed.
  flat(
    "grad hasAux",
    N,
    () => grad((v: Array) => [f(v), np.multiply(v, 3)] as [Array, Array], { hasAux: true })(x),
    (r) => {
      const [g, aux] = r as [Array, Array];
      close(flatNums(g), df);
      close(flatNums(aux), [1.5, 3, 4.5]);
    },
  );
  // A JS scalar inside f (its array, its broadcast) and a scalar residual (cos of a sum).
  flat(
    "grad with scalars",
    N,
    () => grad((v: Array) => np.sin(np.sum(np.multiply(v, 2.5))))(x),
    (g) =>
      close(
        flatNums(g as Array),
        xs.map(() => 2.5 * Math.cos(2.5 * 3)),
      ),
  );
});

test("eager vmap (moved axes included), jvp, vjp and linearize leave no buffer behind", () => {
  const h = (v: Array): Array => np.sin(np.multiply(v, v));
  const y = np.array([
    [0.5, 1, 1.5],
    [2, 2.5, 3],
  ]);
  const hy = [0.5, 1, 1.5, 2, 2.5, 3].map((v) => Math.sin(v * v));
  flat(
    "vmap",
    N,
    () => vmap(h)(y),
    (r) => close(flatNums(r as Array), hy),
  );
  // Batch axis 1 in and out: the values before moveBdim are intermediates.
  const yt = np.transpose(y);
  flat(
    "vmap inAxes 1 / outAxes 1",
    N,
    () => vmap(h, { inAxes: 1, outAxes: 1 })(yt),
    (r) => {
      const back = np.transpose(r as Array);
      close(flatNums(back), hy);
      back.dispose();
    },
  );
  flat(
    "vmap with a JS scalar",
    N,
    () => vmap((v: Array) => np.multiply(v, 2))(y),
    (r) => close(flatNums(r as Array), [1, 2, 3, 4, 5, 6]),
  );
  const t = np.array([1, 0, 2]);
  const two = np.array(2);
  const jvpWant = xs.map((v, i) => 2 * v * Math.cos(v * v) * [1, 0, 2][i]).reduce((s, e) => s + e, 0);
  flat(
    "jvp",
    N,
    () => jvp(f, [x], [t]),
    (r) => close([(r as Array[])[1].item()], [jvpWant]),
  );
  flat(
    "vjp (pullback disposed)",
    N,
    () => {
      const [yv, pb] = vjp(f, x);
      const [g] = pb(two);
      pb.dispose();
      return [yv, g];
    },
    (r) =>
      close(
        flatNums((r as Array[])[1]),
        df.map((d) => 2 * d),
      ),
  );
  flat(
    "linearize (linear function disposed)",
    N,
    () => {
      const [yv, fl] = linearize(f, x);
      const out = fl(t);
      fl.dispose();
      return [yv, out];
    },
    (r) => close([(r as Array[])[1].item()], [jvpWant]),
  );
});

test("nested and derived eager transforms leave no buffer behind", () => {
  // d²/dx² Σ sin(x²) summed: Σ (2cos(x²) − 4x² sin(x²)).
  const d2 = xs.map((v) => 2 * Math.cos(v * v) - 4 * v * v * Math.sin(v * v));
  flat(
    "grad∘grad",
    N,
    () => grad((v: Array) => np.sum(grad(f)(v)))(x),
    (g) => close(flatNums(g as Array), d2, 1e-4),
  );
  const y = np.array([
    [0.5, 1, 1.5],
    [1, 2, 3],
  ]);
  const dy = [0.5, 1, 1.5, 1, 2, 3].map((v) => 2 * v * Math.cos(v * v));
  flat(
    "vmap∘grad",
    N,
    () => vmap(grad(f))(y),
    (g) => close(flatNums(g as Array), dy, 1e-4),
  );
  flat(
    "vmap∘grad with a JS scalar",
    N,
    () => vmap(grad((v: Array) => np.sum(np.sin(np.multiply(v, 3)))))(y),
    (g) =>
      close(
        flatNums(g as Array),
        [0.5, 1, 1.5, 1, 2, 3].map((v) => 3 * Math.cos(3 * v)),
        1e-4,
      ),
  );
  const jac = xs.flatMap((_, i) => xs.map((v, j) => (i === j ? 2 * v * Math.cos(v * v) : 0)));
  const h = (v: Array): Array => np.sin(np.multiply(v, v));
  flat(
    "jacfwd",
    100,
    () => jacfwd(h)(x),
    (r) => close(flatNums(r as Array), jac),
  );
  flat(
    "jacrev",
    100,
    () => jacrev(h)(x),
    (r) => close(flatNums(r as Array), jac),
  );
});

test("arrays the user keeps survive: inputs, arrays made inside f, unbatched values, residuals", () => {
  let madeInside: Array | undefined;
  let unbatched: Array | undefined;
  const w = np.array([1, 2, 3]);
  const g = grad((v: Array) => {
    madeInside = np.multiply(w, 2); // concrete: the user's, whatever the transform does
    return np.sum(np.multiply(v, madeInside));
  })(x);
  assert.deepEqual(g.tolist(), [2, 4, 6]);
  assert.deepEqual(madeInside!.tolist(), [2, 4, 6]);
  assert.deepEqual(x.tolist(), xs);
  const out = vmap((v: Array) => {
    // Does not depend on the mapped value: a concrete array handed back to user code.
    unbatched = np.sum(np.zerosLike(v));
    return np.add(v, 1);
  })(np.array([[1], [2]]));
  assert.deepEqual(out.tolist(), [[2], [3]]);
  assert.equal(unbatched!.item(), 0);
  // A pullback keeps its residuals until disposed; it can be called again meanwhile.
  const [, pb] = vjp(f, x);
  close(flatNums(pb(np.array(1))[0]), df);
  close(flatNums(pb(np.array(1))[0]), df);
  const before = b.liveBuffers();
  pb.dispose();
  assert.ok(b.liveBuffers() < before, "dispose frees the residuals");
  pb.dispose(); // twice is harmless
  assert.throws(
    () => pb(np.array(1)),
    (e: Error) => e instanceof UseAfterDisposeError && /vjp: the pullback was called after dispose/.test(e.message),
  );
  // The input, itself a residual here (d(x·x) = 2x·dx), is the caller's: never freed.
  assert.deepEqual(x.tolist(), xs);
  // A residual that is also an output of f stays alive with the output.
  const [yv, pb2] = vjp((v: Array) => np.sin(v), x);
  pb2.dispose();
  close(flatNums(yv), xs.map(Math.sin));
});

test("constants captured by a jit cache or a scan inside an eager grad stay valid across calls", () => {
  const inner = jit((v: Array) => np.multiply(np.sin(v), np.array([1, 2, 3])));
  const body = (v: Array): Array => np.sum(inner(np.multiply(v, 1.5)));
  const want = xs.map((v, i) => 1.5 * Math.cos(1.5 * v) * (i + 1));
  for (let k = 0; k < 3; k++) close(flatNums(grad(body)(x)), want);
  // A scan: its body jaxpr is staged (with a literal) inside the eager grad.
  const scanned = (v: Array): Array => {
    const [c] = lax.scan(
      (carry: Array, e: Array) => [np.add(carry, np.multiply(np.sin(e), 2)), carry] as [Array, Array],
      np.array(0),
      v,
    );
    return c as Array;
  };
  // (Not flat yet: the constants its staged rules capture — instantiated zero tangents, a literal
  // 2 — are left to the collector, since a staged jaxpr may be cached; see owned.ts `captured`.)
  for (let k = 0; k < 3; k++)
    close(
      flatNums(grad(scanned)(x)),
      xs.map((v) => 2 * Math.cos(v)),
    );
});
