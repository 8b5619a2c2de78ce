/**
 * config.debugNans / debugInfs: the first primitive that produces a NaN (or Inf) raises a
 * FloatingPointError naming it and the user function — eagerly, inside jit (compiled, then re-run
 * op by op), and under grad. With the flags off nothing is checked and NaNs flow as before.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, grad, makeJaxpr, config, FloatingPointError, LinaxError, type Array } from "linax-ts";
import { checkJitOutputs } from "../src/core/debug-nans.ts";

/** Run `body` with the given flags, restoring every flag afterwards. */
function withFlags(
  flags: Partial<{ debugNans: boolean; debugInfs: boolean; jitCompile: boolean }>,
  body: () => void,
): void {
  const saved = config.values();
  try {
    for (const [k, v] of Object.entries(flags)) config.update(k as "debugNans", v as boolean);
    body();
  } finally {
    for (const k of ["debugNans", "debugInfs", "jitCompile"] as const) config.update(k, saved[k]);
  }
}

function raisesFpe(f: () => unknown, prim: string, ...patterns: RegExp[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(
      e instanceof FloatingPointError && e instanceof LinaxError,
      `expected FloatingPointError, got ${String(e)}`,
    );
    assert.equal(e.primitive, prim);
    for (const p of patterns) assert.match(e.message, p);
    return true;
  });
}

// log(x - 2) is NaN for x < 2: the first bad primitive is `log`, not the `sub` before it or the `reduceSum` after.
function loss(x: Array): Array {
  return np.sum(np.log(np.subtract(x, 2)));
}
const bad = np.array([3, 1]);

test("flags off (the default): NaNs flow silently, as without debug modes", () => {
  assert.equal(config.read("debugNans"), false);
  assert.ok(Number.isNaN(loss(bad).item()));
  assert.ok(Number.isNaN(jit(loss)(bad).item()));
});

test("debugNans, eager: raises at the first primitive producing a NaN, naming it and the calling function", () => {
  withFlags({ debugNans: true }, () => {
    raisesFpe(
      () => loss(bad),
      "log",
      /^invalid value \(nan\) encountered in log \(f32\[2\]\) in loss \(.*debug-nans\.test\.ts:\d+:\d+\)/,
      /config\.debugNans is on/,
    );
    // Clean inputs run normally, with the same value as unchecked.
    assert.ok(Math.abs(loss(np.array([3, 4])).item() - Math.log(2)) < 1e-6);
    // An infinity is not a NaN: 1/0 passes under debugNans alone.
    assert.equal(np.divide(1, np.array([0])).item(), Infinity);
  });
});

test("debugInfs: raises at the first primitive producing ±Inf (and complex outputs are checked too)", () => {
  withFlags({ debugInfs: true }, () => {
    raisesFpe(
      () => np.divide(1, np.array([0, 1])),
      "div",
      /an infinity \(inf\) encountered in div \(f32\[2\]\)/,
      /debugInfs/,
    );
    raisesFpe(() => np.exp(np.array([100])), "exp", /encountered in exp/);
    raisesFpe(() => np.log(lax.complex(np.array([0]), np.array([0]))), "log", /infinity.*in log \(c64\[1\]\)/);
    // NaN is not checked under debugInfs alone.
    assert.ok(Number.isNaN(np.log(np.array([-1])).item()));
  });
});

for (const jitCompile of [true, false]) {
  test(`debugNans inside jit (jitCompile ${jitCompile}): the call is re-run op by op and names the primitive and the jitted function`, () => {
    withFlags({ debugNans: true, jitCompile }, () => {
      raisesFpe(() => jit(loss)(bad), "log", /^invalid value \(nan\) encountered in log \(f32\[2\]\) in loss \[/);
      // Nested jit: the innermost jitted function is named.
      const inner = jit(function innerLog(x: Array) {
        return np.log(x);
      });
      raisesFpe(() => jit((x: Array) => np.sum(inner(np.subtract(x, 2))))(bad), "log", /in innerLog/);
      // Clean calls are unaffected.
      assert.ok(Math.abs(jit(loss)(np.array([3, 4])).item() - Math.log(2)) < 1e-6);
    });
  });
}

test("debugNans: a NaN passed into jit and returned unchanged is reported as an argument, not blamed on a primitive", () => {
  withFlags({ debugNans: true }, () => {
    raisesFpe(
      () =>
        jit(function ident(x: Array) {
          return x;
        })(np.array([NaN])),
      "jit(ident)",
      /in argument 0 \(f32\[1\]\) of jit\(ident\): no primitive produced it/,
    );
  });
});

test("debugNans under grad: the NaN of the forward pass is caught at its primitive", () => {
  withFlags({ debugNans: true }, () => {
    raisesFpe(() => grad(loss)(bad), "log", /encountered in log/);
    // sqrt'(0) = Inf·0 in the backward pass would be a NaN; at x = 4 everything is finite: 1/(2·2).
    assert.ok(Math.abs(grad((x: Array) => np.sqrt(x))(np.array(4)).item() - 0.25) < 1e-7);
  });
});

test("checkJitOutputs (for jit's compiled path): finds the first bad primitive, or reports a disagreement", () => {
  const cj = makeJaxpr(loss)(bad);
  withFlags({ debugNans: true }, () => {
    // Clean outputs: nothing happens (the jaxpr is not re-run).
    checkJitOutputs([np.array(1)], cj, [], [bad], "loss");
    raisesFpe(() => checkJitOutputs([np.array(NaN)], cj, [], [bad], "loss"), "log", /in loss/);
    // Outputs with a NaN that the interpreter does not reproduce: the compiled code is blamed.
    raisesFpe(
      () => checkJitOutputs([np.array(NaN)], cj, [], [np.array([3, 4])], "loss"),
      "jit(loss)",
      /compiled code and the interpreter disagree/,
    );
  });
  withFlags({ debugNans: false }, () => checkJitOutputs([np.array(NaN)], cj, [], [bad], "loss"));
});
