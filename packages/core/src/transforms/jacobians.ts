/**
 * Jacobians and Hessians, as JAX's `jacfwd` / `jacrev` / `hessian`: `jacfwd` pushes the standard
 * basis of the inputs through a vmapped JVP, `jacrev` pulls the standard basis of the outputs
 * back through a vmapped VJP. Pytrees in and out: the result has the output's structure, each
 * output leaf holding the input's structure of blocks of shape `[...outShape, ...inShape]`.
 */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { fromHost } from "../core/concrete.ts";
import { getBackend } from "../backend.ts";
import { allocTyped, isHalf, isInexact, type DType } from "../dtype.ts";
import { halfBitsFromNumber } from "../half.ts";
import { DTypeError, ValueError } from "../errors.ts";
import { treeFlatten, treeUnflatten, type TreeDef } from "../tree/pytree.ts";
import { asUser, eagerScope } from "./owned.ts";
import { flattenToArrays } from "../primitives/control/common.ts";
import { moveBdim } from "../primitives/batching.ts";
import { reshape } from "../primitives/shape-ops.ts";
import { sliceInDim } from "../primitives/shape-slicing.ts";
import { jvpFlat } from "./jvp.ts";
import { vjpFlat } from "./transpose.ts";
import { vmapFlatRaw } from "./vmap.ts";
import type { ArgnumsOf, HasAuxOf } from "./types.ts";
import type { HessianFunction, JacobianFunction, JacobianOutput } from "./jacobian-types.ts";

export interface JacobianOptions {
  /** Which positional arguments to differentiate (default 0); a list gives a list of blocks. */
  argnums?: number | readonly number[];
  /** `f` returns `[value, aux]`; the result is then `[jacobian, aux]`. */
  hasAux?: boolean;
}

type Fn = (...args: never[]) => unknown;

/** Rows `offset … offset+n-1` of the identity of size `total`, as `[total, ...shape]` (the basis of one leaf). */
function basisBlock(total: number, offset: number, shape: readonly number[], dtype: DType): Array {
  const n = shape.reduce((a, b) => a * b, 1);
  const aval = new ShapedArray([total, ...shape], dtype);
  const data = allocTyped(dtype, aval.size);
  const w = dtype === "complex64" ? 2 : 1;
  const one = isHalf(dtype) ? halfBitsFromNumber(dtype, 1) : 1; // the bits of 1.0 for half dtypes
  for (let j = 0; j < n; j++) data[((offset + j) * n + j) * w] = one;
  return fromHost(getBackend(), data, aval);
}

interface Prepared {
  leaves: Array[];
  inTree: TreeDef;
  single: boolean;
  /** f on the flat differentiated leaves: returns output leaves ++ aux leaves. */
  flat: (...xs: Array[]) => Array[];
  outTree: () => TreeDef;
  auxTree: () => TreeDef | undefined;
  numOut: () => number;
}

function prepare(op: string, f: Fn, opts: JacobianOptions, args: readonly unknown[]): Prepared {
  const argnums = opts.argnums ?? 0;
  const single = typeof argnums === "number";
  const nums = (single ? [argnums] : [...argnums]).map((n) => {
    if (n >= args.length || n < -args.length)
      throw new ValueError(`${op}: argnums ${n} is out of range for a call with ${args.length} positional arguments`);
    return n < 0 ? n + args.length : n;
  });
  const [leaves, inTree] = flattenToArrays(
    nums.map((n) => args[n]),
    op,
  );
  leaves.forEach((l, i) => {
    if (!isInexact(l.dtype))
      throw new DTypeError(
        `${op} requires float or complex inputs for differentiated arguments; input leaf ${i} has dtype ${l.dtype}`,
      );
  });
  let outTree: TreeDef | undefined;
  let auxTree: TreeDef | undefined;
  let numOut = 0;
  const flat = (...xs: Array[]): Array[] => {
    const full = [...args];
    const d = treeUnflatten<unknown[]>(inTree, xs);
    nums.forEach((n, i) => (full[n] = d[i]));
    let out = asUser(() => (f as (...a: unknown[]) => unknown)(...full));
    let auxLeaves: Array[] = [];
    if (opts.hasAux) {
      if (!globalThis.Array.isArray(out) || out.length !== 2)
        throw new ValueError(`${op} with hasAux: the function must return a pair [value, aux]`);
      [auxLeaves, auxTree] = flattenToArrays(out[1], `${op} aux`);
      out = out[0];
    }
    const [ys, def] = flattenToArrays(out, `${op} output`);
    outTree = def;
    numOut = ys.length;
    return [...ys, ...auxLeaves];
  };
  return {
    leaves,
    inTree,
    single,
    flat,
    outTree: () => outTree as TreeDef,
    auxTree: () => auxTree,
    numOut: () => numOut,
  };
}

/** Assemble blocks `blocks[m][k]` (output leaf m, input leaf k) into the nested result. */
function assemble(p: Prepared, blocks: Array[][], aux: Array[]): unknown {
  const perOut = blocks.map((row) => {
    const inner = treeUnflatten<unknown[]>(p.inTree, row);
    return p.single ? inner[0] : inner;
  });
  const jac = treeUnflatten(p.outTree(), perOut);
  return p.auxTree() !== undefined ? [jac, treeUnflatten(p.auxTree() as TreeDef, aux)] : jac;
}

