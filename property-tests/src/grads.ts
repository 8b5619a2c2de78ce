/**
 * `checkGrads` — JAX's `jax.test_util.check_grads`: forward mode against central finite
 * differences, reverse mode against finite differences through the dot-product identity, and
 * (order 2) the same checks on the derivative functions themselves.
 *
 * Complex inputs and outputs follow JAX's convention. With the real inner product on (re, im)
 * pairs, ⟨a, b⟩ = Σ re(a)·re(b) + im(a)·im(b), the identity that holds for every map (holomorphic
 * or not) is
 *
 *     ⟨J v, w⟩ = ⟨v, conj(vjp(conj w))⟩
 *
 * because JAX's (and our) transpose rules transpose with respect to the bilinear, non-conjugating
 * pairing Re Σ aᵢ·bᵢ (e.g. the transpose of `mul(·, c)` is `mul(·, c)`, not `mul(·, conj c)`).
 * The naive ⟨J v, w⟩ = ⟨v, vjp(w)⟩ fails already for `z ↦ c·z` with complex `c`; see
 * property-tests/test/transforms.property.test.ts, which checks both statements.
 *
 * Tolerances (per output element j): `atol + rtol·|ref_j| + noise_j`, where `noise_j` bounds
 * the rounding error of the finite difference itself: evaluating f in float32 to within `ulps`
 * ulps of its value perturbs each of the two samples by ulps·2⁻²⁴·|f(x±εv)|, so the central
 * difference carries ulps·2⁻²⁴·(|f(x+εv)| + |f(x−εv)|)/(2ε). With the default ε = 1e-3 that is
 * ≈ 6e-5·ulps/8·|f| — the "FD in float32 has error ~1e-4 relative" rule of thumb, made explicit
 * so that a function with a large value and small derivative does not need a loose `atol`.
 * With a float64 host reference the noise term is negligible and only atol/rtol remain.
 */
import assert from "node:assert/strict";
import { type Array, jvp, vjp, treeFlatten, isInexact, type DType } from "@linax-ts/core";
import { fromValues, hostConj, hostValues, mulberry32, randomLike, realInner, widthOf } from "./host.ts";

/** A float64 host reference: flat input values per argument → flat output values per (inexact) output leaf. */
export type HostReference = (...args: Float64Array[]) => ArrayLike<number>[];

export interface CheckGradsOptions {
  /** Derivative order to check (1 or 2; order 2 checks the jvp/vjp functions themselves). */
  order?: number;
  /** "fwd": jvp against finite differences; "rev": vjp against finite differences via ⟨J v, w⟩ = ⟨v, Jᵀ w⟩. */
  modes?: readonly ("fwd" | "rev")[];
  /** Finite-difference step for float32 evaluation (default 1e-3). */
  eps?: number;
  /** Relative tolerance (default 1e-3 for float32 finite differences, 1e-4 against a host reference). */
  rtol?: number;
  /** Absolute tolerance (default 1e-4 for float32 finite differences, 1e-5 against a host reference). */
  atol?: number;
  /** Assumed accuracy of a float32 evaluation of f, in ulps of its value (default 8); see the module comment. */
  ulps?: number;
  /** Seed of the random directions and cotangents (deterministic). */
  seed?: number;
  /**
   * Float64 host implementation of f (real inputs only): the first-order checks then use central
   * differences of it in float64 (step `hostEps`, default 1e-6) instead of differences of f in float32.
   */
  host?: HostReference;
  hostEps?: number;
}

type Fn = (...args: Array[]) => unknown;

/** The flat output leaves of f, keeping only inexact (differentiable) ones. */
function inexactOut(f: Fn, args: readonly Array[]): Array[] {
  return (treeFlatten(f(...args))[0] as Array[]).filter((o) => isInexact(o.dtype));
}

interface FiniteDifference {
  /** The direction the difference was actually taken along (float32-representable). */
  dirs: Array[];
  /** Central differences, one flat float64 list per inexact output leaf. */
  fd: number[][];
  /** Rounding-noise bound per element (same layout as `fd`). */
  noise: number[][];
  /**
   * Elements where f is not finite at one of the two points (e.g. a max over nothing is -inf):
   * there is no derivative to compare, so the checks skip them (and give them zero cotangents).
   */
  skip: boolean[][];
}

/** Per number (complex: both parts of an element together), whether f is non-finite at either point. */
function skipped(fp: ArrayLike<number>[], fm: ArrayLike<number>[], widths: readonly number[]): boolean[][] {
  return fp.map((p, j) => {
    const w = widths[j] ?? 1;
    const bad = globalThis.Array.from(p, (pv, k) => !Number.isFinite(pv) || !Number.isFinite(fm[j][k]));
    return bad.map((_, k) => bad.slice(k - (k % w), k - (k % w) + w).some((b) => b));
  });
}

/**
 * Central differences of f at `args` along `dirs`, evaluated in float32 through f. The perturbed
 * points are rounded to float32, so the difference is taken along the exactly representable
 * direction (x⁺ − x⁻)/(2ε), which is what the jvp is then compared with.
 */
