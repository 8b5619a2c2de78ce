/**
 * The error hierarchy of linax-ts. Every message names the op, the argument, what was received
 * (shapes, dtypes) and what was expected, so a user can fix the call without reading our source.
 */
export class LinaxError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
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
/**
 * An array used after `dispose()`: names the op that wanted it and the array's aval. A subclass of
 * ValueError because that is what the library raised before the class existed.
 */
export class UseAfterDisposeError extends ValueError {}
/**
 * A NaN or infinity produced while `config.debugNans` / `config.debugInfs` is on (JAX raises
 * Python's FloatingPointError). `primitive` is the first primitive whose output was bad; `fn` the
 * user function (the jitted function's name) when known.
 */
export class FloatingPointError extends LinaxError {
  constructor(
    message: string,
    readonly primitive?: string,
    readonly fn?: string,
  ) {
    super(message);
  }
}
/**
 * A checkpoint that cannot be loaded into the given structure: a missing or unexpected tensor, a
 * different shape or dtype, a file from another model. A ValueError, as before the class existed.
 */
export class CheckpointError extends ValueError {}
/** A malformed safetensors file (truncated, corrupt header, offsets out of range) or bad tensors to write. */
export class SafetensorsError extends CheckpointError {}
/**
 * An invariant of linax-ts itself was broken — a bug in the library, not in the caller's code.
 * Please report it with the program that raised it.
 */
export class InternalError extends LinaxError {}
