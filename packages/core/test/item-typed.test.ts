/**
 * `x.item()` and its typed siblings: `item()` → number for real dtypes, `itemBool()` → boolean,
 * `itemComplex()` → [re, im]; each raises a DTypeError naming the method and the right sibling
 * on the wrong dtype, a ValueError on non-size-1 arrays, a ConcretizationError under a transform.
 * The static result types are asserted in test/types/item.types.ts.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { ConcretizationError, DTypeError, ValueError, jit, lax, np, type Array } from "linax-ts";

test("item() returns the JS number of real scalars (float32, int32, uint32, size-1 arrays)", () => {
  assert.equal(np.array(2.5).item(), 2.5);
  assert.equal(np.array(-7, { dtype: "int32" }).item(), -7);
  assert.equal(np.array(4294967295, { dtype: "uint32" }).item(), 4294967295);
  // float32 rounding is kept: 0.1 is stored as the nearest float32.
  assert.equal(np.array(0.1).item(), Math.fround(0.1));
  // Any size-1 array, as numpy's item() with no arguments.
  assert.equal(np.array([[3]]).item(), 3);
  assert.equal(np.sum(np.array([1, 2, 3])).item(), 6);
});

test("itemBool() returns booleans; itemComplex() returns [re, im]", () => {
  assert.equal(np.array(true).itemBool(), true);
  assert.equal(np.greater(np.array([1]), 2).itemBool(), false);
  assert.deepEqual(lax.complex(np.array(1.5), np.array(-2)).itemComplex(), [1.5, -2]);
  // e^{iπ} = -1 (+ the float32 sin(π) ≈ -8.7e-8 in the imaginary part).
  const [re, im] = np.exp(lax.complex(np.array(0), np.array(Math.PI))).itemComplex();
  assert.ok(Math.abs(re + 1) < 1e-6 && Math.abs(im) < 1e-6, `${re}, ${im}`);
});

test("each item method rejects the other dtypes with a DTypeError naming the method to use", () => {
  const b = np.array(true);
  const z = lax.complex(np.array(1), np.array(2));
  const f = np.array(1.5);
  const cases: [() => unknown, RegExp][] = [
    [() => b.item(), /^item\(\): expects a real dtype; got a bool array; use x\.itemBool\(\)/],
    [() => z.item(), /^item\(\): expects a real dtype; got a complex64 array; use x\.itemComplex\(\)/],
    [() => f.itemBool(), /^itemBool\(\): expects a bool array; got a float32 array; use x\.item\(\)/],
    [() => z.itemBool(), /^itemBool\(\): expects a bool array; got a complex64 array; use x\.itemComplex\(\)/],
    [() => f.itemComplex(), /^itemComplex\(\): expects a complex64 array; got a float32 array; use x\.item\(\)/],
    [() => b.itemComplex(), /^itemComplex\(\): expects a complex64 array; got a bool array; use x\.itemBool\(\)/],
  ];
  for (const [fn, msg] of cases)
    assert.throws(fn, (e: unknown) => e instanceof DTypeError && msg.test((e as Error).message), String(msg));
});

test("non-size-1 arrays are a ValueError naming the method and the shape", () => {
  assert.throws(
    () => np.array([1, 2]).item(),
    (e: unknown) => e instanceof ValueError && /^item\(\): only size-1 arrays.*\[2\]/.test((e as Error).message),
  );
  assert.throws(
    () => np.array([true, false]).itemBool(),
    (e: unknown) => e instanceof ValueError && /^itemBool\(\): only size-1/.test((e as Error).message),
  );
});

test("async forms give the same values and errors", async () => {
  assert.equal(await np.array(3).itemAsync(), 3);
  assert.equal(await np.array(false).itemBoolAsync(), false);
  assert.deepEqual(await lax.complex(np.array(0), np.array(1)).itemComplexAsync(), [0, 1]);
  await assert.rejects(
    np.array(true).itemAsync(),
    (e: unknown) => e instanceof DTypeError && /^itemAsync\(\): expects a real dtype/.test((e as Error).message),
  );
});

test("under a transform each method raises the concretization error naming itself", () => {
  const reads: [string, (a: Array) => unknown][] = [
    ["item()", (a) => a.item()],
    ["itemBool()", (a) => a.gt(0).itemBool()],
    ["itemComplex()", (a) => lax.complex(a, a).itemComplex()],
  ];
  for (const [name, read] of reads) {
    assert.throws(
      () => jit((a: Array) => (read(a), a))(np.array(1)),
      (e: unknown) => e instanceof ConcretizationError && (e as Error).message.startsWith(`${name}:`),
      name,
    );
  }
});

test("valueOf / Number / template strings still read bool and complex scalars", () => {
  assert.equal(np.array(true).valueOf(), true);
  assert.equal(Number(np.array(false)), 0);
  assert.equal(`${lax.complex(np.array(1), np.array(-2))}`, "1-2j");
  assert.equal(`${np.array(true)} ${np.array(3, { dtype: "int32" })}`, "true 3");
});
