/**
 * Filtered transforms, as equinox's `filter_jit` / `filter_grad` / `filter_value_and_grad` /
 * `filter_vmap`: they accept arbitrary pytrees (whole models) and decide per leaf what is traced.
 *
 * - `filterJit`: array leaves are traced; every other leaf (numbers, strings, functions) and every
 *   static module field is a compile-time constant and part of the cache key.
 * - `filterGrad`: differentiates with respect to the float arrays of the first argument; other
 *   leaves get `null` gradients.
 * - `filterVmap`: array leaves are mapped over axis 0 by default; non-array leaves are broadcast.
 */
import {
  Array,
  checkOptions,
  DTypeError,
  InternalError,
  ShapeError,
  ValueError,
  isInexact,
  jit,
  lax,
  treeFlatten,
  treeUnflatten,
  vjp,
  vmap,
  withTransformContext,
  JitCache,
  type AnyFunction,
  type ArrayFunction,
  type AuxOf,
  type HasAuxOf,
  type TreeDef,
} from "@linax-ts/core";
import { combine, isInexactArray, partition } from "./filters.ts";
import { identityId, staticKey } from "./static-key.ts";
import { broadcastPrefix } from "./tree-prefix.ts";

/** A full, collision-free key for a tree structure (core's `TreeDef.toString` omits aux data). */
export function structureKey(def: TreeDef): string {
  const rec = (d: TreeDef): string => {
    const kids = d.children.map(rec).join(",");
    switch (d.kind) {
      case "leaf":
        return "*";
      case "none":
        return "N";
      case "undefined":
        return "U";
      case "array":
        return `[${kids}]`;
      case "object":
        return `{${JSON.stringify(d.aux)}:${kids}}`;
      case "custom": {
        let aux: string;
        try {
          aux = JSON.stringify(d.aux) ?? "u";
        } catch {
          aux = `#${typeof d.aux === "object" && d.aux !== null ? identityId(d.aux) : String(d.aux)}`;
        }
        return `C${identityId(d.handler as object)}<${aux}>(${kids})`;
      }
    }
  };
  return rec(def);
}

interface JitEntry {
  run: (...dyn: Array[]) => Array[];
  out?: { def: TreeDef; statics: unknown[]; isDyn: boolean[] };
}

/** Options of `filterJit`. */
export interface FilterJitOptions {
  /**
   * Which arguments' arrays the call consumes (Equinox's `donate`): "none" (the default), "all",
   * or "all-except-first". Donated arrays are deleted by the call and their memory reused, as
   * with jit's `donateArgnums`.
   */
  donate?: "none" | "all" | "all-except-first";
  /** Positional arguments whose arrays are donated (jit's `donateArgnums`), e.g. `[0, 1]` for a model and its optimiser state. */
  donateArgnums?: number | readonly number[];
}

/**
 * Compile `f` with `jit`, treating only the array leaves of its arguments as traced. Everything
 * else (static module fields, numbers, strings, functions, `null`) is part of the cache key, so a
 * new value retraces. Non-array leaves of the output are passed through as Python-style constants.
 */
export function filterJit<F extends AnyFunction = ArrayFunction>(f: F, opts: FilterJitOptions = {}): F {
  checkOptions("filterJit", opts, { donate: ["none", "all", "all-except-first"], donateArgnums: "any" });
  // Bounded and LRU like core's jit (config.jitCacheSize); each entry holds one traced jit.
  const cache = new JitCache<JitEntry>();
  const name = f.name || "fn";
  const wrapped = (...args: unknown[]): unknown => {
    const [leaves, def] = treeFlatten(args);
    const isDyn = leaves.map((l) => l instanceof Array);
    const dyn = leaves.filter((l): l is Array => l instanceof Array);
    const key = `${structureKey(def)}|${leaves.map((l, i) => (isDyn[i] ? (l as Array).aval.key() : staticKey(l))).join(";")}`;
    let entry = cache.get(key);
    if (entry === undefined) {
      const e: JitEntry = { run: () => [] };
      const inner = (...dynIn: Array[]): Array[] => {
        let k = 0;
        const full = leaves.map((l, i) => (isDyn[i] ? dynIn[k++] : l));
        const out = (f as unknown as (...a: unknown[]) => unknown)(...treeUnflatten<unknown[]>(def, full));
        const [outLeaves, outDef] = treeFlatten(out);
        const outIsDyn = outLeaves.map((l) => l instanceof Array);
        e.out = { def: outDef, statics: outLeaves.map((l, i) => (outIsDyn[i] ? null : l)), isDyn: outIsDyn };
        return outLeaves.filter((l): l is Array => l instanceof Array);
      };
      Object.defineProperty(inner, "name", { value: name });
      e.run = jit(inner, { donateArgnums: donatedLeaves(args, leaves, isDyn, opts, name) });
      entry = e;
      cache.set(key, e);
    }
    // core's jit implements this transform: errors while it traces read "under filterJit".
    const run = entry.run;
    const outs = withTransformContext("filterJit", f, () => run(...dyn), { alias: true });
    const o = entry.out;
    if (o === undefined) throw new InternalError("filterJit: internal error: output structure unknown after the call");
    let k = 0;
    return treeUnflatten(
      o.def,
      o.statics.map((s, i) => (o.isDyn[i] ? outs[k++] : s)),
    );
  };
  return wrapped as unknown as F;
}

