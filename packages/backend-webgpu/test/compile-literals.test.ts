/**
 * Constant scalar inputs of a compiled program read as WGSL literals (compile/executor.ts
 * `specialize`, render-wgsl.ts `knownWord`): scalars uploaded from the host keep their words, and
 * kernels that read them get the bit patterns instead of a binding. The values must be exact —
 * quiet-NaN payloads (a signalling NaN is quieted by the fused kernels' fence of f32 results, bound or not), ±Inf, -0, subnormals, int32's minimum, uint32's maximum, bool, a complex scalar —
 * and equal, bit for bit, the same jaxpr evaluated eagerly on WebGPU (where the scalars are
 * buffers); a constant that comes with another value on a later call is bound from then on.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, lax, makeJaxpr, evalJaxpr, ConcreteArray, ShapedArray, type Array, type DeviceBuffer } from "linax-ts";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend, WebGPUBuffer } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, compileJaxpr } from "../src/compile/executor.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

const scalar = (dtype: "float32" | "int32" | "uint32" | "bool" | "complex64", words: number[]): Array => {
  const aval = new ShapedArray([], dtype);
  const w = new Uint32Array(words);
  const data =
    dtype === "float32"
      ? new Float32Array(w.buffer)
      : dtype === "int32"
        ? new Int32Array(w.buffer)
        : dtype === "uint32"
          ? w
          : dtype === "bool"
            ? Uint8Array.from(words)
            : new Float32Array(w.buffer);
  return new ConcreteArray(be.fromHost(data, aval), aval);
};
const f32Bits = (v: number): number => new Uint32Array(new Float32Array([v]).buffer)[0];

/** Eight scalar constants, each read by its own output (xs: float32 [8] in [-1.75, 1.75]). */
const f = (
  x: Array,
  negZero: Array,
  nan: Array,
  inf: Array,
  n: Array,
  u: Array,
  flag: Array,
  z: Array,
  tiny: Array,
): Array[] => [
  x.mul(negZero),
  lax.bitcastConvertType(np.where(x.gt(100), x, nan), "uint32"),
  x.add(inf),
  np.arange(8, { dtype: "int32" }).add(n),
  np.arange(8, { dtype: "uint32" }).mul(u),
  np.logicalAnd(x.gt(0), flag),
  x.astype("complex64").mul(z),
  // Its bits, not through an f32 op: an f32 result is fenced (x - 0), which flushes subnormals on SwiftShader.
  lax.bitcastConvertType(tiny, "uint32").add(np.arange(8, { dtype: "uint32" })),
];

const bufs = (as: Array[]): DeviceBuffer[] => as.map((a) => (a as ConcreteArray).buffer);

