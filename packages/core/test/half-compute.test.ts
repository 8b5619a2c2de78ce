// Ops on float16/bfloat16 compute in float32 and round the result back (core/half-compute.ts):
// elementwise results equal the rounded float32 op bit for bit; reductions, dot and cumulative
// ops accumulate in float32 and round once (hand-derived cases where per-step rounding differs);
// data movement is exact; grad, jvp, vmap and jit work on half arrays (values hand-derived or
// equal to the eager ones), control flow carries half values (rounding at every step, as the
// body's ops do), jit of a program that mentions a half dtype is interpreted and gives the eager
// bits also past the size where eager ops run compiled, and unsupported ops say so clearly.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  grad,
  jvp,
  vmap,
  jit,
  config,
  DTypeError,
  FloatingPointError,
  type Array,
  type DType,
} from "linax-ts";

const HALVES: DType[] = ["float16", "bfloat16"];
const bits = (x: Array): number[] => [...(x.dataSync() as Uint16Array)];
const h = (v: number[], dtype: DType): Array => np.array(v, { dtype });

test("elementwise ops: the float32 op's result rounded once (bits), dtype kept", () => {
  const vals = [0.1, -1.7, 2.5, 3.14159, 1e-3, 100, -0.0, 7.75];
  for (const d of HALVES) {
    const x = h(vals, d);
    const y = h([0.3, 2, -1.1, 9, 0.5, -3, 1, 0.01], d);
    const x32 = x.astype("float32");
    const y32 = y.astype("float32");
    const unary: [string, (a: Array) => Array][] = [
      ["exp", np.exp],
      ["sin", np.sin],
      ["tanh", np.tanh],
      ["log1p", (a) => np.log1p(np.abs(a))],
      ["sqrt", (a) => np.sqrt(np.abs(a))],
      ["neg", np.negative],
      ["floor", np.floor],
      ["square", np.square],
    ];
    for (const [name, f] of unary) {
      const r = f(x);
      assert.equal(r.dtype, d, `${name} ${d}`);
      assert.deepEqual(bits(r), bits(f(x32).astype(d)), `${name} ${d}`);
    }
    const binary: [string, (a: Array, b: Array) => Array][] = [
      ["add", np.add],
      ["mul", np.multiply],
      ["div", np.divide],
      ["pow", (a, b) => np.power(np.abs(a), b)],
      ["maximum", np.maximum],
      ["arctan2", np.arctan2],
    ];
    for (const [name, f] of binary) {
      const r = f(x, y);
      assert.equal(r.dtype, d, `${name} ${d}`);
      assert.deepEqual(bits(r), bits(f(x32, y32).astype(d)), `${name} ${d}`);
    }
    // Comparisons and predicates give bool; NaN handling as in float32.
    assert.deepEqual(np.less(x, y).tolist(), np.less(x32, y32).tolist());
    assert.deepEqual(np.isnan(h([NaN, 1, Infinity], d)).tolist(), [true, false, false]);
    assert.deepEqual(np.isinf(h([NaN, 1, -Infinity], d)).tolist(), [false, false, true]);
    assert.deepEqual(np.signbit(h([-0, 0, -2, NaN], d)).tolist(), [true, false, true, false]);
  }
});

test("reductions, dot and cumulative sums accumulate in float32 and round once (hand-derived)", () => {
  // float16 spacing at 2048 is 2: rounding each step, 2048 + 1 → 2048 (tie to even) twice; once
  // at the end, 2050 (exact in float16).
  const x = h([2048, 1, 1], "float16");
  assert.deepEqual(np.sum(x).tolist(), 2050);
  assert.equal(np.sum(x).dtype, "float16");
  assert.deepEqual(np.dot(x, h([1, 1, 1], "float16")).tolist(), 2050);
  assert.deepEqual(np.matmul(x.reshape(1, 3), h([1, 1, 1], "float16").reshape(3, 1)).tolist(), [[2050]]);
  assert.deepEqual(np.cumsum(x).tolist(), [2048, 2048, 2050]); // 2049 rounds to even 2048
  assert.deepEqual(np.mean(h([2048, 1, 1, 2], "float16")).tolist(), 513); // 2052 / 4
  // mean and var as JAX's _upcast_f16: float32 through the division, rounded once. 6994/3 =
  // 2331.33 → 2332; rounding the sum first (6994 → 6992, a tie to even) would give 2330.
  const m = np.mean(h([2700, 2272, 2022], "float16"));
  assert.equal(m.dtype, "float16");
  assert.deepEqual(m.tolist(), 2332);
  // var of [1, 2, 4] = 14/9 = 1.5556 → float16 1.5557 (0x3e39); std = sqrt of that, rounded.
  assert.deepEqual(bits(np.var(h([1, 2, 4], "float16"))), [0x3e39]);
  // bfloat16 std with ddof 1: var = (42/9)/2 = 2.3333 → bf16 2.328125 (149·2⁻⁶); its sqrt 1.52582
  // → 1.5234375 (195·2⁻⁷); JAX's std is sqrt of the rounded var, too.
  assert.deepEqual(np.std(h([1, 2, 4], "bfloat16"), { ddof: 1 }).tolist(), 1.5234375);
  // bfloat16 spacing at 256 is 2: the same story.
  const b = h([256, 1, 1], "bfloat16");
  assert.deepEqual(np.sum(b).tolist(), 258);
  assert.deepEqual(np.prod(h([3, 3, 3, 3, 3], "bfloat16")).tolist(), 243); // 243 = 0b11110011 needs 8 bits: exact
  // max/min/argmax are exact selections.
  assert.deepEqual(np.max(h([1, NaN, 3], "float16")).tolist(), NaN);
  assert.deepEqual(np.argmax(h([1, 5, 3], "bfloat16")).tolist(), 1);
  assert.equal(np.argmax(h([1, 5, 3], "bfloat16")).dtype, "int32");
  // Float16 overflow happens at the final rounding: 40000 + 40000 = 80000 → inf.
  assert.deepEqual(np.sum(h([40000, 40000, -40000], "float16")).tolist(), 40000);
  assert.deepEqual(np.sum(h([40000, 40000], "float16")).tolist(), Infinity);
});