export interface FilterGradOptions {
  /** `f` returns `[value, aux]`; the aux output is returned alongside. */
  hasAux?: boolean;
}

/** What a function given to `filterGrad` returns: a scalar `Array`, or `[scalar, aux]` with `hasAux`. */
export type FilterScalarOutput<H> = H extends true ? readonly [Array, unknown] : Array;

/** `filterValueAndGrad(f, opts)`: `[value, grads]` (`[[value, aux], grads]` with `hasAux`), the grads typed like `x`. */
export type FilterValueAndGradFunction<X, A extends unknown[], R, H> = (
  x: X,
  ...args: A
) => H extends true ? [[Array, AuxOf<R>], X] : [Array, X];

/** `filterGrad(f, opts)`: the grads of `x`, typed like `x` (`[grads, aux]` with `hasAux`). */
export type FilterGradFunction<X, A extends unknown[], R, H> = (x: X, ...args: A) => H extends true ? [X, AuxOf<R>] : X;

/**
 * `[value, grads]` of `f(x, ...args)` with respect to the float arrays of `x` (any pytree, e.g. a
 * model). `grads` has the structure of `x` with `null` at non-differentiable leaves. With
 * `hasAux`, `f` returns `[value, aux]` and `value` is `[value, aux]`; aux may hold arrays (e.g.
 * an updated `State`) and any other values.
 *
 * Typed from `f`: the result takes `f`'s parameters, the grads have the type of `x` (a model's
 * grads are a model), and the aux output keeps its type.
 */
export function filterValueAndGrad<
  const O extends FilterGradOptions = {},
  X = unknown,
  A extends unknown[] = Array[],
  R extends FilterScalarOutput<HasAuxOf<O>> = FilterScalarOutput<HasAuxOf<O>>,
>(f: (x: X, ...args: A) => R, opts?: O): FilterValueAndGradFunction<X, A, R, HasAuxOf<O>>;
export function filterValueAndGrad(
  f: (x: unknown, ...args: never[]) => unknown,
  opts: FilterGradOptions = {},
): (x: unknown, ...args: unknown[]) => [unknown, unknown] {
  return filterValueAndGradUntyped(f, opts, "filterValueAndGrad");
}

function filterValueAndGradUntyped(
  f: (x: unknown, ...args: never[]) => unknown,
  opts: FilterGradOptions,
  transform: string,
): (x: unknown, ...args: unknown[]) => [unknown, unknown] {
  // core's vjp implements this transform: errors while it traces `f` read "under filterGrad".
  return (x: unknown, ...args: unknown[]) =>
    withTransformContext(transform, f, () => filterValueAndGradCall(f, opts, x, args), { alias: true });
}

