/**
 * Errors raised while tracing say which user function and which transforms they were raised
 * under: one context line appended to the original message, the class unchanged, never twice.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  grad,
  valueAndGrad,
  jvp,
  vjp,
  linearize,
  vmap,
  jit,
  makeJaxpr,
  customVjp,
  ShapeError,
  ValueError,
  UseAfterDisposeError,
  LinaxError,
  type Array,
} from "linax-ts";

/** A shape bug: adds a [3] to whatever comes in (a [2] here). */
function f(x: Array): Array {
  return np.sum(np.add(x, np.ones([3])));
}
/** The error `f` raises outside every transform: the message the annotated ones must start with. */
const ORIGINAL = (() => {
  try {
    f(np.ones([2]));
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error("f should have failed");
})();

/** `run` throws `cls` whose message is `ORIGINAL`-prefixed (or `prefix`) + exactly one context line `context`. */
function throwsWithContext(
  run: () => unknown,
  cls: new (...a: never[]) => Error,
  context: string,
  prefix = ORIGINAL,
): void {
  assert.throws(run, (e: Error) => {
    assert.ok(e instanceof cls, `${e.name} is not a ${cls.name}`);
    assert.equal(e.message, `${prefix} ${context}`);
    assert.equal(e.message.split("(while tracing").length, 2, "exactly one context line");
    // The rendered stack starts with the annotated header, once.
    assert.ok(e.stack!.startsWith(`${e.name}: ${prefix} ${context}\n`), e.stack!.split("\n")[0]);
    return true;
  });
}

test("the original message has no context outside transforms", () => {
  assert.match(ORIGINAL, /^add: shapes \[2\], \[3\] cannot be broadcast together/);
  assert.ok(!ORIGINAL.includes("while tracing"));
});

test("each transform names itself and the function", () => {
  const x = np.ones([2]);
  throwsWithContext(() => grad(f)(x), ShapeError, "(while tracing `f` under grad)");
  throwsWithContext(() => valueAndGrad(f)(x), ShapeError, "(while tracing `f` under valueAndGrad)");
  throwsWithContext(() => jvp(f, [x], [x]), ShapeError, "(while tracing `f` under jvp)");
  throwsWithContext(() => vjp(f, x), ShapeError, "(while tracing `f` under vjp)");
  throwsWithContext(() => linearize(f, x), ShapeError, "(while tracing `f` under linearize)");
  throwsWithContext(() => vmap(f)(np.ones([4, 2])), ShapeError, "(while tracing `f` under vmap)");
  throwsWithContext(() => jit(f)(x), ShapeError, "(while tracing `f` under jit)");
  throwsWithContext(() => makeJaxpr(f)(x), ShapeError, "(while tracing `f` under makeJaxpr)");
});

test("nested transforms: one line, the whole stack outermost first, the innermost user function", () => {
  const x = np.ones([2]);
  throwsWithContext(() => jit(grad(f))(x), ShapeError, "(while tracing `f` under jit ∘ grad)");
  throwsWithContext(() => vmap(grad(f))(np.ones([4, 2])), ShapeError, "(while tracing `f` under vmap ∘ grad)");
  throwsWithContext(
    () => jit(vmap(grad(f)))(np.ones([4, 2])),
    ShapeError,
    "(while tracing `f` under jit ∘ vmap ∘ grad)",
  );
  throwsWithContext(
    () => grad((y: Array) => np.sum(jit(vmap(f))(y)))(np.ones([4, 2])),
    ShapeError,
    "(while tracing `f` under grad ∘ jit ∘ vmap)",
  );
});

test("an error in the outer function after an inner transform returned names the outer function", () => {
  function outer(x: Array): Array {
    const g = grad((y: Array) => np.sum(np.sin(y)))(x); // fine
    return np.sum(np.add(g, np.ones([3])));
  }
  throwsWithContext(() => jit(outer)(np.ones([2])), ShapeError, "(while tracing `outer` under jit)");
});

test("anonymous functions are called so", () => {
  assert.throws(
    () => grad((x: Array) => np.sum(np.add(x, np.ones([3]))))(np.ones([2])),
    (e: Error) => e instanceof ShapeError && e.message.endsWith("(while tracing an anonymous function under grad)"),
  );
});

test("errors of the backward pass (a custom vjp's bwd) are annotated too", () => {
  const bad = customVjp((x: Array) => lax.sin(x));
  bad.defvjp(
    (x: Array) => [lax.sin(x), [x]],
    () => {
      throw new ValueError("bwd failed");
    },
  );
  function loss(x: Array): Array {
    return np.sum(bad(x));
  }
  throwsWithContext(() => grad(loss)(np.ones([2])), ValueError, "(while tracing `loss` under grad)", "bwd failed");
  throwsWithContext(
    () => jit(grad(loss))(np.ones([2])),
    ValueError,
    "(while tracing `loss` under jit ∘ grad)",
    "bwd failed",
  );
});

test("a stack rendered before the annotation is rewritten, not duplicated", () => {
  function g(x: Array): Array {
    try {
      return f(x);
    } catch (e) {
      void (e as Error).stack; // V8 renders the stack now, with the original header
      throw e;
    }
  }
  throwsWithContext(() => jit(grad(g))(np.ones([2])), ShapeError, "(while tracing `g` under jit ∘ grad)");
});

test("argument checks before tracing, and failures of a cached jitted call, carry no tracing context", () => {
  assert.throws(
    () => vmap((a: Array, b: Array) => a.add(b), { inAxes: [0] })(np.ones([1]), np.ones([1])),
    (e: Error) =>
      e instanceof ValueError && /inAxes has 1 entries/.test(e.message) && !e.message.includes("while tracing"),
  );
  const h = jit((x: Array) => np.sin(x));
  h(np.ones([2])); // traced and cached
  const dead = np.ones([2]);
  dead.dispose();
  assert.throws(
    () => h(dead),
    (e: Error) => e instanceof UseAfterDisposeError && !e.message.includes("while tracing"),
  );
});

test("errors that are not the library's pass through unchanged", () => {
  const boom = (_x: Array): Array => {
    throw new TypeError("user bug");
  };
  assert.throws(
    () => jit(grad(boom))(np.ones([2])),
    (e: Error) => e instanceof TypeError && !(e instanceof LinaxError) && e.message === "user bug",
  );
});

test("the context stack is unwound after an error: the next error has only its own context", () => {
  assert.throws(() => jit(grad(f))(np.ones([2])));
  throwsWithContext(() => vmap(f)(np.ones([4, 2])), ShapeError, "(while tracing `f` under vmap)");
  // And with no transform active nothing is appended.
  assert.throws(
    () => f(np.ones([2])),
    (e: Error) => e.message === ORIGINAL,
  );
});
