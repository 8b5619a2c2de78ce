/**
 * Compiled == reference: every fused kernel the CPU backend renders to WebAssembly gives the
 * reference interpreter's results bit for bit (NaNs compared as NaN), for every lowered op family
 * and dtype, on the SIMD path (long contiguous runs with scalar tails) and the scalar one
 * (transposed, strided, padded, broadcast loads), and for random programs. The oracle is the
 * same jitted function with `config.update("jitCompile", false)`, i.e. the reference kernels.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import fc from "fast-check";
import { config, jit, lax, makeJaxpr, np, random, type Array, type DType } from "linax-ts";
import { cpu } from "@linax-ts/backend-cpu";
import type { CpuExecutable } from "../src/compile/executable.ts";
import { threefry2x32P } from "../../core/src/primitives/random-prims.ts";

const SEED = 20261207;
const runs = Number(process.env.FC_NUM_RUNS ?? 60);

/** Values that exercise every corner of a dtype. */
function specials(dtype: DType): number[] {
  switch (dtype) {
    case "float32":
      return [
        0,
        -0,
        1,
        -1,
        0.5,
        -2.5,
        3.75,
        1e-38,
        -1e-45,
        3.4e38,
        -3.4e38,
        Infinity,
        -Infinity,
        NaN,
        0.1,
        7,
        100,
        -0.3,
      ];
    case "int32":
      return [0, 1, -1, 2, -7, 31, 32, 33, 2147483647, -2147483648, 123456, -98765, 65536];
    case "uint32":
      return [0, 1, 2, 7, 31, 32, 33, 4294967295, 2147483648, 123456, 65536];
    default:
      return [0, 1];
  }
}

/** A deterministic array of `dtype` and `shape` cycling through the specials with an offset. */
function arrayOf(dtype: DType, shape: number[], offset = 0): Array {
  const s = specials(dtype);
  const n = shape.reduce((a, b) => a * b, 1);
  const vals = globalThis.Array.from({ length: n }, (_, i) => s[(i * 7 + offset) % s.length]);
  if (dtype === "bool") return np.array(vals.map((v) => v !== 0)).reshape(shape);
  return np.array(vals, { dtype }).reshape(shape);
}

/** Bitwise equality of two arrays (any NaN equals any NaN). */
function assertSameBits(got: Array, want: Array, what: string): void {
  assert.deepEqual(got.shape, want.shape, `${what}: shape`);
  assert.equal(got.dtype, want.dtype, `${what}: dtype`);
  const g = got.dataSync();
  const w = want.dataSync();
  for (let i = 0; i < w.length; i++) {
    const a = g[i];
    const b = w[i];
    if (Number.isNaN(a) && Number.isNaN(b)) continue;
    if (!Object.is(a, b)) assert.fail(`${what}: element ${i}: compiled ${a}, reference ${b}`);
  }
}

/** Run f jitted with compilation on and off; assert identical results and that it really compiled. */
function check(what: string, f: (...xs: Array[]) => Array | Array[], ...args: Array[]): void {
  const cj = makeJaxpr(f)(...args);
  const exe = cpu.compile(cj.jaxpr) as CpuExecutable;
  assert.notEqual(exe.compiled, null, `${what}: the program compiled`);
  config.update("jitCompile", true);
  const got = jit(f)(...args);
  config.update("jitCompile", false);
  let want: Array | Array[];
  try {
    want = jit(f)(...args);
  } finally {
    config.update("jitCompile", true);
  }
  const gs = globalThis.Array.isArray(got) ? got : [got];
  const ws = globalThis.Array.isArray(want) ? want : [want];
  gs.forEach((g, i) => assertSameBits(g, ws[i], `${what} (output ${i})`));
}

type Op1 = (x: Array) => Array;
type Op2 = (x: Array, y: Array) => Array;
const L = lax as unknown as Record<string, (...a: unknown[]) => Array>;

