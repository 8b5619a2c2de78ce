/**
 * The public transforms over pytrees: jvp, vjp, linearize, grad, valueAndGrad, vmap, jit,
 * makeJaxpr. Each flattens its inputs, runs the flat transform and rebuilds the outputs.
 */
import { Array } from "../core/array.ts";
import { evalJaxpr, type ClosedJaxpr } from "../core/jaxpr.ts";
import { Tracer } from "../core/trace.ts";
import { DTypeError, InternalError, ShapeError, UseAfterDisposeError, ValueError } from "../errors.ts";
import type { ConcreteArray } from "../core/concrete.ts";
import { isComplex, isInexact } from "../dtype.ts";
import { treeFlatten, treeUnflatten, type TreeDef } from "../tree/pytree.ts";
import { jvpFlat } from "./jvp.ts";
import { linearizeFlat, vjpFlat } from "./transpose.ts";
import { traceToJaxpr } from "./staging.ts";
import { vmapFlatRaw } from "./vmap.ts";
import { jitP, openJaxpr } from "../primitives/control/jit.ts";
import { moveBdim } from "../primitives/batching.ts";
import { asArray, scalarArray } from "../numpy/convert.ts";
import { fullLike } from "../primitives/elementwise.ts";
import { withTransformContext } from "./trace-context.ts";
import { clearJitCaches, JitCache } from "./jit-cache.ts";
import { donatedOperands, donatedPositions, donationApplies } from "./donation.ts";
import { config } from "../config.ts";
import { asUser, eagerScope, jaxprArrays, release } from "./owned.ts";
import type {
  AnyFunction,
  ArgnumsOf,
  ArgsLike,
  ArrayFunction,
  GradFunction,
  HasAuxOf,
  Jitted,
  Promoted,
  ScalarOutput,
  ValueAndGradFunction,
  Vmapped,
} from "./types.ts";

/** Flatten a list of pytree arguments; numbers/booleans become (weakly typed) arrays. */
function flattenArgs(args: readonly unknown[], what: string): [Array[], TreeDef] {
  const [leaves, def] = treeFlatten(args as unknown[]);
  const arrays = leaves.map((l, i) => {
    if (l instanceof Array) return l;
    // Numbers passed to transforms are weak float32 (JS has no separate float literal).
    if (typeof l === "number") return scalarArray(l, "float32", true);
    if (typeof l === "boolean") return asArray(l);
    throw new ValueError(
      `${what}: argument leaf ${i} is ${describe(l)}; expected an Array or a number (mark non-array arguments static, or close over them)`,
    );
  });
  return [arrays, def];
}
function describe(x: unknown): string {
  if (x === null) return "null";
  // A JS list (a pytree node) is not one of our Arrays: say so, or "an object of type Array" confuses.
  if (globalThis.Array.isArray(x)) return `a list of length ${x.length}`;
  if (typeof x === "object") return `an object of type ${(x as object).constructor?.name ?? "Object"}`;
  return `a ${typeof x}`;
}

/** Wrap a pytree function as a flat one; `outTree()` is set after the first call. */
function flatten<F extends (...a: never[]) => unknown>(
  f: F,
  inTree: TreeDef,
  what: string,
): { flat: (...xs: Array[]) => Array[]; outTree: () => TreeDef } {
  let out: TreeDef | undefined;
  const flat = (...xs: Array[]): Array[] => {
    const args = treeUnflatten<unknown[]>(inTree, xs);
    const res = asUser(() => (f as unknown as (...a: unknown[]) => unknown)(...args));
    const [leaves, def] = flattenArgs([res], `${what} output`);
    out = def;
    return leaves;
  };
  return {
    flat,
    outTree: () => {
      if (out === undefined) throw new InternalError("outTree read before the function ran");
      return out;
    },
  };
}
const unwrap1 = <T>(def: TreeDef, leaves: readonly unknown[]): T => treeUnflatten<[T]>(def, leaves)[0];

