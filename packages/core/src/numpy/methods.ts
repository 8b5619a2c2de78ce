/** Installs `Array`'s operator methods (`x.add(y)`, `x.sum()`, …) from the numpy layer. */
import { installArrayMethods, type Array } from "../core/array.ts";
import { NotImplementedError } from "../errors.ts";
import * as np from "./index.ts";
import * as lax from "../primitives/index.ts";

const todo = (name: string) => (): never => {
  throw new NotImplementedError(`Array.${name} is not implemented yet`);
};

installArrayMethods({
  add: np.add,
  sub: np.subtract,
  mul: np.multiply,
  div: np.divide,
  pow: todo("pow"),
  mod: todo("mod"),
  matmul: todo("matmul"),
  neg: np.negative,
  abs: todo("abs"),
  lt: todo("lt"),
  le: todo("le"),
  gt: todo("gt"),
  ge: todo("ge"),
  eq: todo("eq"),
  ne: todo("ne"),
  reshape: np.reshape,
  transpose: np.transpose,
  astype: (x: Array, d) => lax.convertElementType(x, d),
  sum: np.sum,
  mean: todo("mean"),
  max: todo("max"),
  min: todo("min"),
  prod: todo("prod"),
  squeeze: todo("squeeze"),
  real: np.real,
  imag: np.imag,
  conj: np.conj,
  index: todo("index"),
  at: todo("at"),
});