const UNARY: Record<string, string[]> = {
  float32:
    "neg exp log sin cos tanh exp2 log1p expm1 tan asin acos atan sinh cosh asinh acosh atanh sqrt rsqrt cbrt abs sign floor ceil round logistic erf erfc erfInv lgamma digamma isFinite".split(
      " ",
    ),
  int32: "neg abs sign clz populationCount".split(" "),
  uint32: "neg sign clz populationCount".split(" "),
};
const BINARY: Record<string, string[]> = {
  float32: "add sub mul div max min pow atan2 rem nextafter eq ne lt le gt ge".split(" "),
  int32: "add sub mul div rem max min eq ne lt le gt ge shiftLeft shiftRightLogical shiftRightArithmetic".split(" "),
  uint32: "add sub mul div rem max min eq ne lt le gt ge shiftLeft shiftRightLogical shiftRightArithmetic".split(" "),
  bool: "eq ne lt le gt ge".split(" "),
};
// 4·k + 3 elements: SIMD body plus a scalar tail; a transposed read takes the scalar path.
const SHAPE = [3, 13];

for (const [dtype, ops] of Object.entries(UNARY)) {
  test(`compiled unary ops on ${dtype} == reference (contiguous and transposed)`, () => {
    const x = arrayOf(dtype as DType, SHAPE);
    for (const op of ops) {
      const f = L[op] as Op1;
      check(`${op}/${dtype}`, (a) => f(a), x);
      check(`${op}/${dtype} transposed`, (a) => f(a.T), x);
      check(`${op}/${dtype} fused after neg`, (a) => f(lax.neg(a)), x);
    }
  });
}
for (const [dtype, ops] of Object.entries(BINARY)) {
  test(`compiled binary ops on ${dtype} == reference (equal shapes, broadcast rows and columns)`, () => {
    const x = arrayOf(dtype as DType, SHAPE);
    const y = arrayOf(dtype as DType, SHAPE, 5);
    const row = arrayOf(dtype as DType, [13], 3);
    const col = arrayOf(dtype as DType, [3, 1], 2);
    for (const op of ops) {
      const f = L[op] as Op2;
      check(`${op}/${dtype}`, (a, b) => f(a, b), x, y);
      check(`${op}/${dtype} row broadcast`, (a, r) => f(a, lax.broadcastInDim(r, SHAPE, [1])), x, row);
      check(`${op}/${dtype} column broadcast`, (a, c) => f(lax.broadcastInDim(c.reshape([3]), SHAPE, [0]), a), x, col);
    }
  });
}

test("compiled logic ops (not/and/or/xor) on bool, int32, uint32 == reference", () => {
  for (const dtype of ["bool", "int32", "uint32"] as DType[]) {
    const x = arrayOf(dtype, SHAPE);
    const y = arrayOf(dtype, SHAPE, 3);
    check(`not/${dtype}`, (a) => lax.bitwiseNot(a), x);
    for (const op of ["bitwiseAnd", "bitwiseOr", "bitwiseXor"])
      if (op in L) check(`${op}/${dtype}`, (a, b) => L[op](a, b), x, y);
  }
});

test("compiled casts between every pair of real dtypes == reference", () => {
  const dts: DType[] = ["float32", "int32", "uint32", "bool"];
  for (const from of dts) {
    const x = arrayOf(from, SHAPE);
    for (const to of dts) {
      check(`convert ${from}->${to}`, (a) => lax.convertElementType(a, to), x);
      check(`convert ${from}->${to} in a chain`, (a) => lax.convertElementType(lax.rev(a.T, [0]), to), x);
    }
  }
  const c = np
    .array([1, 2, 3, 4, 5])
    .astype("complex64")
    .mul(np.array([1, -2, 0.5, NaN, 3]));
  check("complex parts and products", (z) => np.real(z.mul(z).add(np.conj(z))), c);
});