/**
 * Forward-mode: `[f(...primals), J·tangents]` for pytrees of arrays. `primals` are `f`'s arguments
 * as a list; `tangents` has their structure (numbers promoted to arrays).
 */
export function jvp<F extends AnyFunction = ArrayFunction>(
  f: F,
  primals: ArgsLike<Parameters<F>>,
  tangents: ArgsLike<Promoted<Parameters<F>>>,
): [Promoted<ReturnType<F>>, Promoted<ReturnType<F>>];
export function jvp(f: AnyFunction, primals: readonly unknown[], tangents: readonly unknown[]): [unknown, unknown] {
  const [ps, inTree] = flattenArgs(primals, "jvp primals");
  const [ts, tTree] = flattenArgs(tangents, "jvp tangents");
  if (!tTree.equals(inTree))
    throw new ValueError(`jvp: primals and tangents have different structures: ${inTree} vs ${tTree}`);
  ps.forEach((p, i) => {
    if (
      !ts[i].aval.strong().equals(p.aval.strong()) &&
      !(ts[i].aval.weakType && ts[i].shape.length === p.shape.length)
    ) {
      throw new ShapeError(`jvp: tangent ${i} has type ${ts[i].aval} but its primal has type ${p.aval}`);
    }
  });
  const { flat, outTree } = flatten(f, inTree, "jvp");
  // Eagerly, the intermediates are freed when jvp returns (owned.ts); the outputs are kept.
  const [po, to] = eagerScope(
    () => withTransformContext("jvp", f, () => jvpFlat(flat, ps, ts)),
    ([p, t]) => [...p, ...t],
  ).result;
  return [unwrap1(outTree(), po), unwrap1(outTree(), to as Array[])];
}

/**
 * A function that holds residuals of the transform that made it (vjp's pullback, linearize's
 * linear function). They are freed with it by the garbage collector, or at once by `dispose()`
 * (or a `using` declaration) — after which calling it is an error.
 */
export type ResidualFunction<Fn extends (...args: never[]) => unknown> = Fn & {
  /** Free the residuals this function holds (the arrays the transform made for it); idempotent. */
  dispose(): void;
  [Symbol.dispose](): void;
};

/** Attach `dispose` to `fn`: it releases `retained` (a scope's kept arrays) except the user's `outputs`. */
function withResiduals<Fn extends (...args: never[]) => unknown>(
  what: string,
  fn: Fn,
  retained: readonly ConcreteArray[],
  outputs: readonly Array[],
): ResidualFunction<Fn> {
  let disposed = false;
  // Arrays a call returned (weakly: they are the caller's); dispose never frees one of them.
  const given = new WeakSet<object>();
  const guarded = ((...args: Parameters<Fn>) => {
    if (disposed) throw new UseAfterDisposeError(`${what} was called after dispose()`);
    const r = fn(...args);
    for (const l of treeFlatten(r)[0]) if (l instanceof Array) given.add(l);
    return r;
  }) as unknown as ResidualFunction<Fn>;
  guarded.dispose = () => {
    if (disposed) return;
    disposed = true;
    release(
      retained.filter((a) => !given.has(a)),
      outputs,
    );
  };
  guarded[Symbol.dispose] = guarded.dispose;
  return guarded;
}

/**
 * `[f(...primals), fLin]` where `fLin(...tangents)` evaluates the JVP at the linearization point.
 * `fLin.dispose()` frees its residuals at once (else the collector does, with `fLin`).
 */
