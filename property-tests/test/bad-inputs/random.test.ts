/** Bad inputs to `random`: keys of the wrong shape, dtype or kind, option typos, invalid seeds, shapes and probabilities. */
import { np, random, ShapeError, DTypeError, ValueError, type Array } from "linax-ts";
import { runTable, type Row } from "./table.ts";

const k = random.key(0);
const floatKey = np.ones([2]);
const longKey = np.ones([3], { dtype: "uint32" });
const keyBatch = np.ones([1, 2], { dtype: "uint32" });

/** Every sampler as `(key, opts?) → Array`, with valid other arguments. */
const samplers: Record<string, (key: unknown, opts?: object) => Array> = {
  uniform: (key, o) => random.uniform(key as never, [2], o),
  normal: (key, o) => random.normal(key as never, [2], o),
  truncatedNormal: (key, o) => random.truncatedNormal(key as never, -1, 1, [2], o),
  exponential: (key, o) => random.exponential(key as never, [2], o),
  gumbel: (key, o) => random.gumbel(key as never, [2], o),
  bernoulli: (key, o) => random.bernoulli(key as never, 0.5, [2], o),
  randint: (key, o) => random.randint(key as never, [2], 0, 5, o),
  bits: (key, o) => random.bits(key as never, [2], o),
  categorical: (key, o) => random.categorical(key as never, np.zeros([3]), o),
  permutation: (key, o) => random.permutation(key as never, 4, o),
  choice: (key, o) => random.choice(key as never, 4, o),
  orthogonal: (key, o) => random.orthogonal(key as never, 2, o),
};

const rowsKeys: Row[] = Object.entries(samplers).flatMap(([name, f]): Row[] => [
  [
    `random.${name} with a float32 key`,
    () => f(floatKey),
    DTypeError,
    new RegExp(
      `${name === "categorical" ? "categorical|gumbel" : name}: a raw PRNG key must be a uint32 array of shape \\[2\\].*got dtype float32`,
    ),
  ],
  [
    `random.${name} with a uint32 [3] key`,
    () => f(longKey),
    ShapeError,
    new RegExp(`${name}: a raw PRNG key must be a uint32 array of shape \\[2\\].*got shape \\[3\\]`),
  ],
  [
    `random.${name} with an array of keys`,
    () => f(keyBatch),
    ShapeError,
    /expects a single PRNG key, but was given an array of keys of shape \[1\]/,
  ],
  [`random.${name} with a number as the key`, () => f(0), ValueError, /key|PRNG/],
  [
    `random.${name} option typo 'partitionabel'`,
    () => f(k, { partitionabel: true }),
    ValueError,
    new RegExp(`${name}: unknown option 'partitionabel'; the options are .*partitionable`),
  ],
]);

const rowsMisc: Row[] = [
  [
    "random.uniform option typo minVal",
    () => random.uniform(k, [2], { minVal: 1 } as never),
    ValueError,
    /uniform: unknown option 'minVal'; the options are dtype, minval, maxval, partitionable/,
  ],
  ["random.uniform negative shape", () => random.uniform(k, [-1]), ShapeError, /uniform: invalid shape \[-1\]/],
  ["random.uniform int dtype", () => random.uniform(k, [2], { dtype: "int32" }), DTypeError, /uniform.*int32/],
  [
    "random.normal int dtype",
    () => random.normal(k, [2], { dtype: "int32" }),
    DTypeError,
    /normal: dtype must be a float dtype.*got int32/,
  ],
  [
    "random.exponential int dtype",
    () => random.exponential(k, [2], { dtype: "int32" }),
    DTypeError,
    /exponential: dtype must be a float dtype/,
  ],
  ["random.gumbel fractional shape", () => random.gumbel(k, [1.5]), ShapeError, /gumbel: invalid shape \[1\.5\]/],
  [
    "random.bernoulli p = 2",
    () => random.bernoulli(k, 2, [2]),
    ValueError,
    /bernoulli: p must be a probability in \[0, 1\]; got 2/,
  ],
  [
    "random.bernoulli p = NaN",
    () => random.bernoulli(k, NaN, [2]),
    ValueError,
    /bernoulli: p must be a probability in \[0, 1\]; got NaN/,
  ],
  ["random.bernoulli p = -0.1", () => random.bernoulli(k, -0.1, [2]), ValueError, /got -0\.1/],
  [
    "random.bernoulli int32 p array",
    () => random.bernoulli(k, np.array([1], { dtype: "int32" })),
    DTypeError,
    /probability p must have a floating dtype, got int32/,
  ],
  [
    "random.randint float dtype",
    () => random.randint(k, [2], 0, 5, { dtype: "float32" }),
    DTypeError,
    /randint: only accepts integer dtypes/,
  ],
  [
    "random.randint NaN bound",
    () => random.randint(k, [2], NaN, 5),
    ValueError,
    /randint: minval must be an integer; got NaN/,
  ],
  [
    "random.choice too many without replacement",
    () => random.choice(k, 3, { shape: [5], replace: false }),
    ValueError,
    /cannot take a larger sample \(5\) than the population \(3\)/,
  ],
  [
    "random.permutation negative n",
    () => random.permutation(k, -1),
    ValueError,
    /permutation: n must be a non-negative integer; got -1/,
  ],
  [
    "random.bits float dtype",
    () => random.bits(k, [2], { dtype: "float32" }),
    DTypeError,
    /bits: dtype must be an unsigned integer dtype/,
  ],
  ["random.key fractional seed", () => random.key(1.5), ValueError, /key: the seed must be an integer; got 1\.5/],
  ["random.key string seed", () => random.key("a" as never), ValueError, /the seed must be an integer.*got string a/],
  ["random.PRNGKey NaN seed", () => random.PRNGKey(NaN), ValueError, /seed must be an integer/],
  [
    "random.foldIn fractional data",
    () => random.foldIn(k, 1.5),
    ValueError,
    /foldIn: data must be an integer; got 1\.5/,
  ],
  ["random.split float key", () => random.split(floatKey), DTypeError, /split: a raw PRNG key must be a uint32 array/],
  [
    "random.split option typo",
    () => random.split(k, 2, { partitioned: true } as never),
    ValueError,
    /split: unknown option 'partitioned'/,
  ],
  [
    "random.keyData of a float array",
    () => random.keyData(np.ones([3]) as never),
    DTypeError,
    /keyData: a raw PRNG key must be a uint32 array/,
  ],
  [
    "random.wrapKeyData of a float array",
    () => random.wrapKeyData(np.ones([3])),
    DTypeError,
    /wrapKeyData: a raw PRNG key/,
  ],
];

runTable("random", [...rowsKeys, ...rowsMisc]);