test("host scalars become exact literals: quiet-NaN payload, -0, Inf, subnormal, int32 min, uint32 max, bool, complex64 == eager WebGPU", async () => {
  const x = new ConcreteArray(
    be.fromHost(
      Float32Array.from({ length: 8 }, (_, i) => (i - 3.5) / 2),
      new ShapedArray([8], "float32"),
    ),
    new ShapedArray([8], "float32"),
  );
  const consts = [
    scalar("float32", [0x80000000]),
    scalar("float32", [0x7fc00123]),
    scalar("float32", [f32Bits(Infinity)]),
    scalar("int32", [0x80000000]),
    scalar("uint32", [0xffffffff]),
    scalar("bool", [1]),
    scalar("complex64", [f32Bits(1.5), f32Bits(-2.5)]),
    scalar("float32", [1]),
  ];
  const cj = makeJaxpr((...a: Array[]) => f(a[0], a[1], a[2], a[3], a[4], a[5], a[6], a[7], a[8]))(x, ...consts);
  const exe = compileJaxpr(be, cj.jaxpr);
  assert.ok(exe instanceof CompiledExecutable);
  const args = [x, ...consts];
  const c0 = be.counters().bindings;
  const outs = exe.execute(bufs(args)).map((b, k) => new ConcreteArray(b, cj.jaxpr.outAvals[k]));
  const literalBindings = be.counters().bindings - c0;
  assert.equal(exe.stats().literalInputs, 8, JSON.stringify(exe.stats()));
  const got = await Promise.all(outs.map(readValues));
  const eager = await Promise.all(evalJaxpr(cj.jaxpr, [], args).map(readValues));
  got.forEach((g, k) =>
    g.forEach((v, i) => assert.ok(Object.is(v, eager[k][i]), `output ${k}[${i}]: compiled ${v}, eager ${eager[k][i]}`)),
  );
  // Hand-derived: the bits of the NaN come through a select untouched; wraps of int32/uint32.
  assert.deepEqual(got[1], new globalThis.Array(8).fill(0x7fc00123));
  assert.deepEqual(
    got[0].map((v) => Object.is(v, -0)),
    [false, false, false, false, true, true, true, true],
  );
  assert.deepEqual(got[2], new globalThis.Array(8).fill(Infinity));
  assert.deepEqual(
    got[3],
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => -2147483648 + i),
  );
  assert.deepEqual(
    got[4],
    [0, 1, 2, 3, 4, 5, 6, 7].map((i) => (0xffffffff * i) % 2 ** 32),
  );
  assert.deepEqual(got[5], [0, 0, 0, 0, 1, 1, 1, 1]);
  assert.deepEqual(got[6].slice(0, 2), [-1.75 * 1.5, -1.75 * -2.5]);
  assert.deepEqual(got[7], [1, 2, 3, 4, 5, 6, 7, 8], "the smallest subnormal's bits");

  // The same constants without host words (as if computed on the device): every kernel binds them.
  const onDevice = consts.map((c) => {
    const buf = be.fromHost(
      new Uint32Array(((c as ConcreteArray).buffer as WebGPUBuffer).hostWords!),
      new ShapedArray([c.dtype === "complex64" ? 2 : 1], "uint32"),
    );
    (buf as WebGPUBuffer).hostWords = undefined;
    return new ConcreteArray(buf, c.aval);
  });
  const c1 = be.counters().bindings;
  const outs2 = exe.execute(bufs([x, ...onDevice])).map((b, k) => new ConcreteArray(b, cj.jaxpr.outAvals[k]));
  const boundBindings = be.counters().bindings - c1;
  assert.equal(exe.stats().literalInputs, 0);
  // Each constant is bound at least once (merged kernels may bind an input in more than one pass when they must split).
  assert.ok(boundBindings - literalBindings >= 8, `bindings with literals ${literalBindings}, bound ${boundBindings}`);
  const got2 = await Promise.all(outs2.map(readValues));
  got2.forEach((g, k) =>
    g.forEach((v, i) => assert.ok(Object.is(v, got[k][i]), `bound output ${k}[${i}]: ${v} vs ${got[k][i]}`)),
  );
});

test("a constant that changes value is bound from then on; the results follow the new value", async () => {
  const g = (x: Array, a: Array, b: Array): Array => x.mul(a).add(b);
  const x = np.arange(4).astype("float32");
  const a2 = scalar("float32", [f32Bits(2)]);
  const b = scalar("float32", [f32Bits(0.5)]);
  const cj = makeJaxpr(g)(x, a2, b);
  const exe = compileJaxpr(be, cj.jaxpr);
  assert.ok(exe instanceof CompiledExecutable);
  const run = async (a: Array): Promise<number[]> =>
    readValues(new ConcreteArray(exe.execute(bufs([x, a, b]))[0], cj.jaxpr.outAvals[0]));
  assert.deepEqual(await run(a2), [0.5, 2.5, 4.5, 6.5]);
  assert.equal(exe.stats().literalInputs, 2);
  // Another buffer with the same value: the variant stays.
  assert.deepEqual(await run(scalar("float32", [f32Bits(2)])), [0.5, 2.5, 4.5, 6.5]);
  assert.equal(exe.stats().literalInputs, 2);
  // Another value: `a` is bound now, `b` stays a literal.
  assert.deepEqual(await run(scalar("float32", [f32Bits(3)])), [0.5, 3.5, 6.5, 9.5]);
  assert.equal(exe.stats().literalInputs, 1);
  assert.deepEqual(await run(a2), [0.5, 2.5, 4.5, 6.5]);
  assert.equal(exe.stats().literalInputs, 1);
});
