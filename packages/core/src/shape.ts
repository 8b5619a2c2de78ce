/** Shape arithmetic shared by abstract evaluation, kernels and the numpy layer. */
import { ShapeError } from "./errors.ts";

export type Shape = readonly number[];

// Plain loops: both run several times per eager op, on frozen aval shapes.
export const prod = (s: Shape): number => {
  let p = 1;
  for (let i = 0; i < s.length; i++) p *= s[i];
  return p;
};
export const shapeEq = (a: Shape, b: Shape): boolean => {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
};
export const fmtShape = (s: Shape): string => `[${s.join(", ")}]`;

/** Row-major strides in elements. */
export function stridesOf(s: Shape): number[] {
  const st = new Array<number>(s.length);
  let acc = 1;
  for (let i = s.length - 1; i >= 0; i--) {
    st[i] = acc;
    acc *= s[i];
  }
  return st;
}

/** numpy broadcasting of several shapes, with an error naming the op and all shapes. */
export function broadcastShapes(op: string, ...shapes: Shape[]): number[] {
  const nd = Math.max(0, ...shapes.map((s) => s.length));
  const out = new Array<number>(nd).fill(1);
  for (const s of shapes) {
    for (let i = 0; i < s.length; i++) {
      const j = nd - s.length + i;
      const d = s[i];
      if (out[j] === 1) out[j] = d;
      else if (d !== 1 && d !== out[j]) {
        throw new ShapeError(
          `${op}: shapes ${shapes.map(fmtShape).join(", ")} cannot be broadcast together (axis ${j - nd}: ${out[j]} vs ${d})`,
        );
      }
    }
  }
  return out;
}

/** Normalize a possibly negative axis; error names the op and the rank. */
export function normAxis(op: string, axis: number, ndim: number, arg = "axis"): number {
  if (!Number.isInteger(axis) || axis < -ndim || axis >= ndim) {
    throw new ShapeError(`${op}: ${arg} ${axis} is out of range for an array of rank ${ndim}`);
  }
  return axis < 0 ? axis + ndim : axis;
}

/** Normalize an axis list (or undefined = all axes), rejecting duplicates. */
export function normAxes(op: string, axes: number | readonly number[] | undefined | null, ndim: number): number[] {
  if (axes === undefined || axes === null) return [...Array(ndim).keys()];
  const list = typeof axes === "number" ? [axes] : axes;
  const out = list.map((a) => normAxis(op, a, ndim));
  if (new Set(out).size !== out.length) throw new ShapeError(`${op}: repeated axis in ${JSON.stringify(list)}`);
  return out;
}

export function checkShape(op: string, shape: Shape): void {
  for (const d of shape) {
    if (!Number.isInteger(d) || d < 0) throw new ShapeError(`${op}: invalid shape ${fmtShape(shape)}`);
  }
}
