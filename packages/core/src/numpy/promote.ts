/** numpy/JAX dtype promotion and broadcasting of operands before binding lax primitives. */
import type { Array, ArrayLike } from "../core/array.ts";
import { isFloat, promoteTypes, promoteWeak, type DType, type WeakKind } from "../dtype.ts";
import { broadcastShapes, shapeEq } from "../shape.ts";
import { ShapeError } from "../errors.ts";
import { convertElementType } from "../primitives/convert.ts";
import { broadcastInDim } from "../primitives/shape-ops.ts";
import { asArray, scalarArray, scalarKindDType } from "./convert.ts";
import { Array as ArrayClass } from "../core/array.ts";
import { ConcreteArray } from "../core/concrete.ts";
import { isEagerContext } from "../core/trace.ts";
import { adoptTemporary } from "../transforms/owned.ts";

function weakKind(d: DType): WeakKind {
  return d === "bool" ? "bool" : d === "complex64" ? "complex" : isFloat(d) ? "float" : "int";
}

/** The dtype of combining arrays under JAX's rules (weak types adopt the strong operand's dtype). */
export function resultDType(xs: readonly Array[]): DType {
  return joinDTypes(
    xs.map((x) => x.dtype),
    xs.map((x) => x.aval.weakType),
  );
}

/** `resultDType` over operands given by dtype and weak bit (operand i: `dtypes[i]`, `weak[i]`). */
function joinDTypes(dtypes: readonly DType[], weak: readonly boolean[]): DType {
  let d: DType | undefined;
  for (let i = 0; i < dtypes.length; i++) if (!weak[i]) d = d === undefined ? dtypes[i] : promoteTypes(d, dtypes[i]);
  if (d === undefined) {
    // All weak: promote among them and stay weak.
    for (let i = 0; i < dtypes.length; i++) d = d === undefined ? dtypes[i] : promoteTypes(d, dtypes[i]);
    return d as DType;
  }
  for (let i = 0; i < dtypes.length; i++) if (weak[i]) d = promoteWeak(d, weakKind(dtypes[i]));
  return d;
}

/** Promote operands to a common dtype (weak only if all are weak). */
export function promoteArgs(...xs: ArrayLike[]): Array[] {
  // A JS scalar takes part through its dtype and weak bit alone (what `asArray` would give it:
  // weak unless boolean), so only its promoted array is ever made.
  const n = xs.length;
  const arrs: (Array | undefined)[] = new globalThis.Array(n);
  const dtypes: DType[] = new globalThis.Array(n);
  const weak: boolean[] = new globalThis.Array(n);
  let allWeak = true;
  for (let i = 0; i < n; i++) {
    const x = xs[i];
    if (typeof x === "number" || typeof x === "boolean") {
      dtypes[i] = scalarKindDType(x);
      weak[i] = typeof x === "number";
    } else {
      const a = asArray(x);
      arrs[i] = a;
      dtypes[i] = a.dtype;
      weak[i] = a.aval.weakType;
    }
    allWeak &&= weak[i];
  }
  const dt = joinDTypes(dtypes, weak);
  const out: Array[] = new globalThis.Array(n);
  for (let i = 0; i < n; i++) {
    const a = arrs[i];
    // JS scalars are converted on the host, so no cast is staged into jaxprs.
    if (a === undefined) out[i] = scalarArray(Number(xs[i]), dt, allWeak);
    else out[i] = a.dtype === dt && a.aval.weakType === allWeak ? a : convertElementType(a, dt, allWeak);
  }
  releaseTemporaries(
    arrs.filter((a): a is Array => a !== undefined),
    xs,
    out,
  );
  return out;
}

/** Broadcast operands to their common numpy shape. */
export function broadcastArgs(op: string, xs: readonly Array[]): Array[] {
  const shape = broadcastShapes(op, ...xs.map((x) => x.shape));
  return xs.map((x) => (shapeEq(x.shape, shape) ? x : broadcastTo(x, shape)));
}

/** numpy broadcast_to semantics: the target must be what broadcasting `x` with it gives. */
export function broadcastTo(x: Array, shape: readonly number[]): Array {
  const nd = shape.length;
  const joint = x.ndim <= nd ? broadcastShapes("broadcastTo", x.shape, shape) : undefined;
  if (joint === undefined || !shapeEq(joint, shape)) {
    throw new ShapeError(
      `broadcastTo: cannot broadcast an array of shape [${x.shape.join(", ")}] to shape [${shape.join(", ")}]`,
    );
  }
  const dims = x.shape.map((_, i) => nd - x.ndim + i);
  return broadcastInDim(x, shape, dims);
}

/** Promote then broadcast: what every numpy binary op does before binding. */
export function prepareBinary(op: string, ...xs: ArrayLike[]): Array[] {
  // Two arrays of one dtype, weak type and shape (most calls) need neither step.
  if (xs.length === 2) {
    const [x, y] = xs;
    if (
      x instanceof ArrayClass &&
      y instanceof ArrayClass &&
      x.dtype === y.dtype &&
      x.aval.weakType === y.aval.weakType &&
      shapeEq(x.shape, y.shape)
    )
      return [x, y];
  }
  const promoted = promoteArgs(...xs);
  const out = broadcastArgs(op, promoted);
  releaseTemporaries(promoted, xs, out);
  return out;
}

/**
 * Dispose the arrays among `temps` that the numpy layer made itself (not one of the caller's
 * `inputs`) and that nothing returned keeps (not in `kept`): a JS scalar's array once it is
 * broadcast, an operand after its cast. Only eagerly: under a transform a concrete temporary may
 * be a constant captured by a jaxpr. Left to the garbage collector, each of these would cost a
 * finalizer registration and a full collection.
 */
export function releaseTemporaries(temps: readonly Array[], inputs: readonly unknown[], kept: readonly Array[]): void {
  // Under an eager transform (vmap, grad, …) a concrete temporary may sit inside the transform's
  // tracers until it returns: its scope disposes it then (transforms/owned.ts); never while staging.
  const dispose = isEagerContext();
  for (const t of temps) {
    if (t instanceof ConcreteArray && !inputs.includes(t) && !kept.includes(t)) {
      if (dispose) t.dispose();
      else adoptTemporary(t);
    }
  }
}