export function linearize<F extends AnyFunction = ArrayFunction>(
  f: F,
  ...primals: ArgsLike<Parameters<F>>
): [Promoted<ReturnType<F>>, ResidualFunction<(...tangents: Promoted<Parameters<F>>) => Promoted<ReturnType<F>>>];
export function linearize(f: AnyFunction, ...primals: unknown[]): [unknown, (...tangents: unknown[]) => unknown] {
  const [ps, inTree] = flattenArgs(primals, "linearize");
  const { flat, outTree } = flatten(f, inTree, "linearize");
  // Kept: the outputs and what fLin holds (the linear jaxpr's consts and literals).
  const scoped = eagerScope(
    () => withTransformContext("linearize", f, () => linearizeFlat(flat, ps)),
    (r) => [...r.primalsOut, ...jaxprArrays(r.jaxpr)],
  );
  const { primalsOut, jaxpr } = scoped.result;
  const fLin = (...tangents: unknown[]): unknown => {
    const [ts] = flattenArgs(tangents, "linearize tangents");
    const outs = eagerScope(
      () => evalJaxpr(jaxpr.jaxpr, jaxpr.consts, ts),
      (o) => o,
    ).result;
    return unwrap1(outTree(), outs);
  };
  return [
    unwrap1(outTree(), primalsOut),
    withResiduals("linearize: the linear function", fLin, scoped.retained, primalsOut),
  ];
}

/**
 * `[f(...primals), pullback]`; `pullback(ct)` maps an output cotangent (a pytree like the output)
 * to the input cotangents: a list with one entry per argument, each typed like its argument.
 * `pullback.dispose()` frees its residuals at once (else the collector does, with `pullback`).
 */
export function vjp<F extends AnyFunction = ArrayFunction>(
  f: F,
  ...primals: ArgsLike<Parameters<F>>
): [Promoted<ReturnType<F>>, ResidualFunction<(ct: Promoted<ReturnType<F>>) => Promoted<Parameters<F>>>];
export function vjp(f: AnyFunction, ...primals: unknown[]): [unknown, (ct: unknown) => unknown[]] {
  const [ps, inTree] = flattenArgs(primals, "vjp");
  const { flat, outTree } = flatten(f, inTree, "vjp");
  // Kept: the outputs and the residuals the pullback holds (freed with it, by the collector).
  const scoped = eagerScope(
    () => withTransformContext("vjp", f, () => vjpFlat(flat, ps)),
    (r) => [...r.primalsOut, ...r.residuals],
  );
  const { primalsOut, pullback } = scoped.result;
  const pb = (ct: unknown): unknown[] => {
    const [cts, ctTree] = flattenArgs([ct], "vjp cotangent");
    if (!ctTree.equals(outTree()))
      throw new ValueError(`vjp: cotangent structure ${ctTree} does not match the output structure ${outTree()}`);
    // Transposing the linearized function is still vjp's work on `f` (a missing transpose rule, say).
    const grads = eagerScope(
      () => withTransformContext("vjp", f, () => pullback(cts)),
      (g) => g,
    ).result;
    return treeUnflatten<unknown[]>(inTree, grads);
  };
  return [unwrap1(outTree(), primalsOut), withResiduals("vjp: the pullback", pb, scoped.retained, primalsOut)];
}

export interface GradOptions {
  /** Which positional arguments to differentiate (default 0). */
  argnums?: number | readonly number[];
  /** `f` returns `[value, aux]`; aux is passed through. */
  hasAux?: boolean;
  /** Allow complex outputs (holomorphic functions), as JAX's `holomorphic=True`. */
  holomorphic?: boolean;
  /** Allow integer inputs (their gradient is zero), as JAX's `allow_int`. */
  allowInt?: boolean;
}

/**
 * Value and gradient together: `valueAndGrad(f)(...args)` is `[f(...args), grad(f)(...args)]`
 * (with `hasAux`, `[[value, aux], grads]`). See `grad` for the types.
 */
export function valueAndGrad<
  const O extends GradOptions = {},
  A extends unknown[] = Array[],
  R extends ScalarOutput<HasAuxOf<O>> = ScalarOutput<HasAuxOf<O>>,
>(f: (...args: A) => R, opts?: O): ValueAndGradFunction<A, R, ArgnumsOf<O>, HasAuxOf<O>>;
export function valueAndGrad(f: AnyFunction, opts: GradOptions = {}): (...args: unknown[]) => [unknown, unknown] {
  return valueAndGradUntyped(f, opts, "valueAndGrad", true);
}