/**
 * Jacobian by forward mode (JAX's `jacfwd`): one JVP per input element, vmapped. Efficient for
 * "tall" Jacobians (few inputs, many outputs).
 */
export function jacfwd<
  const O extends JacobianOptions = {},
  A extends unknown[] = Array[],
  R extends JacobianOutput<HasAuxOf<O>> = JacobianOutput<HasAuxOf<O>>,
>(f: (...args: A) => R, opts?: O): JacobianFunction<A, R, ArgnumsOf<O>, HasAuxOf<O>>;
export function jacfwd(f: Fn, opts: JacobianOptions = {}): (...args: unknown[]) => unknown {
  return jacfwdUntyped(f, opts);
}

function jacfwdUntyped(f: Fn, opts: JacobianOptions): (...args: unknown[]) => unknown {
  return (...args: unknown[]) =>
    scoped(() => {
      const p = prepare("jacfwd", f, opts, args);
      const sizes = p.leaves.map((l) => l.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
      const basis = p.leaves.map((l, k) => basisBlock(total, offsets[k], l.shape, l.dtype));
      const [outs, dims] = vmapFlatRaw(
        (...ts: Array[]) => {
          const [po, to] = jvpFlat(p.flat, p.leaves, ts);
          const n = p.numOut();
          return [...(to.slice(0, n) as Array[]), ...po.slice(n)];
        },
        basis,
        basis.map(() => 0),
        { size: total, name: undefined },
      );
      const n = p.numOut();
      const blocks = outs.slice(0, n).map((o, m) => {
        const y = moveBdim(o, dims[m], o.ndim - (dims[m] === null ? 0 : 1), total);
        const outShape = y.shape.slice(0, -1);
        return p.leaves.map((l, k) =>
          reshape(sliceInDim(y, offsets[k], offsets[k] + sizes[k], 1, y.ndim - 1), [...outShape, ...l.shape]),
        );
      });
      return assemble(p, blocks, outs.slice(n));
    });
}

/**
 * Jacobian by reverse mode (JAX's `jacrev`): one VJP per output element, vmapped over the
 * pullback. Efficient for "wide" Jacobians (many inputs, few outputs).
 */
export function jacrev<
  const O extends JacobianOptions = {},
  A extends unknown[] = Array[],
  R extends JacobianOutput<HasAuxOf<O>> = JacobianOutput<HasAuxOf<O>>,
>(f: (...args: A) => R, opts?: O): JacobianFunction<A, R, ArgnumsOf<O>, HasAuxOf<O>>;
export function jacrev(f: Fn, opts: JacobianOptions = {}): (...args: unknown[]) => unknown {
  return jacrevUntyped(f, opts);
}

function jacrevUntyped(f: Fn, opts: JacobianOptions): (...args: unknown[]) => unknown {
  return (...args: unknown[]) =>
    scoped(() => {
      const p = prepare("jacrev", f, opts, args);
      const { primalsOut, pullback } = vjpFlat(p.flat, p.leaves);
      const n = p.numOut();
      const ys = primalsOut.slice(0, n);
      const sizes = ys.map((y) => y.size);
      const total = sizes.reduce((a, b) => a + b, 0);
      const offsets = sizes.map((_, i) => sizes.slice(0, i).reduce((a, b) => a + b, 0));
      const basis = ys.map((y, m) => basisBlock(total, offsets[m], y.shape, y.dtype));
      const auxNull = primalsOut.slice(n).map(() => null);
      const [outs, dims] = vmapFlatRaw(
        (...cts: Array[]) => pullback([...cts, ...auxNull]),
        basis,
        basis.map(() => 0),
        { size: total, name: undefined },
      );
      const grads = outs.map((o, k) => moveBdim(o, dims[k], 0, total));
      const blocks = ys.map((y, m) =>
        p.leaves.map((l, k) =>
          reshape(sliceInDim(grads[k], offsets[m], offsets[m] + sizes[m], 1, 0), [...y.shape, ...l.shape]),
        ),
      );
      return assemble(p, blocks, primalsOut.slice(n));
    });
}

/**
 * Run a Jacobian's eager work in a scope (transforms/owned.ts): the basis, the JVPs or VJPs and
 * the unassembled blocks are freed when it returns; the result's arrays are kept.
 */
function scoped(body: () => unknown): unknown {
  return eagerScope(body, (r) => treeFlatten(r)[0]).result;
}

/**
 * The Hessian, `jacfwd(jacrev(f))` (JAX's `hessian`): blocks of shape `[...outShape, ...inShape, ...inShape]`.
 * Typed from `f` as `jacfwd`/`jacrev` are (see `HessianFunction`).
 */
export function hessian<
  const O extends JacobianOptions = {},
  A extends unknown[] = Array[],
  R extends JacobianOutput<HasAuxOf<O>> = JacobianOutput<HasAuxOf<O>>,
>(f: (...args: A) => R, opts?: O): HessianFunction<A, R, ArgnumsOf<O>, HasAuxOf<O>>;
export function hessian(f: Fn, opts: JacobianOptions = {}): (...args: unknown[]) => unknown {
  return jacfwdUntyped(jacrevUntyped(f, opts), opts);
}
