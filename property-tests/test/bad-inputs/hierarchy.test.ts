/**
 * One error hierarchy for everything the library throws: every class is exported from `linax-ts`,
 * derives from LinaxError, carries its own `name`, and the classes that refine an older one
 * (UseAfterDisposeError, CheckpointError, SafetensorsError) stay instances of it.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import * as lx from "linax-ts";
import {
  np,
  jit,
  grad,
  nn,
  LinaxError,
  ValueError,
  UseAfterDisposeError,
  CheckpointError,
  SafetensorsError,
  FloatingPointError,
  InternalError,
} from "linax-ts";

test("every error class is exported from linax-ts and derives from LinaxError", () => {
  const names = [
    "ShapeError",
    "DTypeError",
    "ValueError",
    "IndexError",
    "TracerLeakError",
    "ConcretizationError",
    "NotImplementedError",
    "UseAfterDisposeError",
    "FloatingPointError",
    "CheckpointError",
    "SafetensorsError",
    "InternalError",
  ];
  for (const n of names) {
    const cls = (lx as unknown as Record<string, new (m: string) => Error>)[n];
    assert.equal(typeof cls, "function", `${n} is not exported`);
    const e = new cls("msg");
    assert.ok(e instanceof LinaxError && e instanceof Error, n);
    assert.equal(e.name, n);
    assert.equal(e.message, "msg");
  }
  assert.ok(new UseAfterDisposeError("x") instanceof ValueError);
  assert.ok(new SafetensorsError("x") instanceof CheckpointError && new CheckpointError("x") instanceof ValueError);
  assert.ok(!(new InternalError("x") instanceof ValueError));
  // nn's re-export is the same class, so `catch (e) { if (e instanceof SafetensorsError) }` works from either.
  assert.equal(nn.SafetensorsError, SafetensorsError);
  const fpe = new FloatingPointError("m", "log", "loss");
  assert.equal(fpe.primitive, "log");
  assert.equal(fpe.fn, "loss");
});

test("dispose twice is harmless; use after dispose raises UseAfterDisposeError naming the op and the array", () => {
  const x = np.ones([3]);
  x.dispose();
  x.dispose();
  const cases: [() => unknown, RegExp][] = [
    [() => np.sin(x), /^sin: operand 0 \(f32\[3\]\) was used after dispose\(\)/],
    [() => np.add(np.ones([3]), x), /^add: operand 1 \(f32\[3\]\)/],
    [() => x.mul(2), /^mul: operand 0 \(f32\[3\]\)/],
    [() => jit((a: lx.Array) => np.cos(a))(x), /^jit: operand 0 \(f32\[3\]\)/],
    [() => grad((a: lx.Array) => np.sum(a))(x), /operand 0 \(f32\[3\]\) was used after dispose/],
    [() => x.dataSync(), /^dataSync\(\): an array f32\[3\] was used after dispose\(\)/],
    [() => x.item(), /f32\[3\]|size-1/],
  ];
  for (const [f, re] of cases) {
    assert.throws(f, (e: unknown) => {
      // item() on a 3-element array fails its size check first; either way a LinaxError, not a crash.
      assert.ok(e instanceof LinaxError, String(e));
      assert.match((e as Error).message, re);
      return true;
    });
  }
  assert.throws(() => np.sin(x), UseAfterDisposeError);
  assert.throws(() => x.dataSync(), UseAfterDisposeError);
});

test("data() of a disposed array rejects with UseAfterDisposeError", async () => {
  const x = np.ones([2]);
  x.dispose();
  await assert.rejects(
    async () => x.data(),
    (e: unknown) => e instanceof UseAfterDisposeError && /^data\(\): an array f32\[2\]/.test((e as Error).message),
  );
});