/** `keepValue`: the value is returned (valueAndGrad), else only the aux (grad) and the value may be freed. */
function valueAndGradUntyped(
  f: AnyFunction,
  opts: GradOptions,
  transform: string,
  keepValue: boolean,
): (...args: unknown[]) => [unknown, unknown] {
  const argnums = opts.argnums ?? 0;
  const nums = typeof argnums === "number" ? [argnums] : [...argnums];
  return (...args: unknown[]) => {
    for (const n of nums)
      if (n >= args.length || n < -args.length)
        throw new ValueError(`grad: argnums ${n} is out of range for a call with ${args.length} positional arguments`);
    const norm = nums.map((n) => (n < 0 ? n + args.length : n));
    const diffArgs = norm.map((n) => args[n]);
    let aux: unknown;
    const g = (...dargs: unknown[]) => {
      const full = [...args];
      norm.forEach((n, i) => (full[n] = dargs[i]));
      const out = asUser(() => (f as (...a: unknown[]) => unknown)(...full));
      let val = out;
      if (opts.hasAux) {
        if (!globalThis.Array.isArray(out) || out.length !== 2)
          throw new ValueError("grad with hasAux: the function must return a pair [value, aux]");
        val = out[0];
        aux = out[1];
      }
      const v = val instanceof Array ? val : typeof val === "number" ? asArray(val) : val;
      if (!(v instanceof Array) || v.ndim !== 0) {
        throw new ShapeError(
          `grad requires a scalar (shape []) output; got ${v instanceof Array ? `shape [${v.shape.join(", ")}]` : describe(val)}. Use vjp or jacrev for non-scalar outputs.`,
        );
      }
      if (isComplex(v.dtype) && !opts.holomorphic)
        throw new DTypeError(
          "grad requires a real-valued output (float32); got complex64. Use holomorphic: true for holomorphic functions, or take np.real/np.abs.",
        );
      if (!isInexact(v.dtype)) throw new DTypeError(`grad requires a float output; got ${v.dtype}`);
      return aux === undefined ? v : [v, aux];
    };
    const [dleaves] = flattenArgs(diffArgs, "grad");
    for (const l of dleaves) {
      if (!isInexact(l.dtype) && !opts.allowInt)
        throw new DTypeError(
          `grad requires float or complex inputs for differentiated arguments; got ${l.dtype} (pass allowInt: true to allow it)`,
        );
    }
    const [ps, inTree] = flattenArgs(diffArgs, "grad");
    // Aux array leaves leave the linearized function as extra (known) outputs, so they come back
    // as concrete values of this level rather than tracers of the internal JVP/linearize traces.
    let auxDef: TreeDef | undefined;
    let auxLeaves: unknown[] = [];
    let auxIsArray: boolean[] = [];
    const flat = (...xs: Array[]): Array[] => {
      const dargs = treeUnflatten<unknown[]>(inTree, xs);
      const r = g(...dargs);
      if (opts.hasAux) {
        const [leaves, def] = treeFlatten((r as [Array, unknown])[1]);
        auxDef = def;
        auxIsArray = leaves.map((l) => l instanceof Array);
        // Keep only the non-array leaves: the array ones are this trace's tracers, which must
        // not outlive it (config.checkTracerLeaks would rightly see them as leaked).
        auxLeaves = leaves.map((l) => (l instanceof Array ? null : l));
        aux = undefined;
        return [(r as [Array, unknown])[0], ...(leaves.filter((l) => l instanceof Array) as Array[])];
      }
      return [r as Array];
    };
    // Eagerly, the forward pass's intermediates are freed when it returns, the backward pass's
    // when it does, and the residuals (`retained`: made by the forward pass, kept for the
    // pullback) right after it, since grad calls its pullback once (owned.ts).
    const fwd = eagerScope(
      () => withTransformContext(transform, f, () => vjpFlat(flat, ps)),
      (r) => [...r.primalsOut, ...r.residuals],
      (r) => (keepValue ? r.primalsOut : r.primalsOut.slice(1)),
    );
    const { primalsOut, pullback } = fwd.result;
    const out = primalsOut[0];
    const gradLeaves = eagerScope(
      () => {
        const ct = fullLike(out.aval.strong(), 1);
        return withTransformContext(transform, f, () => pullback([ct, ...primalsOut.slice(1).map(() => null)]));
      },
      (g) => g,
    ).result;
    release(fwd.retained, [...(keepValue ? primalsOut : primalsOut.slice(1)), ...gradLeaves]);
    const grads = treeUnflatten<unknown[]>(inTree, gradLeaves);
    const gradVal = typeof argnums === "number" ? grads[0] : grads;
    let auxOut: unknown;
    if (opts.hasAux && auxDef !== undefined) {
      let k = 1;
      auxOut = treeUnflatten(
        auxDef,
        auxLeaves.map((l, i) => (auxIsArray[i] ? primalsOut[k++] : l)),
      );
    }
    return [opts.hasAux ? [out, auxOut] : out, gradVal];
  };
}

