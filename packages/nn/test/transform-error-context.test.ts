/**
 * nn's filtered transforms name themselves in the tracing context of errors (not the core
 * transform that implements them): "(while tracing `loss` under filterGrad)".
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { jit, np, ShapeError, UseAfterDisposeError, type Array } from "linax-ts";
import { filterJit, filterGrad, filterValueAndGrad, filterVmap } from "@linax-ts/nn";

function loss(p: { w: Array }, x: Array): Array {
  return np.sum(np.multiply(p.w, x)); // w: [2], x: [3] — a shape bug
}
const p = { w: np.ones([2]) };
const x = np.ones([3]);

function throwsWith(run: () => unknown, context: string): void {
  assert.throws(run, (e: Error) => {
    assert.ok(e instanceof ShapeError, e.name);
    assert.match(e.message, /^multiply: shapes \[2\], \[3\] cannot be broadcast together/);
    assert.ok(e.message.endsWith(` ${context}`), e.message);
    assert.equal(e.message.split("(while tracing").length, 2, "exactly one context line");
    return true;
  });
}

test("each filtered transform names itself, not the core transform under it", () => {
  throwsWith(() => filterGrad(loss)(p, x), "(while tracing `loss` under filterGrad)");
  throwsWith(() => filterValueAndGrad(loss)(p, x), "(while tracing `loss` under filterValueAndGrad)");
  throwsWith(() => filterJit(loss)(p, x), "(while tracing `loss` under filterJit)");
  throwsWith(
    () => filterVmap(loss, { inAxes: [null, 0] })(p, np.ones([4, 3])),
    "(while tracing `loss` under filterVmap)",
  );
});

test("filtered and core transforms nest into one line", () => {
  throwsWith(
    () => jit((q: { w: Array }, y: Array) => filterGrad(loss)(q, y).w)(p, x),
    "(while tracing `loss` under jit ∘ filterGrad)",
  );
  throwsWith(
    () =>
      filterJit((q: { w: Array }, y: Array) => filterVmap(filterGrad(loss), { inAxes: [null, 0] })(q, y))(
        p,
        np.ones([4, 3]),
      ),
    "(while tracing `loss` under filterJit ∘ filterVmap ∘ filterGrad)",
  );
});

test("a cached filterJit call that fails while running is not said to be tracing", () => {
  const ok = filterJit((q: { w: Array }) => np.sin(q.w));
  ok({ w: np.ones([2]) });
  const dead = np.ones([2]);
  dead.dispose();
  assert.throws(
    () => ok({ w: dead }),
    (e: Error) => e instanceof UseAfterDisposeError && !e.message.includes("while tracing"),
  );
});
