/** Complex-number primitives: real, imag, conj, complex. All linear (over the reals). */
import type { Array } from "../core/array.ts";
import { ShapedArray } from "../core/aval.ts";
import { definePrimitive, isUndefined, type Primitive } from "../core/primitive.ts";
import { checkIn, checkSameShapeDType, elementwiseBatch, neg, zerosLike } from "./elementwise.ts";

export const realP = definePrimitive("real", {
  abstractEval([x]) {
    checkIn("real", ["complex64"], x, "x");
    return [new ShapedArray(x.shape, "float32", x.weakType)];
  },
  jvp: ([x], [dx]) => [[real(x)], [real(dx)]],
  // JAX: the transpose of real is complex(ct, 0).
  transpose: ([ct]) => [complex(ct as Array, zerosLike(ct as Array))],
  batch: ([x], [d]) => [[real(x)], [d]],
});
export const imagP = definePrimitive("imag", {
  abstractEval([x]) {
    checkIn("imag", ["complex64"], x, "x");
    return [new ShapedArray(x.shape, "float32", x.weakType)];
  },
  jvp: ([x], [dx]) => [[imag(x)], [imag(dx)]],
  // JAX: the transpose of imag is complex(0, -ct).
  transpose: ([ct]) => [complex(zerosLike(ct as Array), neg(ct as Array))],
  batch: ([x], [d]) => [[imag(x)], [d]],
});
export const conjP = definePrimitive("conj", {
  abstractEval([x]) {
    checkIn("conj", ["complex64"], x, "x");
    return [x];
  },
  jvp: ([x], [dx]) => [[conj(x)], [conj(dx)]],
  transpose: ([ct]) => [conj(ct as Array)],
  batch: ([x], [d]) => [[conj(x)], [d]],
});
export const complexP: Primitive = definePrimitive("complex", {
  abstractEval(avals) {
    checkSameShapeDType("complex", avals);
    checkIn("complex", ["float32"], avals[0], "x");
    return [new ShapedArray(avals[0].shape, "complex64", avals[0].weakType && avals[1].weakType)];
  },
  jvp: ([x, y], [dx, dy]) => [[complex(x, y)], [complex(dx, dy)]],
  // JAX: transpose of complex(x, y) gives (real(ct), -imag(ct))... for the R-linear map (x,y) ↦ x+iy
  // with JAX's convention (cotangent of a real input from a complex ct is real(ct) and imag part −imag(ct)).
  transpose: ([ct], [x, y]) => [
    isUndefined(x) ? real(ct as Array) : null,
    isUndefined(y) ? neg(imag(ct as Array)) : null,
  ],
  batch: (args, dims, p, axis) => elementwiseBatch(complexP)(args, dims, p, axis),
});

export const real = (x: Array): Array => realP.bind1([x], {});
export const imag = (x: Array): Array => imagP.bind1([x], {});
export const conj = (x: Array): Array => conjP.bind1([x], {});
export const complex = (x: Array, y: Array): Array => complexP.bind1([x, y], {});