test("compiled select/clamp/iota and integerPow == reference", () => {
  const x = arrayOf("float32", SHAPE);
  const y = arrayOf("float32", SHAPE, 4);
  const w = arrayOf("int32", SHAPE, 1);
  check("select", (a, b) => lax.select(lax.gt(a, b), a, b), x, y);
  check(
    "selectN int32",
    (k, a, b) => lax.selectN(lax.clamp(np.array(0, { dtype: "int32" }), k, np.array(1, { dtype: "int32" })), a, b),
    w,
    x,
    y,
  );
  check("clamp", (a) => lax.clamp(np.array(-1), a, np.array(2)), x);
  check("iota", (a) => a.add(lax.convertElementType(lax.iota("int32", SHAPE, 1), "float32")), x);
  check("integerPow", (a) => lax.integerPow(a, 3), x);
  // Exponents 0, ±1, 2 are native instructions (x·x, 1/x); others call the reference.
  for (const y of [-2, -1, 0, 1, 2]) {
    check(`integerPow ${y}`, (a) => lax.integerPow(a, y), x);
    check(`integerPow ${y} transposed`, (a) => lax.integerPow(a.T, y), x);
  }
});

test("native x², 1/x, rsqrt, isFinite and run-time shifts == reference on random bit patterns", () => {
  // Random float32 bit patterns hit subnormals, huge values, NaN payloads and signed zeros.
  const bits = new Uint32Array(4097);
  let s = 12345;
  for (let i = 0; i < bits.length; i++) bits[i] = s = (Math.imul(s, 1103515245) + 12345) >>> 0;
  const f = np.array(globalThis.Array.from(new Float32Array(bits.buffer)));
  for (const y of [-1, 2]) check(`integerPow ${y} random`, (a) => lax.integerPow(a, y), f);
  check("rsqrt random", (a) => lax.rsqrt(a), f);
  check("rsqrt random (scalar path)", (a) => lax.rsqrt(a.reshape([17, 241]).T), f);
  check("isFinite random", (a) => lax.isFinite(a), f);
  // Amounts 0..63: below and above the width.
  const amounts = np.array(
    globalThis.Array.from(bits, (b) => b % 64),
    { dtype: "uint32" },
  );
  for (const dtype of ["int32", "uint32"] as DType[]) {
    const x = np.array(
      globalThis.Array.from(bits, (b) => (dtype === "int32" ? b | 0 : b)),
      { dtype },
    );
    const a = lax.convertElementType(amounts, dtype);
    for (const op of ["shiftLeft", "shiftRightLogical", "shiftRightArithmetic"])
      check(`${op}/${dtype} run-time amounts`, (u, v) => L[op](u, v), x, a);
  }
});

test("compiled reductions over every axis set and dtype == reference (f64 accumulation, NaN rules)", () => {
  const ops = ["reduceSum", "reduceMax", "reduceMin", "reduceProd"];
  const axesSets = [[0], [1], [2], [0, 2], [0, 1, 2], [1, 2]];
  for (const dtype of ["float32", "int32", "uint32"] as DType[]) {
    const x = arrayOf(dtype, [3, 4, 5]);
    for (const op of ops)
      for (const axes of axesSets) check(`${op}/${dtype} axes ${axes}`, (a) => L[op](lax.neg(a), axes), x);
  }
  const b = arrayOf("bool", [3, 4, 5]);
  for (const op of ["reduceAnd", "reduceOr", "reduceMax", "reduceMin"])
    for (const axes of axesSets) check(`${op}/bool axes ${axes}`, (a) => L[op](a, axes), b);
  const z = np
    .array([1, 2, 3, 4, 5, 6])
    .astype("complex64")
    .mul(np.array([1, -2, 0.5, 2, 3, -1]));
  check(
    "complex sum and prod",
    (v) => [lax.reduceSum(v.reshape([2, 3]), [1]), lax.reduceProd(v.reshape([2, 3]), [0])],
    z,
  );
});

