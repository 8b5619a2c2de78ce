/**
 * The WebAssembly module writer: LEB128 encodings against hand-worked values, and small modules
 * (a SIMD add with a scalar tail, an imported scalar function) validated and run on shared memory.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ModuleBuilder, sleb, uleb } from "../src/wasm/emitter.ts";

test("LEB128: unsigned and signed encodings", () => {
  assert.deepEqual(uleb(0), [0]);
  assert.deepEqual(uleb(127), [0x7f]);
  assert.deepEqual(uleb(128), [0x80, 0x01]);
  assert.deepEqual(uleb(624485), [0xe5, 0x8e, 0x26]);
  assert.deepEqual(sleb(-1), [0x7f]);
  assert.deepEqual(sleb(63), [0x3f]);
  assert.deepEqual(sleb(64), [0xc0, 0x00]);
  assert.deepEqual(sleb(-123456), [0xc0, 0xbb, 0x78]);
  assert.deepEqual(sleb(-2147483648), [0x80, 0x80, 0x80, 0x80, 0x78]);
});

/** out[i] = a[i] + b[i] for i < n: four lanes at a time, then a scalar tail. */
function addModule(shared: boolean): Uint8Array<ArrayBuffer> {
  const m = new ModuleBuilder({ shared, minPages: 1, maxPages: 16 });
  m.func(
    ["i32", "i32", "i32", "i32"],
    [],
    (c) => {
      const [a, b, out, n] = [0, 1, 2, 3];
      const i = c.local("i32");
      const off = c.local("i32");
      // SIMD loop while i + 4 <= n.
      c.block().loop();
      c.get(i).i32(4).op(0x6a).get(n).op(0x4a).brIf(1); // (i+4) > n → exit
      c.get(i).i32(2).op(0x74).set(off);
      c.get(out).get(off).op(0x6a);
      c.get(a).get(off).op(0x6a).simdMem(0x00, 2);
      c.get(b).get(off).op(0x6a).simdMem(0x00, 2);
      c.simd(0xe4).simdMem(0x0b, 2);
      c.get(i).i32(4).op(0x6a).set(i).br(0).end().end();
      // Scalar tail while i < n.
      c.block().loop();
      c.get(i).get(n).op(0x4e).brIf(1); // i >= n → exit
      c.get(i).i32(2).op(0x74).set(off);
      c.get(out).get(off).op(0x6a);
      c.get(a).get(off).op(0x6a).mem(0x2a, 2);
      c.get(b).get(off).op(0x6a).mem(0x2a, 2);
      c.op(0x92).mem(0x38, 2);
      c.get(i).i32(1).op(0x6a).set(i).br(0).end().end();
    },
    "add",
  );
  return m.bytes();
}

test("a SIMD add with a scalar tail validates and runs on shared and unshared memory", () => {
  for (const shared of [true, false]) {
    const bytes = addModule(shared);
    assert.ok(WebAssembly.validate(bytes), `module validates (shared=${shared})`);
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 16, shared });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory } });
    const add = inst.exports.add as (a: number, b: number, out: number, n: number) => void;
    for (const n of [0, 1, 3, 4, 5, 11, 64]) {
      const f = new Float32Array(memory.buffer);
      for (let i = 0; i < n; i++) {
        f[i] = i * 0.5;
        f[256 + i] = -i * 0.25 + 1 / 3;
        f[512 + i] = NaN;
      }
      f[512 + n] = 42; // must stay untouched
      add(0, 1024, 2048, n);
      for (let i = 0; i < n; i++) assert.equal(f[512 + i], Math.fround(f[i] + f[256 + i]), `n=${n} i=${i}`);
      assert.equal(f[512 + n], 42, `n=${n}: nothing written past the end`);
    }
  }
});

test("an imported scalar function is called per element with float32 rounding", () => {
  const m = new ModuleBuilder({ shared: true, minPages: 1, maxPages: 1 });
  const exp = m.importFunc("exp", ["f32"], ["f32"]);
  m.func(
    ["i32", "i32"],
    [],
    (c) => {
      const i = c.local("i32");
      c.block().loop();
      c.get(i).get(1).op(0x4e).brIf(1);
      // out[p + 4i + 4096] = exp(in[p + 4i])
      const addr = c.local("i32");
      c.get(0).get(i).i32(2).op(0x74).op(0x6a).set(addr);
      c.get(addr).get(addr).mem(0x2a, 2).call(exp).mem(0x38, 2, 4096);
      c.get(i).i32(1).op(0x6a).set(i).br(0).end().end();
    },
    "expAll",
  );
  const bytes = m.bytes();
  assert.ok(WebAssembly.validate(bytes));
  const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { memory, exp: Math.exp } });
  const f = new Float32Array(memory.buffer);
  const xs = [0, 1, -1, 0.1, 88.7, -104, NaN, Infinity];
  xs.forEach((x, i) => (f[i] = x));
  (inst.exports.expAll as (p: number, n: number) => void)(0, xs.length);
  xs.forEach((x, i) => assert.ok(Object.is(f[1024 + i], Math.fround(Math.exp(Math.fround(x)))), `exp(${x})`));
});

test("an unshared memory import without maxPages links against memories with any maximum or none", () => {
  const m = new ModuleBuilder({ shared: false, minPages: 1 });
  m.func(["i32"], ["f32"], (c) => void c.get(0).mem(0x2a, 2), "load");
  const bytes = m.bytes();
  assert.ok(WebAssembly.validate(bytes));
  const mod = new WebAssembly.Module(bytes);
  for (const memory of [
    new WebAssembly.Memory({ initial: 1 }),
    new WebAssembly.Memory({ initial: 2, maximum: 65536 }),
  ]) {
    new Float32Array(memory.buffer)[3] = 2.5;
    const inst = new WebAssembly.Instance(mod, { env: { memory } });
    assert.equal((inst.exports.load as (p: number) => number)(12), 2.5);
  }
  // With a maximum, a memory that has none does not link; a shared import must name one.
  const bounded = new ModuleBuilder({ shared: false, minPages: 1, maxPages: 16 });
  bounded.func([], [], () => {});
  assert.throws(
    () =>
      new WebAssembly.Instance(new WebAssembly.Module(bounded.bytes()), {
        env: { memory: new WebAssembly.Memory({ initial: 1 }) },
      }),
    WebAssembly.LinkError,
  );
  assert.throws(() => new ModuleBuilder({ shared: true, minPages: 1 }).bytes(), /needs maxPages/);
});