/**
 * The gradient of a scalar function with respect to argument `argnums` (pytrees allowed).
 *
 * Typed from `f`: the gradient has the type of the differentiated argument (a model's gradient is
 * a model; a number argument's is an `Array`), a tuple of them for a list `argnums` (negative
 * indices count from the end), and `[grads, aux]` with `hasAux` (then `f` must return
 * `[value, aux]`). `f` must return a scalar `Array` (or a number).
 */
export function grad<
  const O extends GradOptions = {},
  A extends unknown[] = Array[],
  R extends ScalarOutput<HasAuxOf<O>> = ScalarOutput<HasAuxOf<O>>,
>(f: (...args: A) => R, opts?: O): GradFunction<A, R, ArgnumsOf<O>, HasAuxOf<O>>;
export function grad(f: AnyFunction, opts: GradOptions = {}): (...args: unknown[]) => unknown {
  const vg = valueAndGradUntyped(f, opts, "grad", false);
  return (...args: unknown[]) => {
    const [v, g] = vg(...args);
    return opts.hasAux ? [g, (v as [unknown, unknown])[1]] : g;
  };
}

export interface VmapOptions {
  /** Per-argument batch axis (number or null), or a pytree prefix of the arguments. Default 0. */
  inAxes?: unknown;
  /** Output batch axes (number, null, or pytree prefix). Default 0. */
  outAxes?: unknown;
  axisSize?: number;
  axisName?: string;
}

/** Broadcast a pytree-prefix spec of axes to one entry per leaf of `tree`. */
function broadcastPrefix(spec: unknown, tree: unknown, what: string): (number | null)[] {
  const out: (number | null)[] = [];
  const rec = (s: unknown, t: unknown) => {
    if (s === null || typeof s === "number") {
      const n = treeFlatten(t)[0].length;
      for (let i = 0; i < n; i++) out.push(s as number | null);
      return;
    }
    if (globalThis.Array.isArray(s)) {
      if (!globalThis.Array.isArray(t) || t.length !== s.length) {
        throw new ValueError(
          `vmap ${what}: the axis specification ${JSON.stringify(s)} (length ${s.length}) does not match the argument structure (${globalThis.Array.isArray(t) ? `a list of length ${t.length}` : describe(t)})`,
        );
      }
      s.forEach((si, i) => rec(si, (t as unknown[])[i]));
      return;
    }
    if (typeof s === "object" && s !== undefined) {
      if (typeof t !== "object" || t === null)
        throw new ValueError(
          `vmap ${what}: the axis specification ${JSON.stringify(s)} does not match the argument ${describe(t)}`,
        );
      const [, def] = treeFlatten(t);
      const keys = def.keys ?? [];
      // A dict specification is a pytree prefix: it names exactly the argument's keys (as in JAX).
      // Defaulting a missing key to 0, or ignoring a misspelled one, would map the wrong axes silently.
      const specKeys = Object.keys(s as object);
      const missing = keys.filter((k) => !specKeys.includes(k));
      const extra = specKeys.filter((k) => !keys.includes(k));
      if (missing.length > 0 || extra.length > 0) {
        throw new ValueError(
          `vmap ${what}: the axis specification ${JSON.stringify(s)} does not match the keys of the argument (${keys.length > 0 ? keys.join(", ") : describe(t)})` +
            `${missing.length > 0 ? `; missing: ${missing.join(", ")}` : ""}${extra.length > 0 ? `; unexpected: ${extra.join(", ")}` : ""} (give every key an axis, or null for unmapped ones)`,
        );
      }
      for (const k of keys) rec((s as Record<string, unknown>)[k], (t as Record<string, unknown>)[k]);
      return;
    }
    throw new ValueError(`vmap ${what}: invalid axis specification ${String(s)}`);
  };
  rec(spec, tree);
  return out;
}