function filterValueAndGradCall(
  f: (x: unknown, ...args: never[]) => unknown,
  opts: FilterGradOptions,
  x: unknown,
  args: unknown[],
): [unknown, unknown] {
  const [diff, nondiff] = partition(x, isInexactArray);
  // Aux arrays leave through vjp's primal outputs (with zero cotangents), so they come out as
  // plain arrays rather than tracers of the differentiation.
  let aux: { def: TreeDef; statics: unknown[]; isDyn: boolean[] } | undefined;
  const fn = (d: unknown): Array[] => {
    const out = (f as unknown as (...a: unknown[]) => unknown)(combine(d, nondiff), ...args);
    let value = out;
    let auxArrays: Array[] = [];
    if (opts.hasAux) {
      if (!globalThis.Array.isArray(out) || out.length !== 2)
        throw new ValueError("filterValueAndGrad with hasAux: the function must return a pair [value, aux]");
      value = out[0];
      const [leaves, def] = treeFlatten(out[1]);
      const isDyn = leaves.map((l) => l instanceof Array);
      aux = { def, statics: leaves.map((l, i) => (isDyn[i] ? null : l)), isDyn };
      auxArrays = leaves.filter((l): l is Array => l instanceof Array);
    }
    if (!(value instanceof Array) || value.ndim !== 0) {
      throw new ShapeError(
        `filterGrad requires a scalar (shape []) output; got ${value instanceof Array ? `shape [${value.shape.join(", ")}]` : String(value)}`,
      );
    }
    if (!isInexact(value.dtype)) throw new DTypeError(`filterGrad requires a float output; got ${value.dtype}`);
    return [value, ...auxArrays];
  };
  const [outs, pullback] = vjp(fn, diff);
  const cts = outs.map((o, i) => lax.fullLike(o.aval.strong(), i === 0 ? 1 : 0));
  const [grads] = pullback(cts);
  const value = outs[0];
  if (!opts.hasAux) return [value, grads];
  const a = aux as { def: TreeDef; statics: unknown[]; isDyn: boolean[] };
  let k = 1;
  const auxOut = treeUnflatten(
    a.def,
    a.statics.map((st, i) => (a.isDyn[i] ? outs[k++] : st)),
  );
  return [[value, auxOut], grads];
}

/** The gradient of `f(x, ...args)` with respect to the float arrays of `x`; see `filterValueAndGrad`. */
export function filterGrad<
  const O extends FilterGradOptions = {},
  X = unknown,
  A extends unknown[] = Array[],
  R extends FilterScalarOutput<HasAuxOf<O>> = FilterScalarOutput<HasAuxOf<O>>,
>(f: (x: X, ...args: A) => R, opts?: O): FilterGradFunction<X, A, R, HasAuxOf<O>>;
export function filterGrad(
  f: (x: unknown, ...args: never[]) => unknown,
  opts: FilterGradOptions = {},
): (x: unknown, ...args: unknown[]) => unknown {
  const vg = filterValueAndGradUntyped(f, opts, "filterGrad");
  return (x: unknown, ...args: unknown[]) => {
    const [v, g] = vg(x, ...args);
    return opts.hasAux ? [g, (v as [unknown, unknown])[1]] : g;
  };
}

/** An axis spec leaf: a number, `null` (not mapped), or a function of the leaf returning one. */
export type AxisSpec = number | null | ((leaf: unknown) => number | null);

/** `ifArray(axis)`: map array leaves over `axis`, leave everything else unmapped (equinox's `if_array`). */
export function ifArray(axis: number): (leaf: unknown) => number | null {
  return (leaf) => (leaf instanceof Array ? axis : null);
}

export interface FilterVmapOptions {
  /**
   * Per-argument axis specs (a list with one entry per positional argument, each a pytree
   * prefix of axis spec leaves), or one spec for all arguments. Default 0. Only array leaves are
   * ever mapped.
   */
  inAxes?: unknown;
  /** Output axis spec (a pytree prefix of the output). Default 0. Non-array outputs are passed through. */
  outAxes?: unknown;
  /** Name of the mapped axis, for collectives (`lax.pmean`) and BatchNorm's `axisName`. */
  axisName?: string;
  /** Size of the mapped axis (needed when no input is mapped). */
  axisSize?: number;
}

const isAxisLeaf = (s: unknown): s is AxisSpec => s === null || typeof s === "number" || typeof s === "function";
const resolveAxis = (s: AxisSpec, leaf: unknown): number | null => {
  if (!(leaf instanceof Array)) return null;
  const a = typeof s === "function" ? s(leaf) : s;
  if (a !== null && typeof a !== "number")
    throw new ValueError(`filterVmap: an axis spec function returned ${String(a)}; expected a number or null`);
  return a;
};

/**
 * Vectorize `f` over its array leaves (axis 0 by default). Non-array leaves of the inputs are
 * broadcast; non-array leaves of the output are returned as is; `outAxes: null` returns an
 * output that does not vary along the mapped axis (e.g. BatchNorm's updated `State`).
 */
