/** Bad inputs to `np` and `lax`: shapes that do not fit, axes out of range, option typos, wrong dtypes and kinds. */
import { np, lax, ShapeError, DTypeError, ValueError, IndexError, type Array } from "linax-ts";
import { runTable, type Row } from "./table.ts";

const x = np.ones([2, 3]);
const v = np.ones([4]);
const i3 = np.arange(3);
const ix = np.ones([2, 3], { dtype: "int32" });

type Bin = (a: Array, b: Array) => Array;
const binaries: Record<string, Bin> = {
  add: np.add,
  subtract: np.subtract,
  multiply: np.multiply,
  divide: np.divide,
  power: np.power,
  maximum: np.maximum,
  minimum: np.minimum,
  arctan2: np.arctan2,
  hypot: np.hypot,
  equal: np.equal,
  less: np.less,
  greater: np.greater,
  logaddexp: np.logaddexp,
  copysign: np.copysign,
  fmod: np.fmod,
  remainder: np.remainder,
  floorDivide: np.floorDivide,
  logicalAnd: np.logicalAnd,
  notEqual: np.notEqual,
  lessEqual: np.lessEqual,
};
const rowsBinary: Row[] = Object.entries(binaries).flatMap(([name, f]): Row[] => [
  [
    `np.${name} [2,3] with [4]`,
    () => f(x, v),
    ShapeError,
    new RegExp(`${name === "notEqual" ? "not_?[eE]qual|notEqual" : name}.*\\[2, 3\\].*\\[4\\]`, "i"),
  ],
  [`np.${name} [2,3] with [3,2]`, () => f(x, np.ones([3, 2])), ShapeError, /\[2, 3\].*\[3, 2\]|cannot be broadcast/],
]);

type Red = (a: Array, opts?: never) => unknown;
const reductions: Record<string, Red> = {
  sum: np.sum as Red,
  mean: np.mean as Red,
  max: np.max as Red,
  min: np.min as Red,
  prod: np.prod as Red,
  std: np.std as Red,
  var: np.var as Red,
  any: np.any as Red,
  all: np.all as Red,
  logsumexp: np.logsumexp as Red,
  argmax: np.argmax as Red,
  argmin: np.argmin as Red,
};
const rowsAxis: Row[] = Object.entries(reductions).flatMap(([name, f]): Row[] => [
  [
    `np.${name} axis 5 of a rank-2 array`,
    () => f(x, { axis: 5 } as never),
    ShapeError,
    /axis 5 is out of range for an array of rank 2/,
  ],
  [`np.${name} axis -3 of a rank-2 array`, () => f(x, { axis: -3 } as never), ShapeError, /axis -3 is out of range/],
  [
    `np.${name} option typo 'axes'`,
    () => f(x, { axes: 1 } as never),
    ValueError,
    /unknown option 'axes'; the options are .*axis/,
  ],
]);
for (const [name, f] of Object.entries({
  cumsum: np.cumsum,
  cumprod: np.cumprod,
  sort: np.sort,
  flip: np.flip,
  argsort: np.argsort,
}) as [string, (a: Array, ax: number) => unknown][]) {
  rowsAxis.push([`np.${name} axis 3 of a rank-2 array`, () => f(x, 3), ShapeError, /axis 3 is out of range/]);
}

const unaries: Record<string, (a: never) => unknown> = {
  sqrt: np.sqrt,
  exp: np.exp,
  log: np.log,
  sin: np.sin,
  cos: np.cos,
  tanh: np.tanh,
  abs: np.abs,
  negative: np.negative,
  floor: np.floor,
  ceil: np.ceil,
};
const rowsUnary: Row[] = Object.entries(unaries).flatMap(([name, f]): Row[] => [
  [`np.${name} of a string`, () => f("abc" as never), ValueError, /unsupported element abc of type string/],
  [`np.${name} of undefined`, () => f(undefined as never), ValueError, /unsupported element undefined/],
]);
for (const name of ["bitwiseAnd", "bitwiseOr", "bitwiseXor", "leftShift"] as const) {
  rowsUnary.push([
    `np.${name} of float32`,
    () => (np[name] as Bin)(x, x),
    DTypeError,
    /dtype float32; expected one of int32, uint32/,
  ]);
}
for (const name of ["arcsin", "log1p", "expm1", "sinh"] as const) {
  rowsUnary.push([
    `lax.${name === "arcsin" ? "asin" : name} of int32`,
    () => (lax as unknown as Record<string, (a: Array) => Array>)[name === "arcsin" ? "asin" : name](ix),
    DTypeError,
    /int32.*supported: float32, complex64/,
  ]);
}