/**
 * Vectorize `f` over a leading (or chosen) axis of its arguments. The result takes `f`'s
 * parameters (now carrying the batch axis) and returns `f`'s output type (numbers as arrays).
 */
export function vmap<F extends AnyFunction = ArrayFunction>(f: F, opts?: VmapOptions): Vmapped<F>;
export function vmap(f: AnyFunction, opts: VmapOptions = {}): (...args: unknown[]) => unknown {
  return (...args: unknown[]) => {
    // `null` is a specification ("map nothing"), not a missing option: only undefined defaults to 0.
    const inAxesSpec = opts.inAxes === undefined ? 0 : opts.inAxes;
    const specList = globalThis.Array.isArray(inAxesSpec) ? inAxesSpec : args.map(() => inAxesSpec);
    if (specList.length !== args.length)
      throw new ValueError(
        `vmap: inAxes has ${specList.length} entries but the function was called with ${args.length} positional arguments`,
      );
    const [xs, inTree] = flattenArgs(args, "vmap");
    const dimsRaw = broadcastPrefix(specList, args, "inAxes");
    let size = opts.axisSize;
    const dims = dimsRaw.map((d, i) => {
      if (d === null) return null;
      const x = xs[i];
      if (x.ndim === 0) throw new ShapeError(`vmap: inAxes ${d} given for a scalar argument (leaf ${i})`);
      const nd = d < 0 ? d + x.ndim : d;
      if (nd < 0 || nd >= x.ndim)
        throw new ShapeError(`vmap: inAxes ${d} is out of range for an argument of shape [${x.shape.join(", ")}]`);
      if (size === undefined) size = x.shape[nd];
      else if (x.shape[nd] !== size) {
        throw new ShapeError(
          `vmap got inconsistent sizes for the mapped axis: ${size} vs ${x.shape[nd]} (argument leaf ${i}, shape [${x.shape.join(", ")}], axis ${d})`,
        );
      }
      return nd;
    });
    if (size === undefined)
      throw new ValueError("vmap: no argument is mapped (all inAxes are null) and no axisSize was given");
    const { flat, outTree } = flatten(f, inTree, "vmap");
    const axisSize = size;
    // Eagerly, everything made on the way (rules' temporaries, values before their batch axis is
    // moved to outAxes) is freed when vmap returns; the moved outputs are kept (owned.ts).
    const moved = eagerScope(
      () => vmapOutputs(f, flat, outTree, xs, dims, axisSize, opts),
      (m) => m,
    ).result;
    return unwrap1(outTree(), moved);
  };
}

