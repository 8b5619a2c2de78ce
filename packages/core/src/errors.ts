/**
 * The error hierarchy of linax-ts. Every message names the op, the argument, what was received
 * (shapes, dtypes) and what was expected, so a user can fix the call without reading our source.
 */
export class LinaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = new.target.name;
  }
}
/** Shapes that do not fit together: broadcasting, contraction sizes, axis out of range. */
export class ShapeError extends LinaxError {}
/** A dtype an op does not accept, or dtypes that cannot be combined. */
export class DTypeError extends LinaxError {}
/** A bad argument value that is not about shapes or dtypes (Python's `ValueError`). */
export class ValueError extends LinaxError {}
/** A tracer used outside the transform that created it. */
export class TracerLeakError extends LinaxError {}
/** A traced value used where a concrete value is needed (e.g. a JS `if` on a traced boolean). */
export class ConcretizationError extends LinaxError {}
/** A rule or kernel that does not exist yet, naming the primitive and the transform. */
export class NotImplementedError extends LinaxError {}
/** An index out of range (slices, `take` with mode "raise"). */
export class IndexError extends LinaxError {}