function floatDifference(
  f: Fn,
  args: readonly Array[],
  dirs: readonly Array[],
  eps: number,
  ulps: number,
): FiniteDifference {
  const plus: Array[] = [];
  const minus: Array[] = [];
  const used: Array[] = [];
  args.forEach((a, i) => {
    const x = hostValues(a);
    const v = hostValues(dirs[i]);
    const xp = x.map((xi, k) => Math.fround(xi + eps * v[k]));
    const xm = x.map((xi, k) => Math.fround(xi - eps * v[k]));
    plus.push(fromValues(xp, a.shape, a.dtype));
    minus.push(fromValues(xm, a.shape, a.dtype));
    used.push(
      fromValues(
        xp.map((p, k) => Math.fround((p - xm[k]) / (2 * eps))),
        a.shape,
        a.dtype,
      ),
    );
  });
  const outs = inexactOut(f, plus);
  const widths = outs.map((o) => widthOf(o.dtype));
  const fp = outs.map(hostValues);
  const fm = inexactOut(f, minus).map(hostValues);
  const u = ulps * 2 ** -24;
  return {
    dirs: used,
    fd: fp.map((p, j) => p.map((pv, k) => (pv - fm[j][k]) / (2 * eps))),
    noise: fp.map((p, j) => p.map((pv, k) => (u * (Math.abs(pv) + Math.abs(fm[j][k]))) / (2 * eps))),
    skip: skipped(fp, fm, widths),
  };
}

/** Central differences of a float64 host reference (no rounding of the perturbed points). */
function hostDifference(
  host: HostReference,
  args: readonly Array[],
  dirs: readonly Array[],
  h: number,
  widths: readonly number[],
): FiniteDifference {
  const xs = args.map((a) => Float64Array.from(hostValues(a)));
  const vs = dirs.map((d) => hostValues(d));
  const fp = host(...xs.map((x, i) => x.map((xi, k) => xi + h * vs[i][k])));
  const fm = host(...xs.map((x, i) => x.map((xi, k) => xi - h * vs[i][k])));
  const fd = fp.map((p, j) => globalThis.Array.from(p, (pv, k) => (pv - fm[j][k]) / (2 * h)));
  return { dirs: [...dirs], fd, noise: fd.map((r) => r.map(() => 0)), skip: skipped(fp, fm, widths) };
}

function elementTol(fd: FiniteDifference, j: number, k: number, other: number, rtol: number, atol: number): number {
  return atol + rtol * Math.max(Math.abs(fd.fd[j][k]), Math.abs(other)) + fd.noise[j][k];
}

function fmtList(xs: ArrayLike<number>): string {
  return globalThis.Array.from(xs)
    .slice(0, 12)
    .map((v) => v.toPrecision(6))
    .join(", ");
}

/** Forward mode: jvp(f)(args; v) equals the central difference along v, element by element. */
function checkFwd(
  f: Fn,
  args: readonly Array[],
  fd: FiniteDifference,
  rtol: number,
  atol: number,
  where: string,
): void {
  const [, tOut] = jvp((...xs: Array[]) => inexactOut(f, xs), [...args], fd.dirs) as unknown as [Array[], Array[]];
  assert.equal(tOut.length, fd.fd.length, `${where}: jvp has ${tOut.length} inexact outputs but f has ${fd.fd.length}`);
  tOut.forEach((t, j) => {
    const tv = hostValues(t);
    for (let k = 0; k < tv.length; k++) {
      if (fd.skip[j][k]) continue;
      const tol = elementTol(fd, j, k, tv[k], rtol, atol);
      const err = Math.abs(tv[k] - fd.fd[j][k]);
      if (!(err <= tol)) {
        assert.fail(
          `${where} (fwd): output ${j} element ${k}: jvp ${tv[k]} vs finite difference ${fd.fd[j][k]} (|diff| ${err.toExponential(3)} > tol ${tol.toExponential(3)})\n  jvp: ${fmtList(tv)}\n  fd:  ${fmtList(fd.fd[j])}`,
        );
      }
    }
  });
}

/**
 * The cotangents ws: random per inexact output, zero on the elements the differences skip (where
 * f is not finite) and on integer/bool outputs.
 */
function cotangents(outs: readonly Array[], rand: () => number, fd: FiniteDifference): Array[] {
  let j = 0;
  return outs.map((o) => {
    if (!isInexact(o.dtype)) return fromValues(new Float64Array(o.size * widthOf(o.dtype)), o.shape, o.dtype as DType);
    const skip = fd.skip[j++];
    return fromValues(
      hostValues(randomLike(o, rand)).map((v, k) => (skip[k] ? 0 : v)),
      o.shape,
      o.dtype,
    );
  });
}