const creators: Record<string, (shape: never, opts?: never) => unknown> = {
  zeros: np.zeros as never,
  ones: np.ones as never,
  empty: np.empty as never,
  full: ((s: number[]) => np.full(s, 1)) as never,
};
const rowsCreate: Row[] = Object.entries(creators).flatMap(([name, f]): Row[] => [
  [
    `np.${name} negative dimension`,
    () => f([-1] as never),
    ShapeError,
    /invalid shape \[-1\]; dimensions must be non-negative integers/,
  ],
  [`np.${name} fractional dimension`, () => f([1.5] as never), ShapeError, /invalid shape \[1\.5\]/],
  [`np.${name} NaN dimension`, () => f([NaN] as never), ShapeError, /invalid shape \[NaN\]/],
]);
for (const name of ["zeros", "ones", "empty"] as const) {
  rowsCreate.push([
    `np.${name} dtype float64`,
    () => np[name]([2], { dtype: "float64" as never }),
    DTypeError,
    /unknown dtype 'float64'/,
  ]);
}

const rowsNpMisc: Row[] = [
  [
    "np.reshape size mismatch",
    () => np.reshape(x, [4, 2]),
    ShapeError,
    /cannot reshape an array of shape \[2, 3\] \(size 6\) into shape \[4, 2\]/,
  ],
  ["np.reshape two -1", () => np.reshape(x, [-1, -1]), ShapeError, /only specify one unknown dimension/],
  ["np.transpose repeated axis", () => np.transpose(x, [0, 0]), ShapeError, /repeated axis/],
  [
    "np.matmul inner mismatch",
    () => np.matmul(x, x),
    ShapeError,
    /contraction dimension mismatch: shapes \[2, 3\] and \[2, 3\]/,
  ],
  [
    "np.concatenate mismatched",
    () => np.concatenate([x, v]),
    ShapeError,
    /array 0 has shape \[2, 3\], array 1 has shape \[4\]/,
  ],
  ["np.concatenate nothing", () => np.concatenate([]), ValueError, /need at least one array/],
  ["np.stack mismatched", () => np.stack([x, v]), ShapeError, /same shape/],
  ["np.arange NaN", () => np.arange(NaN), ValueError, /finite numbers; got 0, NaN, 1/],
  ["np.arange step 0", () => np.arange(0, 3, 0), ValueError, /step must not be zero/],
  ["np.linspace num -1", () => np.linspace(0, 1, -1), ValueError, /num must be a non-negative integer; got -1/],
  [
    "np.take mode raise",
    () => np.take(v, np.array([5]), { mode: "raise" } as never),
    ValueError,
    /'mode' must be one of/,
  ],
  ["np.eye N -1", () => np.eye(-1), ValueError, /N must be a non-negative integer; got -1/],
  ["np.where bad broadcast", () => np.where(x, v, v), ShapeError, /where: shapes \[2, 3\], \[4\], \[4\]/],
  ["np.squeeze non-1 axis", () => np.squeeze(x, 0), ShapeError, /cannot squeeze axis 0 of size 2/],
  ["np.expandDims out of range", () => np.expandDims(x, 5), ShapeError, /dimension 5 is out of range/],
  ["np.split unequal", () => np.split(v, 3), ValueError, /does not result in an equal division/],
  ["np.tile negative", () => np.tile(x, [-1]), ValueError, /reps must be non-negative integers/],
  ["np.repeat negative", () => np.repeat(v, -1), ValueError, /repeats must be non-negative integers/],
  ["np.dot misaligned", () => np.dot(v, np.ones([3])), ShapeError, /shapes \[4\] and \[3\] not aligned/],
  ["np.einsum size clash", () => np.einsum("ij,jk->ik", x, x), ShapeError, /subscript 'j' has size 3/],
  ["np.linalg.inv non-square", () => np.linalg.inv(x), ShapeError, /square matrices.*\[2, 3\]/],
  ["np.pad negative", () => np.pad(x, -1), ValueError, /pad widths must be non-negative integers/],
  [
    "np.broadcastTo incompatible",
    () => np.broadcastTo(x, [3, 3]),
    ShapeError,
    /\[2, 3\], \[3, 3\] cannot be broadcast/,
  ],
  ["np.moveaxis out of range", () => np.moveaxis(x, 0, 5), ShapeError, /axis 5 is out of range/],
  ["np.swapaxes out of range", () => np.swapaxes(x, 0, 9), ShapeError, /axis2 9 is out of range/],
  ["np.diag rank 3", () => np.diag(np.ones([2, 2, 2])), ShapeError, /1-d or 2-d; got shape \[2, 2, 2\]/],
  [
    "np.mean dtype int8",
    () => np.mean(x, { dtype: "int8" } as never),
    ValueError,
    /'dtype' must be a dtype name; got the string "int8"/,
  ],
  ["np.astype float64", () => np.astype(x, "float64" as never), DTypeError, /unknown dtype 'float64'/],
  ["np.array ragged", () => np.array([[1, 2], [3]]), ShapeError, /ragged nested list/],
  ["np.array of a string", () => np.array("abc" as never), ValueError, /unsupported element abc/],
  [
    "np.sum axis as a string",
    () => np.sum(x, "1" as never),
    ValueError,
    /'axis' must be an integer axis.*got the string "1"/,
  ],
  ["np.full with a string value", () => np.full([2], "x" as never), ValueError, /unsupported element x/],
  ["np.outer with a string", () => np.outer(x, "a" as never), ValueError, /unsupported element a/],
  ["np.clip with an options object", () => np.clip(x, { min: 0 } as never), ValueError, /unsupported element/],
];