export function filterVmap<F extends AnyFunction = ArrayFunction>(
  f: F,
  opts: FilterVmapOptions = {},
): (...args: Parameters<F>) => ReturnType<F> {
  return ((...args: unknown[]) => {
    const spec = opts.inAxes ?? 0;
    const specList = globalThis.Array.isArray(spec) ? spec : args.map(() => spec);
    if (specList.length !== args.length)
      throw new ValueError(
        `filterVmap: inAxes has ${specList.length} entries but the function was called with ${args.length} arguments`,
      );
    const [leaves, def] = treeFlatten(args);
    const axes = broadcastPrefix(specList, args, isAxisLeaf, resolveAxis, "filterVmap inAxes");
    const isDyn = leaves.map((l) => l instanceof Array);
    const dyn = leaves.filter((l): l is Array => l instanceof Array);
    const dynAxes = axes.filter((_, i) => isDyn[i]);
    let out: { def: TreeDef; statics: unknown[]; isDyn: boolean[]; axes: (number | null)[] } | undefined;
    const inner = (...dynIn: Array[]): Array[] => {
      let k = 0;
      const full = leaves.map((l, i) => (isDyn[i] ? dynIn[k++] : l));
      const res = (f as unknown as (...a: unknown[]) => unknown)(...treeUnflatten<unknown[]>(def, full));
      const [outLeaves, outDef] = treeFlatten(res);
      const outIsDyn = outLeaves.map((l) => l instanceof Array);
      const outAxes = broadcastPrefix(opts.outAxes ?? 0, res, isAxisLeaf, resolveAxis, "filterVmap outAxes");
      out = {
        def: outDef,
        statics: outLeaves.map((l, i) => (outIsDyn[i] ? null : l)),
        isDyn: outIsDyn,
        axes: outAxes.filter((_, i) => outIsDyn[i]),
      };
      return outLeaves.filter((l): l is Array => l instanceof Array);
    };
    // Core's vmap reads `outAxes` after running the function (the output structure is only known
    // then), so a getter hands it the per-leaf axes computed inside `inner`.
    const coreOpts = {
      inAxes: dynAxes,
      axisName: opts.axisName,
      axisSize: opts.axisSize,
      get outAxes(): (number | null)[] {
        if (out === undefined)
          throw new InternalError("filterVmap: internal error: core vmap read outAxes before running the function");
        return out.axes;
      },
    };
    if (dyn.length === 0 && opts.axisSize === undefined)
      throw new ValueError("filterVmap: no argument has an array leaf to map over and no axisSize was given");
    // core's vmap implements this transform: errors while it traces `f` read "under filterVmap".
    const outs = withTransformContext(
      "filterVmap",
      f,
      () => vmap(inner as (...a: never[]) => Array[], coreOpts)(...(dyn as never[])) as Array[],
      {
        alias: true,
      },
    );
    const o = out as { def: TreeDef; statics: unknown[]; isDyn: boolean[] } | undefined;
    if (o === undefined) throw new InternalError("filterVmap: internal error: the function did not run");
    let k = 0;
    return treeUnflatten(
      o.def,
      o.statics.map((s, i) => (o.isDyn[i] ? outs[k++] : s)),
    );
  }) as (...args: Parameters<F>) => ReturnType<F>;
}

/** The dynamic-leaf positions (inner jit's arguments) that belong to donated arguments. */
function donatedLeaves(
  args: readonly unknown[],
  leaves: readonly unknown[],
  isDyn: readonly boolean[],
  opts: FilterJitOptions,
  name: string,
): number[] {
  const mode = opts.donate ?? "none";
  const list =
    opts.donateArgnums === undefined
      ? []
      : typeof opts.donateArgnums === "number"
        ? [opts.donateArgnums]
        : opts.donateArgnums;
  const positions = new Set<number>();
  for (const d of list) {
    if (!Number.isInteger(d) || d < -args.length || d >= args.length) {
      throw new ValueError(
        `filterJit(${name}): donateArgnums entry ${String(d)} is not an argument position of a call with ${args.length} argument(s)`,
      );
    }
    positions.add(d < 0 ? d + args.length : d);
  }
  if (mode !== "none") args.forEach((_, i) => (mode === "all" || i > 0) && positions.add(i));
  const out: number[] = [];
  let leaf = 0;
  let dynIndex = 0;
  args.forEach((a, i) => {
    const n = treeFlatten(a as never)[0].length;
    for (let k = 0; k < n; k++, leaf++) {
      if (!isDyn[leaf]) continue;
      if (positions.has(i)) out.push(dynIndex);
      dynIndex++;
    }
  });
  if (leaf !== leaves.length) throw new InternalError("filterJit: leaf count mismatch while placing donated arguments");
  return out;
}