/**
 * Reverse mode: with w random, ⟨v, conj(vjp(conj w))⟩ equals ⟨FD(v), w⟩ (JAX's check_vjp). The
 * tolerance adds the finite-difference noise bound of each element weighted by |w|.
 */
function checkRev(
  f: Fn,
  args: readonly Array[],
  fd: FiniteDifference,
  ws: readonly Array[],
  rtol: number,
  atol: number,
  where: string,
): void {
  const [outs, pb] = vjp((...xs: Array[]) => treeFlatten(f(...xs))[0] as Array[], ...args) as unknown as [
    Array[],
    (ct: Array[]) => Array[],
  ];
  const cts = pb(ws.map(hostConj)).map(hostConj);
  const lhs = realInner(fd.dirs, cts);
  const inexactWs = ws.filter((_, i) => isInexact(outs[i].dtype));
  let rhs = 0;
  let rhsScale = 0;
  let fdErr = 0;
  inexactWs.forEach((w, j) => {
    const wv = hostValues(w);
    wv.forEach((wk, k) => {
      if (wk === 0) return; // skipped elements (their FD may be NaN) carry no weight
      rhs += fd.fd[j][k] * wk;
      rhsScale += Math.abs(fd.fd[j][k] * wk);
      fdErr += Math.abs(wk) * fd.noise[j][k];
    });
  });
  // rtol covers the truncation error of the differences and float32 rounding of both sums (relative
  // to Σ|terms|, not to the possibly cancelling total); fdErr the rounding noise of the differences.
  const tol = atol + rtol * Math.max(lhs.scale, rhsScale) + fdErr;
  const err = Math.abs(lhs.value - rhs);
  if (!(err <= tol))
    assert.fail(
      `${where} (rev): ⟨v, conj(vjp(conj w))⟩ = ${lhs.value} but ⟨FD(v), w⟩ = ${rhs} (|diff| ${err.toExponential(3)} > tol ${tol.toExponential(3)})`,
    );
}

/**
 * Check the derivatives of `f` at `args` (arrays; every argument is differentiated — close over
 * the others): forward mode against central finite differences along a random direction v,
 * reverse mode through `⟨v, conj(vjp(conj w))⟩ = ⟨FD(v), w⟩` for a random cotangent w, and with
 * `order: 2` the same checks of `x ↦ jvp(f)(x; v)` (fwd) and `x ↦ vjp(f)(x)(w)` (rev).
 * Integer and bool output leaves are ignored (their tangents are zero by definition).
 */
export function checkGrads(f: Fn, args: readonly Array[], opts: CheckGradsOptions = {}): void {
  const { order = 1, modes = ["fwd", "rev"], eps = 1e-3, ulps = 8, seed = 0, hostEps = 1e-6 } = opts;
  const useHost = opts.host !== undefined;
  const rtol = opts.rtol ?? (useHost ? 1e-4 : 1e-3);
  const atol = opts.atol ?? (useHost ? 1e-5 : 1e-4);
  for (const a of args) {
    if (!isInexact(a.dtype))
      throw new TypeError(
        `checkGrads: argument of dtype ${a.dtype} cannot be differentiated (close over integer arguments)`,
      );
  }
  const rand = mulberry32(seed);
  const dirs = args.map((a) => randomLike(a, rand));
  const fd = useHost
    ? hostDifference(
        opts.host as HostReference,
        args,
        dirs,
        hostEps,
        inexactOut(f, args).map((o) => widthOf(o.dtype)),
      )
    : floatDifference(f, args, dirs, eps, ulps);
  const where = `checkGrads(order ${order}${useHost ? ", float64 host reference" : ""})`;
  if (modes.includes("fwd")) checkFwd(f, args, fd, rtol, atol, where);
  const outs = treeFlatten(f(...args))[0] as Array[];
  const ws = cotangents(outs, rand, fd);
  if (modes.includes("rev")) checkRev(f, args, fd, ws, rtol, atol, where);
  if (order > 1) {
    // Second order: the derivative functions are differentiated in float32 (no host reference).
    const sub = { ...opts, host: undefined, order: order - 1, seed: seed + 1 };
    const nested = (what: string, run: () => void) => {
      try {
        run();
      } catch (e) {
        throw new assert.AssertionError({ message: `order ${order}, derivative of ${what}: ${(e as Error).message}` });
      }
    };
    if (modes.includes("fwd")) {
      const fJvp = (...xs: Array[]) => jvp((...ys: Array[]) => inexactOut(f, ys), xs, fd.dirs)[1];
      nested("x ↦ jvp(f)(x; v)", () => checkGrads(fJvp, args, { ...sub, modes: ["fwd"] }));
    }
    if (modes.includes("rev")) {
      const fVjp = (...xs: Array[]) =>
        (vjp((...ys: Array[]) => treeFlatten(f(...ys))[0] as Array[], ...xs)[1] as (ct: Array[]) => Array[])(ws);
      nested("x ↦ vjp(f)(x)(w)", () => checkGrads(fVjp, args, { ...sub, modes: ["rev"] }));
    }
  }
}