test("data movement is exact: reshape, transpose, concatenate, slicing, gather, where, sort, pad", () => {
  for (const d of HALVES) {
    const x = np.frombuffer(Uint16Array.of(0x3c01, 0x8001, 0x7c00, 0x7e00, 0x0000, 0x8000), { dtype: d }).reshape(2, 3);
    const want = [0x3c01, 0x8001, 0x7c00, 0x7e00, 0x0000, 0x8000];
    assert.deepEqual(bits(np.transpose(np.transpose(x))), want);
    assert.deepEqual(bits(np.concatenate([x, x], 0)), [...want, ...want]);
    assert.deepEqual(bits(np.reshape(x, [6])), want);
    assert.deepEqual(bits(np.take(np.reshape(x, [6]), np.array([5, 0], { dtype: "int32" }))), [0x8000, 0x3c01]);
    assert.deepEqual(
      bits(np.where(np.array([true, false, true]), x, np.zeros([2, 3], { dtype: d }))),
      [0x3c01, 0, 0x7c00, 0x7e00, 0, 0x8000],
    );
    assert.deepEqual(bits(np.pad(h([1], d), 1)), [0, d === "float16" ? 0x3c00 : 0x3f80, 0]);
    const s = np.sort(h([3, NaN, -1, 2], d));
    assert.deepEqual(s.tolist(), [-1, 2, 3, NaN]);
    assert.equal(s.dtype, d);
  }
});

test("grad and jvp of half functions: half tangents and cotangents (hand-derived values)", () => {
  for (const d of HALVES) {
    const x = h([1, 2, 0.5], d);
    // d/dx Σ x³ = 3x²: exact in both half dtypes.
    const g = grad((v: Array) => np.sum(np.power(v, 3)))(x);
    assert.equal(g.dtype, d);
    assert.deepEqual(g.tolist(), [3, 12, 0.75]);
    // d/dx Σ sin(x)·x = cos(x)·x + sin(x), each op rounded to the half dtype: within a few ulps of
    // the float64 value.
    const g2 = grad((v: Array) => np.sum(np.multiply(np.sin(v), v)))(x).tolist() as number[];
    const eps = np.finfo(d).eps;
    [1, 2, 0.5].forEach((v, i) => {
      const want = Math.cos(v) * v + Math.sin(v);
      assert.ok(
        Math.abs(g2[i] - want) <= 4 * eps * Math.max(1, Math.abs(want)),
        `${d} grad at ${v}: ${g2[i]} vs ${want}`,
      );
    });
    const [y, t] = jvp((v: Array) => np.multiply(v, v), [x], [h([1, 1, 1], d)]);
    assert.equal(t.dtype, d);
    assert.deepEqual(y.tolist(), [1, 4, 0.25]);
    assert.deepEqual(t.tolist(), [2, 4, 1]);
    // A float32 function of a half input: the gradient comes back in the half dtype.
    const g3 = grad((v: Array) => np.sum(np.multiply(v.astype("float32"), 3)))(x);
    assert.equal(g3.dtype, d);
    assert.deepEqual(g3.tolist(), [3, 3, 3]);
  }
});

test("vmap over half arrays equals the per-row results", () => {
  const m = h([1, 2, 3, 4, 5, 6], "bfloat16").reshape(2, 3);
  const f = (r: Array): Array => np.sum(np.multiply(r, r));
  const batched = vmap(f)(m);
  assert.equal(batched.dtype, "bfloat16");
  assert.deepEqual(batched.tolist(), [14, 77]);
  const g = vmap(grad(f))(m);
  assert.deepEqual(g.tolist(), [
    [2, 4, 6],
    [8, 10, 12],
  ]);
});