test("compiled movement ops (pad with interior/negative, concatenate, slice with strides, rev, transpose, reshape) == reference", () => {
  const x = arrayOf("float32", [4, 6]);
  check(
    "pad",
    (a) =>
      lax.pad(a, np.array(-1), [
        [1, 2, 1],
        [-1, 3, 0],
      ]),
    x,
  );
  check(
    "pad then exp",
    (a) =>
      np.exp(
        lax.pad(a, np.array(0.5), [
          [2, 0, 0],
          [0, 5, 2],
        ]),
      ),
    x,
  );
  check("concatenate", (a) => lax.concatenate([a, a.mul(2), lax.rev(a, [1])], 1), x);
  check("slice strided", (a) => lax.slice(a, [1, 0], [4, 6], [2, 3]).mul(3), x);
  check("reshape round trip", (a) => a.reshape([2, 12]).T.reshape([6, 4]).add(1), x);
  check(
    "empty pad operand",
    (a) =>
      lax.pad(lax.slice(a, [1, 2], [1, 4]), np.array(7), [
        [1, 1, 0],
        [0, 0, 0],
      ]),
    x,
  );
});

test("random programs: compiled == reference (fast-check)", () => {
  const unary = ["neg", "exp", "tanh", "abs", "floor", "sqrt", "logistic", "sin"];
  const binary = ["add", "sub", "mul", "div", "max", "min"];
  const step = fc.oneof(
    fc.record({ kind: fc.constant("u" as const), op: fc.constantFrom(...unary) }),
    fc.record({ kind: fc.constant("b" as const), op: fc.constantFrom(...binary), other: fc.nat(3) }),
    fc.record({ kind: fc.constant("t" as const) }),
    fc.record({ kind: fc.constant("r" as const), axis: fc.nat(1) }),
  );
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.integer({ min: 1, max: 9 }),
      fc.array(step, { minLength: 1, maxLength: 8 }),
      fc.nat(20),
      (m, n, steps, off) => {
        const x = arrayOf("float32", [m, n], off);
        const y = arrayOf("float32", [m, n], off + 3);
        const prog = (a: Array, b: Array): Array[] => {
          const vals: Array[] = [a, b];
          let cur = a;
          for (const s of steps) {
            if (s.kind === "u") cur = L[s.op](cur);
            else if (s.kind === "b") {
              const o = vals[s.other % vals.length];
              cur = L[s.op](
                cur,
                o.shape.join() === cur.shape.join()
                  ? o
                  : lax.broadcastInDim(lax.reduceSum(o, [0, 1].slice(0, o.ndim)), cur.shape, []),
              );
            } else if (s.kind === "t") cur = cur.ndim === 2 ? cur.T : cur;
            else cur = cur.ndim === 2 ? lax.reduceMax(cur, [s.axis]) : cur;
            vals.push(cur);
          }
          return [cur, vals[vals.length - 2]];
        };
        check(`program ${JSON.stringify(steps)} on [${m},${n}]`, prog, x, y);
      },
    ),
    { seed: SEED, numRuns: runs },
  );
});

test("a compiled program frees every intermediate: live buffers return to the baseline", () => {
  const x = arrayOf("float32", [64, 33]);
  const f = jit((a: Array) => np.tanh(np.exp(a).mul(a)).sum(1).add(np.max(a, 1)));
  f(x).dispose();
  const before = cpu.liveBuffers();
  const heapBefore = cpu.heap.liveBlocks;
  for (let i = 0; i < 20; i++) f(x).dispose();
  assert.equal(cpu.liveBuffers(), before);
  assert.equal(cpu.heap.liveBlocks, heapBefore);
});

test("compiled threefry2x32 (one two-output kernel) and constant shifts == reference", () => {
  const x0 = arrayOf("uint32", [5, 9]);
  const x1 = arrayOf("uint32", [5, 9], 3);
  const k0 = arrayOf("uint32", [5, 1], 1);
  const k1 = np.array(7, { dtype: "uint32" });
  const tf = (...a: Array[]): Array[] => threefry2x32P.bind(a, {});
  check("threefry2x32", (a, b, c, d) => tf(a, b, c, d), k0, k1, x0, x1);
  const cj = makeJaxpr((a: Array, b: Array, c: Array, d: Array) => tf(a, b, c, d))(k0, k1, x0, x1);
  const exe = cpu.compile(cj.jaxpr) as CpuExecutable;
  assert.equal(exe.compiled!.program.steps.length, 1, "both words in one kernel");
  for (const dtype of ["int32", "uint32"] as DType[]) {
    const x = arrayOf(dtype, SHAPE);
    for (const op of ["shiftLeft", "shiftRightLogical", "shiftRightArithmetic"]) {
      for (const s of [0, 1, 13, 31, 32, 40])
        check(`${op} ${s}/${dtype}`, (a) => L[op](a, np.full(SHAPE, s, { dtype })), x);
    }
  }
  check("random.bits under jit", (k) => random.bits(k, [6, 7]), random.PRNGKey(3));
});