const rowsLax: Row[] = [
  ...(["add", "sub", "mul", "div", "max", "min"] as const).map((n): Row => [
    `lax.${n} unequal shapes`,
    () => (lax[n] as Bin)(x, v),
    ShapeError,
    new RegExp(`lax-level operands must have equal shapes; got \\[2, 3\\] and \\[4\\]`),
  ]),
  ...(["add", "sub", "mul", "div"] as const).map((n): Row => [
    `lax.${n} float32 with int32`,
    () => (lax[n] as Bin)(x, ix),
    DTypeError,
    /float32.*int32|int32.*float32/,
  ]),
  ...(["sin", "cos", "exp", "log", "tanh", "sqrt", "logistic", "erf"] as const).map((n): Row => [
    `lax.${n} of int32`,
    () => (lax[n] as (a: Array) => Array)(ix),
    DTypeError,
    new RegExp(`${n}: argument 'x' has dtype int32`),
  ]),
  [
    "lax.reshape size mismatch",
    () => lax.reshape(x, [5]),
    ShapeError,
    /cannot reshape an array of shape \[2, 3\] \(size 6\) into shape \[5\]/,
  ],
  ["lax.slice past the end", () => lax.slice(x, [0, 0], [3, 3]), IndexError, /needs 0 <= start <= limit <= 2/],
  [
    "lax.dynamicSlice too large",
    () => lax.dynamicSlice(x, [0, 0], [3, 3]),
    IndexError,
    /slice size 3 must be in \[0, 2\]/,
  ],
  [
    "lax.transpose short permutation",
    () => lax.transpose(x, [1]),
    ShapeError,
    /permutation \[1\] is not a permutation/,
  ],
  [
    "lax.broadcastInDim mismatch",
    () => lax.broadcastInDim(v, [2, 3], [1]),
    ShapeError,
    /operand shape \[4\] cannot be broadcast to \[2, 3\]/,
  ],
  ["lax.concatenate mismatch", () => lax.concatenate([x, v], 0), ShapeError, /operand 1 differs/],
  ["lax.rev axis out of range", () => lax.rev(x, [5]), ShapeError, /dimensions \[5\] must be distinct axes/],
  [
    "lax.dotGeneral positional dimension numbers",
    () =>
      lax.dotGeneral(x, x, [
        [[1], [1]],
        [[], []],
      ] as never),
    ValueError,
    /dotGeneral: expected an options object/,
  ],
  [
    "lax.dotGeneral option typo",
    () => lax.dotGeneral(x, x, { contractingDim: [[1], [1]] } as never),
    ValueError,
    /unknown option 'contractingDim'; the options are contractingDims/,
  ],
  [
    "lax.dotGeneral malformed contractingDims",
    () => lax.dotGeneral(x, x, { contractingDims: [1, 1] } as never),
    ValueError,
    /contractingDims must be a pair of integer lists/,
  ],
  [
    "lax.dotGeneral size mismatch",
    () => lax.dotGeneral(x, x, { contractingDims: [[1], [0]] }),
    ShapeError,
    /dotGeneral/,
  ],
  [
    "lax.convGeneralDilated positional strides",
    () => lax.convGeneralDilated(x, x, [1] as never),
    ValueError,
    /convGeneralDilated: expected an options object/,
  ],
  [
    "lax.convGeneralDilated option typo",
    () => lax.convGeneralDilated(np.ones([1, 1, 4]), np.ones([1, 1, 2]), { strides: [1] } as never),
    ValueError,
    /unknown option 'strides'; the options are windowStrides/,
  ],
  [
    "lax.cumsum axis as options",
    () => lax.cumsum(x, { axis: 1 } as never),
    ValueError,
    /cumsum: axis must be an integer \(lax takes it positionally/,
  ],
  ["lax.cumsum axis out of range", () => lax.cumsum(x, 3), ShapeError, /cumsum: axis 3 is out of range/],
  ["lax.cumprod reverse as a string", () => lax.cumprod(x, 0, "yes" as never), ValueError, /reverse must be a boolean/],
  [
    "lax.cond non-scalar predicate",
    () =>
      lax.cond(
        np.array([true, false]),
        () => 1,
        () => 2,
      ),
    ShapeError,
    /predicate must be a scalar; got shape \[2\]/,
  ],
  [
    "lax.whileLoop non-boolean condition",
    () =>
      lax.whileLoop(
        (c: Array) => c,
        (c: Array) => c,
        np.array(1),
      ),
    DTypeError,
    /condFun must return a boolean scalar; got f32\[\]/,
  ],
  [
    "lax.sort dimension out of range",
    () => lax.sort(x, { dimension: 5 } as never),
    ShapeError,
    /dimension 5 is out of range/,
  ],
  [
    "lax.selectN float predicate",
    () => lax.selectN(x, x),
    DTypeError,
    /'which' has dtype float32; expected bool or int32/,
  ],
  [
    "lax.integerPow fractional exponent",
    () => lax.integerPow(x, 1.5),
    ValueError,
    /exponent y must be an integer; got 1\.5/,
  ],
  ["lax.iota negative size", () => lax.iota("float32", -1), ShapeError, /iota: invalid shape \[-1\]/],
  [
    "lax.convertElementType unknown dtype",
    () => lax.convertElementType(x, "f64" as never),
    DTypeError,
    /unknown dtype 'f64'/,
  ],
  [
    "lax.scan xs of different lengths",
    () => lax.scan((c: Array, a: [Array, Array]) => [c, a[0]], np.array(0), [np.ones([2]), np.ones([3])] as never),
    ShapeError,
    /scan/,
  ],
  ["lax.pad config of the wrong rank", () => lax.pad(x, np.array(0), [[0, 0, 0]]), ShapeError, /pad/],
  ["lax.gather on an int index of the wrong dtype", () => np.take(v, np.array([0.5])), DTypeError, /int/],
  ["np.take index float", () => np.take(i3, np.array([1.0])), DTypeError, /take|index|integer/],
];

runTable("np", [...rowsBinary, ...rowsAxis, ...rowsUnary, ...rowsCreate, ...rowsNpMisc]);
runTable("lax", rowsLax);
