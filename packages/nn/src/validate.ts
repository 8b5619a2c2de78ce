/**
 * Argument checks shared by nn's layers and optimizers. A hyperparameter that is NaN, infinite or
 * out of range, an option key with a typo, or an optimizer state from another tree would
 * otherwise be accepted and turn into NaN losses (or be silently ignored) many steps later; these
 * raise at the call, naming the op, the argument, what was received and what was expected.
 */
import {
  Array,
  DTypeError,
  ShapeError,
  ValueError,
  checkOptions,
  random,
  treeFlatten,
  treeLeavesWithPath,
  type TreeDef,
} from "@linax-ts/core";

/** A short rendering of a received value. */
export function describe(v: unknown): string {
  if (v === null || v === undefined) return String(v);
  if (typeof v === "number") return Number.isNaN(v) ? "NaN" : String(v);
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "object") {
    const name = (v as object).constructor?.name;
    return name === undefined || name === "Object" ? "an object" : globalThis.Array.isArray(v) ? "a list" : `a ${name}`;
  }
  return `${typeof v} ${String(v)}`;
}

/**
 * Reject option keys `op` does not know: `opts` must be undefined or a plain object whose keys
 * are all in `known`. Values are checked by the caller (they differ per option).
 */
export function checkKeys(op: string, opts: unknown, known: readonly string[]): void {
  checkOptions(op, opts, Object.fromEntries(known.map((k) => [k, "any" as const])));
}

/** Bounds for {@link checkNumber}; `open*` makes a bound exclusive. */
export interface NumberBounds {
  min?: number;
  max?: number;
  openMin?: boolean;
  openMax?: boolean;
  integer?: boolean;
}

function rangeText(b: NumberBounds): string {
  const kind = b.integer ? "an integer" : "a finite number";
  if (b.min !== undefined && b.max !== undefined)
    return `${kind} in ${b.openMin ? "(" : "["}${b.min}, ${b.max}${b.openMax ? ")" : "]"}`;
  if (b.min !== undefined) return `${kind} ${b.openMin ? ">" : "≥"} ${b.min}`;
  if (b.max !== undefined) return `${kind} ${b.openMax ? "<" : "≤"} ${b.max}`;
  return kind;
}

/** `v` if it is a finite number within `bounds`, else a ValueError naming `op` and `arg`. */
export function checkNumber(op: string, arg: string, v: unknown, bounds: NumberBounds = {}): number {
  const ok =
    typeof v === "number" &&
    Number.isFinite(v) &&
    (!bounds.integer || Number.isInteger(v)) &&
    (bounds.min === undefined || (bounds.openMin ? v > bounds.min : v >= bounds.min)) &&
    (bounds.max === undefined || (bounds.openMax ? v < bounds.max : v <= bounds.max));
  if (!ok) throw new ValueError(`${op}: ${arg} must be ${rangeText(bounds)}; got ${describe(v)}`);
  return v as number;
}

/** Like {@link checkNumber} but `undefined` passes (an option left at its default). */
export function checkOptionalNumber(op: string, arg: string, v: unknown, bounds: NumberBounds = {}): void {
  if (v !== undefined) checkNumber(op, arg, v, bounds);
}

/** `v` if it is a boolean or undefined (catches `"false"` and `0` passed by mistake). */
export function checkOptionalBoolean(op: string, arg: string, v: unknown): void {
  if (v !== undefined && typeof v !== "boolean")
    throw new ValueError(`${op}: ${arg} must be a boolean; got ${describe(v)}`);
}

/** A learning rate: a finite number ≥ 0 or a schedule (a function of the step count). */
export function checkLearningRate(op: string, lr: unknown): void {
  if (typeof lr === "function") return;
  if (typeof lr !== "number")
    throw new ValueError(
      `${op}: learningRate must be a finite number ≥ 0 or a schedule (a function of the step count); got ${describe(lr)}`,
    );
  checkNumber(op, "learningRate", lr, { min: 0 });
}