/** vmap's work after the argument checks: batch `flat`, then move each output's batch axis to outAxes. */
function vmapOutputs(
  f: AnyFunction,
  flat: (...xs: Array[]) => Array[],
  outTree: () => TreeDef,
  xs: readonly Array[],
  dims: readonly (number | null)[],
  axisSize: number,
  opts: VmapOptions,
): Array[] {
  const [outs, outDims] = withTransformContext("vmap", f, () =>
    vmapFlatRaw(flat, xs, dims, { size: axisSize, name: opts.axisName }),
  );
  const outTreeV = outTree();
  const outSpec = opts.outAxes === undefined ? 0 : opts.outAxes;
  const outStructure = treeUnflatten<unknown[]>(outTreeV, outs)[0];
  const outAx = broadcastPrefix(outSpec, outStructure, "outAxes");
  const moved = outs.map((o, i) => {
    const want = outAx[i];
    if (want === null) {
      if (outDims[i] !== null)
        throw new ValueError(`vmap: outAxes is null for output leaf ${i}, but it depends on the mapped axis`);
      return o;
    }
    const rank = o.ndim + (outDims[i] === null ? 1 : 0);
    const nd = want < 0 ? want + rank : want;
    if (!Number.isInteger(nd) || nd < 0 || nd >= rank) {
      throw new ShapeError(
        `vmap: outAxes ${want} is out of range for output leaf ${i}, which has rank ${rank} with the mapped axis (per-example shape [${(outDims[i] === null ? o.shape : o.shape.filter((_, k) => k !== outDims[i])).join(", ")}])`,
      );
    }
    return moveBdim(o, outDims[i], nd, axisSize);
  });
  return moved;
}

export interface JitOptions {
  /** Positional arguments treated as compile-time constants (part of the cache key). */
  staticArgnums?: number | readonly number[];
  /**
   * Positional arguments whose arrays the call may consume (JAX's `donate_argnums`): they are
   * deleted by the call, and the backend reuses their memory — e.g. a training step's parameters
   * and optimiser state. Only for concrete calls; ignored under other transforms.
   */
  donateArgnums?: number | readonly number[];
}

/** Trace `f` to a jaxpr for the given example arguments. */
export function makeJaxpr<F extends AnyFunction = ArrayFunction>(
  f: F,
  opts?: JitOptions,
): (...args: Parameters<F>) => ClosedJaxpr;
export function makeJaxpr(f: AnyFunction, opts: JitOptions = {}): (...args: unknown[]) => ClosedJaxpr {
  return (...args: unknown[]) => withTransformContext("makeJaxpr", f, () => stage(f, args, opts, "makeJaxpr")).jaxpr;
}

interface Staged {
  jaxpr: ClosedJaxpr;
  outTree: TreeDef;
  dynArgs: Array[];
}

