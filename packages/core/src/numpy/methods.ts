/** Installs `Array`'s operator methods (`x.add(y)`, `x.sum()`, …) from the numpy layer. */
import { installArrayMethods, type Array } from "../core/array.ts";
import * as np from "./index.ts";
import * as lax from "../primitives/index.ts";

installArrayMethods({
  add: np.add,
  sub: np.subtract,
  mul: np.multiply,
  div: np.divide,
  pow: np.power,
  mod: np.remainder,
  matmul: (x: Array, y) => np.matmul(x, y),
  neg: np.negative,
  abs: np.abs,
  lt: np.less,
  le: np.lessEqual,
  gt: np.greater,
  ge: np.greaterEqual,
  eq: np.equal,
  ne: np.notEqual,
  reshape: np.reshape,
  transpose: np.transpose,
  astype: (x: Array, d) => lax.convertElementType(x, d),
  sum: np.sum,
  mean: (x: Array, o) => np.mean(x, o),
  max: (x: Array, o) => np.max(x, o),
  min: (x: Array, o) => np.min(x, o),
  prod: (x: Array, o) => np.prod(x, o),
  squeeze: (x: Array, axis) => np.squeeze(x, axis),
  real: np.real,
  imag: np.imag,
  conj: np.conj,
  index: (x: Array, idx) => np.index(x, ...idx),
  at: (x: Array, idx) => np.at(x, ...idx),
});