test("eager ops on large arrays run compiled one-op programs, equal to the reference kernels", () => {
  const x = arrayOf("float32", [80, 97]);
  const y = arrayOf("float32", [97], 2);
  const ops: [string, () => Array][] = [
    ["add with broadcast", () => np.add(x, y)],
    ["tanh", () => np.tanh(x)],
    ["sum over axis 0", () => np.sum(x, 0)],
    ["max", () => np.max(x)],
    ["transpose", () => x.T],
    [
      "pad",
      () =>
        lax.pad(x, np.array(0), [
          [1, 1, 0],
          [2, 0, 1],
        ]),
    ],
  ];
  for (const [what, f] of ops) {
    config.update("jitCompile", true);
    const got = f();
    config.update("jitCompile", false);
    let want: Array;
    try {
      want = f();
    } finally {
      config.update("jitCompile", true);
    }
    assertSameBits(got, want, `eager ${what}`);
  }
});

test("eager ops whose lowering declines (complex exp, division) run on the reference kernels", () => {
  const z = lax.complex(arrayOf("float32", [70, 70]).mul(0.01), arrayOf("float32", [70, 70], 3).mul(0.01));
  const got = np.exp(z).div(z.add(1));
  config.update("jitCompile", false);
  let want: Array;
  try {
    want = np.exp(z).div(z.add(1));
  } finally {
    config.update("jitCompile", true);
  }
  assertSameBits(got, want, "complex exp/div");
});

test("fastMath: compiled exp/log/tanh/logistic/erf/expm1/log1p within each polynomial's stated ulp bound of the reference, specials exact", async () => {
  const { VMATH } = await import("../src/wasm/vmath.ts");
  const ordered = (v: number): number => {
    const b = new Int32Array(new Float32Array([v]).buffer)[0];
    return b < 0 ? -2147483648 - b : b;
  };
  const n = 4099; // SIMD body and a scalar tail
  const xs = np.array(
    globalThis.Array.from(
      { length: n },
      (_, i) => (i % 2 ? -1 : 1) * Math.exp((i / n) * 12 - 6) * (i % 3 ? 1 : 0.37),
    ).concat([0, -0, Infinity, -Infinity, NaN]),
  );
  for (const op of ["exp", "log", "tanh", "logistic", "erf", "expm1", "log1p"]) {
    const f = (a: Array): Array => L[op](op === "log" || op === "log1p" ? lax.abs(a) : a);
    config.update("jitCompile", false);
    const want = jit(f)(xs).dataSync();
    config.update("jitCompile", true);
    config.update("fastMath", true);
    let got: ArrayLike<number>;
    try {
      got = jit(f)(xs).dataSync();
    } finally {
      config.update("fastMath", false);
    }
    const bound = VMATH[op].maxUlpVsReference;
    let worst = 0;
    for (let i = 0; i < want.length; i++) {
      if (Number.isNaN(want[i]) || Number.isNaN(got[i])) {
        assert.ok(Number.isNaN(want[i]) && Number.isNaN(got[i]), `${op}: NaN at ${i}`);
        continue;
      }
      if (!Number.isFinite(want[i])) {
        assert.equal(got[i], want[i], `${op}(${xs.dataSync()[i]}): special value`);
        continue;
      }
      // Subnormal inputs of log: the reference flushes them (see vmath.ts); compare the normal range.
      const d = Math.abs(ordered(got[i]) - ordered(want[i]));
      worst = Math.max(worst, d);
      assert.ok(d <= bound, `${op}: element ${i} (x = ${xs.dataSync()[i]}): ${d} ulp > ${bound}`);
    }
    assert.ok(bound >= 0 && worst <= bound);
  }
});