/**
 * The first path at which two trees differ in structure, e.g. `'layers.1.bias' (present in the
 * first, missing in the second)`, or null when the structures are equal. `isLeaf` as for treeFlatten.
 */
export function firstTreeDifference(a: unknown, b: unknown, isLeaf?: (x: unknown) => boolean): string | null {
  const [, da] = treeFlatten(a, isLeaf);
  const [, db] = treeFlatten(b, isLeaf);
  if (da.equals(db)) return null;
  const pa = treeLeavesWithPath(a, isLeaf).map(([p]) => p.join("."));
  const pb = treeLeavesWithPath(b, isLeaf).map(([p]) => p.join("."));
  const n = Math.min(pa.length, pb.length);
  for (let i = 0; i < n; i++) {
    if (pa[i] !== pb[i]) return `leaf ${i}: '${pa[i] || "<root>"}' in the first, '${pb[i] || "<root>"}' in the second`;
  }
  if (pa.length > n) return `'${pa[n] || "<root>"}' (present in the first, missing in the second)`;
  if (pb.length > n) return `'${pb[n] || "<root>"}' (missing in the first, present in the second)`;
  // Same leaf paths, different node kinds (a list against an object with keys "0", "1", …).
  return `the node types (${short(da)} against ${short(db)})`;
}

function short(d: TreeDef): string {
  const s = String(d);
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}

/** Throw a ValueError unless `tree` has the structure of `reference`, naming the first differing path. */
export function checkSameTree(
  op: string,
  what: string,
  tree: unknown,
  refWhat: string,
  reference: unknown,
  isLeaf?: (x: unknown) => boolean,
): void {
  const diff = firstTreeDifference(tree, reference, isLeaf);
  if (diff !== null)
    throw new ValueError(`${op}: ${what} does not have the structure of ${refWhat}; first difference at ${diff}`);
}

/** A layer size: a positive integer, or `"scalar"` where the layer allows it. */
export function checkSize(op: string, arg: string, v: unknown, allowScalar = false): void {
  if (allowScalar && v === "scalar") return;
  if (typeof v !== "number" || !Number.isInteger(v) || v < 1) {
    throw new ValueError(
      `${op}: ${arg} must be a positive integer${allowScalar ? ' or "scalar"' : ""}; got ${describe(v)}`,
    );
  }
}

/** A layer's dtype option: float32 or complex64 (layers hold trainable floats). */
export function checkFloatDType(op: string, v: unknown): void {
  if (v !== undefined && v !== "float32" && v !== "complex64")
    throw new ValueError(`${op}: dtype must be "float32" or "complex64"; got ${describe(v)}`);
}

/**
 * The `key` a layer needs to initialize itself: one typed key (`random.key(seed)`, shape []) or
 * one raw key (`random.PRNGKey(seed)`, uint32 [2]). Checked here so the error names the layer,
 * not the `random.split` deep inside it.
 */
export function requireKey(op: string, key: unknown): void {
  const how = "(random.key(seed) or random.PRNGKey(seed))";
  if (key === undefined || key === null) throw new ValueError(`${op}: pass a PRNG key as the \`key\` option ${how}`);
  if (key instanceof random.KeyArray) {
    if (key.shape.length !== 0)
      throw new ShapeError(
        `${op}: key must be a single PRNG key; got an array of keys of shape [${key.shape.join(", ")}]`,
      );
    return;
  }
  if (!(key instanceof Array)) throw new ValueError(`${op}: key must be a PRNG key ${how}; got ${describe(key)}`);
  if (key.dtype !== "uint32")
    throw new DTypeError(`${op}: a raw PRNG key must be a uint32 array of shape [2]; got ${key.aval.toString()}`);
  if (key.ndim !== 1 || key.shape[0] !== 2)
    throw new ShapeError(
      `${op}: a raw PRNG key must be a uint32 array of shape [2]; got shape [${key.shape.join(", ")}]`,
    );
}