function staticKey(v: unknown): string {
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function stage(f: (...args: never[]) => unknown, args: readonly unknown[], opts: JitOptions, name: string): Staged {
  const statics = new Set(
    (typeof opts.staticArgnums === "number" ? [opts.staticArgnums] : (opts.staticArgnums ?? [])).map((n) =>
      n < 0 ? n + args.length : n,
    ),
  );
  const dyn = args.filter((_, i) => !statics.has(i));
  const [xs, inTree] = flattenArgs(dyn, name);
  const { flat, outTree } = flatten(
    ((...dargs: unknown[]) => {
      let k = 0;
      const full = args.map((a, i) => (statics.has(i) ? a : dargs[k++]));
      return (f as (...a: unknown[]) => unknown)(...full);
    }) as (...a: never[]) => unknown,
    inTree,
    name,
  );
  const jaxpr = traceToJaxpr(
    flat,
    xs.map((x) => x.aval),
    name,
  );
  return { jaxpr, outTree: outTree(), dynArgs: xs };
}

/**
 * Compile `f`: trace once per input signature (shapes, dtypes, pytree structure, static values),
 * cache the jaxpr, and run it through the `jit` primitive (so it composes with every transform).
 * The result has `f`'s type (a function returning numbers returns arrays instead).
 */
export function jit<F extends AnyFunction = ArrayFunction>(f: F, opts?: JitOptions): Jitted<F>;
export function jit(f: AnyFunction, opts: JitOptions = {}): (...args: unknown[]) => unknown {
  // Bounded and LRU (config.jitCacheSize): changing shapes cannot grow it without limit.
  const cache = new JitCache<{ jaxpr: ClosedJaxpr; consts: Array[]; outTree: TreeDef; donated?: boolean[] }>();
  const name = f.name || "fn";
  const jitted = (...args: unknown[]) => {
    const statics = new Set(
      (typeof opts.staticArgnums === "number" ? [opts.staticArgnums] : (opts.staticArgnums ?? [])).map((n) =>
        n < 0 ? n + args.length : n,
      ),
    );
    const donated = donatedPositions(opts.donateArgnums, args.length, statics, `jit(${name})`);
    // config.disableJit (JAX's jax_disable_jit): run the body itself, op by op, on the concrete
    // arguments — no trace, no cache entry, no compile, no donation. Outputs are flattened and
    // rebuilt only so that numbers come back as arrays, as the jitted function's type promises.
    if (config.read("disableJit")) return runUnjitted(f, args, `jit(${name})`);
    const dynPos = args.map((_, i) => i).filter((i) => !statics.has(i));
    const dyn = dynPos.map((i) => args[i]);
    const [xs, inTree] = flattenArgs(dyn, `jit(${name})`);
    const key = `${inTree}|${xs.map((x) => x.aval.key()).join(";")}|${[...statics].map((i) => staticKey(args[i])).join(";")}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      // Only tracing is in the context: a cached call that fails while running is not tracing `f`.
      const s = withTransformContext("jit", f, () => stage(f, args, opts, `jit(${name})`));
      const { jaxpr, consts } = openJaxpr(s.jaxpr);
      const donatedOps =
        donated.size === 0 ? undefined : donatedOperands(dyn, (k) => donated.has(dynPos[k]), consts.length);
      entry = { jaxpr, consts, outTree: s.outTree, donated: donatedOps };
      // Traced consts (closed-over tracers of an outer transform) must not outlive this call.
      if (!consts.some((c) => c instanceof Tracer)) cache.set(key, entry);
    }
    const params =
      entry.donated !== undefined && donationApplies(xs)
        ? { jaxpr: entry.jaxpr, name, donated: entry.donated }
        : { jaxpr: entry.jaxpr, name };
    const outs = jitP.bind([...entry.consts, ...xs], params);
    return unwrap1(entry.outTree, outs);
  };
  jitCaches.set(jitted, cache);
  return jitted;
}

/** `f(...args)` called directly (config.disableJit), with number/boolean output leaves as arrays. */
function runUnjitted(f: AnyFunction, args: readonly unknown[], what: string): unknown {
  const res = (f as (...a: unknown[]) => unknown)(...args);
  const [leaves, def] = treeFlatten([res]);
  if (!leaves.some((l) => typeof l === "number" || typeof l === "boolean")) return res;
  const [arrays] = flattenArgs([res], `${what} output`);
  return unwrap1(def, arrays);
}

const jitCaches = new WeakMap<AnyFunction, JitCache<unknown>>();

function cacheOf(f: AnyFunction): JitCache<unknown> {
  const c = jitCaches.get(f);
  if (c === undefined)
    throw new ValueError(
      `jit.cacheSize/clearCache: ${f.name === "" ? "the function" : `'${f.name}'`} is not a function returned by jit`,
    );
  return c;
}

/**
 * Empty the trace cache of the jitted function `f` (JAX's `f.clear_cache()`), or of every jitted
 * function when `f` is omitted. The compiled executables of dropped traces go with them (once
 * collected); `clearCaches()` also drops the backends' caches.
 */
jit.clearCache = (f?: AnyFunction): void => {
  if (f === undefined) clearJitCaches();
  else cacheOf(f).clear();
};

/** How many input signatures the jitted function `f` has traced and cached (at most `config.jitCacheSize`). */
jit.cacheSize = (f: AnyFunction): number => cacheOf(f).size;