test("jit of half programs is interpreted (same bits as eager, compile flag restored), also for large arrays", () => {
  const n = 5000; // above the size where eager float32 ops run as compiled programs
  const vals = globalThis.Array.from({ length: n }, (_, i) => Math.sin(i) * 300);
  for (const d of HALVES) {
    const x = h(vals, d);
    const f = (v: Array): Array => np.add(np.multiply(np.tanh(v), 3), np.sum(v));
    const eager = f(x);
    const jitted = jit(f)(x);
    assert.equal(jitted.dtype, d);
    assert.deepEqual(bits(jitted), bits(eager));
    assert.equal(config.read("jitCompile"), true);
    // float32 in and out, a half dtype only inside: still interpreted, still the eager bits.
    const g = (v: Array): Array => np.multiply(v.astype(d), 3).astype("float32");
    const x32 = np.array(vals);
    assert.deepEqual([...(jit(g)(x32).dataSync() as Float32Array)], [...(g(x32).dataSync() as Float32Array)]);
    // The large eager conversion itself (the compiled path is skipped for halves).
    assert.deepEqual(
      bits(x32.astype(d)),
      bits(
        h(
          vals.map((v) => Math.fround(v)),
          d,
        ),
      ),
    );
    // grad of a jitted half function.
    assert.deepEqual(grad(jit((v: Array) => np.sum(np.multiply(v, v))))(h([1, 2], d)).tolist(), [2, 4]);
  }
});

test("scan, cond and whileLoop carry half values; each body op rounds (hand-derived)", () => {
  // A float16 running sum rounds at every step (it is the body's add): 2048 + 1 + 1 stays 2048.
  const [c, ys] = lax.scan(
    (carry: Array, v: Array) => {
      const s = lax.add(carry, v);
      return [s, s] as [Array, Array];
    },
    h([0], "float16").reshape(),
    h([2048, 1, 1], "float16"),
  );
  assert.equal(c.dtype, "float16");
  assert.deepEqual(c.tolist(), 2048);
  assert.deepEqual(ys.tolist(), [2048, 2048, 2048]);
  const jittedScan = jit(
    (xs: Array) =>
      lax.scan(
        (carry: Array, v: Array) => [lax.add(carry, v), carry] as [Array, Array],
        np.zeros([], { dtype: "bfloat16" }),
        xs,
      )[0],
  );
  assert.deepEqual(jittedScan(h([256, 1, 1, 2], "bfloat16")).tolist(), 258);
  const r = lax.cond(
    true,
    (a: Array) => np.multiply(a, 2),
    (a: Array) => a,
    h([1.5], "float16"),
  );
  assert.equal(r.dtype, "float16");
  assert.deepEqual(r.tolist(), [3]);
  const w = lax.whileLoop(
    (v: Array) => np.less(v, 100),
    (v: Array) => np.multiply(v, 3),
    h([1], "bfloat16").reshape(),
  );
  assert.deepEqual(w.tolist(), 243);
});

test("mixed dtypes: float16 ⊔ bfloat16 computes in float32; half ⊔ int is half", () => {
  const r = np.add(h([0.1], "float16"), h([0.1], "bfloat16"));
  assert.equal(r.dtype, "float32");
  assert.deepEqual(r.tolist(), [0.0999755859375 + 0.10009765625]);
  const i = np.multiply(h([1.5], "bfloat16"), np.array([3], { dtype: "int32" }));
  assert.equal(i.dtype, "bfloat16");
  assert.deepEqual(i.tolist(), [4.5]);
});

test("ops without half support say so (no silent float32)", () => {
  const m = h([1, 2, 3, 4], "float16").reshape(2, 2);
  assert.throws(
    () => np.linalg.inv(m),
    (e: Error) => e instanceof DTypeError && /float16/.test(e.message),
  );
  assert.throws(
    () => lax.bitcastConvertType(m, "int32"),
    (e: Error) => e instanceof DTypeError && /float16/.test(e.message),
  );
});

test("config.debugInfs / debugNans see half results, under the op's name", () => {
  const saved = config.values();
  try {
    config.update("debugInfs", true);
    // 300 · 300 = 90000 is finite in float32 and inf in float16: the op that rounds it reports.
    assert.throws(
      () => np.multiply(h([300], "float16"), 300),
      (e: Error) => e instanceof FloatingPointError && /\bmul\b/.test(e.message) && /inf/i.test(e.message),
    );
    assert.deepEqual(np.multiply(h([300], "bfloat16"), 300).tolist(), [90112]); // fine in bfloat16
    config.update("debugInfs", false);
    config.update("debugNans", true);
    assert.throws(
      () => np.log(h([-1], "bfloat16")),
      (e: Error) => e instanceof FloatingPointError && /\blog\b/.test(e.message) && /nan/i.test(e.message),
    );
  } finally {
    config.update("debugInfs", saved.debugInfs);
    config.update("debugNans", saved.debugNans);
  }
});
