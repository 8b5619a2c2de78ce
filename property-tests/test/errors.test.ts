/**
 * Error messages the transforms and primitives owe their users: a clear error class and a
 * message naming the op, the argument, what was received and what was expected. Complements
 * packages/core/test/transforms-errors.test.ts (tracer leaks out of grad, non-scalar grad output,
 * inAxes list length, mismatched mapped sizes) and control-scan.test.ts (shape-changing carries,
 * leaks from scan bodies) without repeating them.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  np,
  lax,
  vmap,
  jit,
  jvp,
  grad,
  linearize,
  TracerLeakError,
  ShapeError,
  DTypeError,
  ValueError,
  IndexError,
  type Array,
} from "linax-ts";

/** Assert `f` throws an instance of `cls` whose message matches every pattern. */
function throwsWith(f: () => unknown, cls: new (...a: never[]) => Error, ...patterns: RegExp[]): void {
  assert.throws(f, (e: unknown) => {
    assert.ok(
      e instanceof cls,
      `expected ${cls.name}, got ${(e as Error)?.constructor?.name}: ${(e as Error)?.message}`,
    );
    for (const p of patterns) assert.match((e as Error).message, p);
    return true;
  });
}

test("tracers leaked out of vmap, jit, jvp and linearize are rejected when used, naming the transform", () => {
  const x = np.ones([2, 3]);
  const leakFrom = (run: (keep: (t: Array) => Array) => unknown): Array => {
    let leaked: Array | undefined;
    run((t) => (leaked = t));
    return leaked as Array;
  };
  const cases: [string, Array][] = [
    ["vmap", leakFrom((keep) => vmap((a: Array) => keep(a))(x))],
    ["jit", leakFrom((keep) => jit((a: Array) => keep(a))(x))],
    ["jvp", leakFrom((keep) => jvp((a: Array) => keep(a), [x], [x]))],
    ["jvp", leakFrom((keep) => linearize((a: Array) => keep(lax.sin(a)), x))],
  ];
  // linearize is jvp + partial evaluation: its tracers are the jvp trace's.
  for (const [name, t] of cases)
    throwsWith(() => np.sin(t), TracerLeakError, new RegExp(name), /leaked|after that transform/);
});

test("vmap: inAxes/outAxes that do not fit the arguments or outputs are errors, not silent remaps", () => {
  const x = np.ones([2, 3]);
  // A dict specification must name exactly the argument's keys (a pytree prefix, as in JAX).
  throwsWith(
    () => vmap((p: { x: Array }) => p.x, { inAxes: [{ y: 0 }] })({ x }),
    ValueError,
    /missing: x/,
    /unexpected: y/,
  );
  throwsWith(
    () => vmap((p: { a: Array; b: Array }) => p.a.add(p.b), { inAxes: [{ a: 0 }] })({ a: x, b: x }),
    ValueError,
    /missing: b/,
  );
  throwsWith(() => vmap((p: { x: Array }) => p.x, { inAxes: [[0]] })({ x }), ValueError, /does not match/);
  throwsWith(() => vmap((a: Array) => a, { inAxes: 2 })(x), ShapeError, /inAxes 2/, /\[2, 3\]/);
  throwsWith(() => vmap((a: Array) => a, { inAxes: -3 })(x), ShapeError, /inAxes -3/);
  throwsWith(() => vmap((a: Array) => a, { outAxes: 2 })(x), ShapeError, /outAxes 2/, /rank 2/);
  throwsWith(() => vmap((a: Array) => a, { outAxes: -3 })(x), ShapeError, /outAxes -3/);
  throwsWith(() => vmap((a: Array) => a, { inAxes: null })(x), ValueError, /no argument is mapped/);
  throwsWith(() => vmap((a: Array) => np.sum(a), { outAxes: null })(x), ValueError, /outAxes is null/);
});

test("grad of a list output says it is a list, not an Array", () => {
  // A list output is a type error as well; the run-time check is what this test is about.
  // @ts-expect-error — grad's function must return a scalar
  throwsWith(() => grad((a: Array) => [np.sum(a), a])(np.ones([2])), ShapeError, /scalar/, /a list of length 2/);
});

test("every np binary op names itself and both shapes when they do not broadcast", () => {
  const a = np.ones([2, 3]);
  const b = np.ones([4]);
  const ops: Record<string, (x: Array, y: Array) => unknown> = {
    add: np.add,
    subtract: np.subtract,
    multiply: np.multiply,
    divide: np.divide,
    floorDivide: np.floorDivide,
    remainder: np.remainder,
    fmod: np.fmod,
    power: np.power,
    maximum: np.maximum,
    minimum: np.minimum,
    arctan2: np.arctan2,
    hypot: np.hypot,
    copysign: np.copysign,
    nextafter: np.nextafter,
    heaviside: np.heaviside,
    equal: np.equal,
    notEqual: np.notEqual,
    less: np.less,
    lessEqual: np.lessEqual,
    greater: np.greater,
    greaterEqual: np.greaterEqual,
    logicalAnd: np.logicalAnd,
    logicalOr: np.logicalOr,
    logicalXor: np.logicalXor,
  };
  for (const [name, op] of Object.entries(ops))
    throwsWith(() => op(a, b), ShapeError, new RegExp(`^${name}:`), /\[2, 3\]/, /\[4\]/, /broadcast/);
  const ai = np.ones([2, 3], { dtype: "int32" });
  const bi = np.ones([4], { dtype: "int32" });
  for (const [name, op] of Object.entries({
    bitwiseAnd: np.bitwiseAnd,
    bitwiseOr: np.bitwiseOr,
    bitwiseXor: np.bitwiseXor,
    leftShift: np.leftShift,
    rightShift: np.rightShift,
  })) {
    throwsWith(
      () => (op as (x: Array, y: Array) => unknown)(ai, bi),
      ShapeError,
      new RegExp(`^${name}:`),
      /\[2, 3\]/,
      /\[4\]/,
    );
  }
});

test("every lax binary primitive rejects unequal shapes and dtypes, pointing to the np layer", () => {
  const ops: Record<string, (x: Array, y: Array) => Array> = {
    add: lax.add,
    sub: lax.sub,
    mul: lax.mul,
    div: lax.div,
    pow: lax.pow,
    rem: lax.rem,
    atan2: lax.atan2,
    nextafter: lax.nextafter,
    max: lax.max,
    min: lax.min,
    eq: lax.eq,
    ne: lax.ne,
    lt: lax.lt,
    le: lax.le,
    gt: lax.gt,
    ge: lax.ge,
    complex: lax.complex,
  };
  for (const [name, op] of Object.entries(ops)) {
    throwsWith(
      () => op(np.ones([2, 3]), np.ones([3, 2])),
      ShapeError,
      new RegExp(`^${name}:`),
      /\[2, 3\] and \[3, 2\]/,
      /np namespace/,
    );
  }
  for (const [name, op] of Object.entries({ add: lax.add, mul: lax.mul, max: lax.max, eq: lax.eq })) {
    throwsWith(
      () => op(np.ones([2]), np.ones([2], { dtype: "int32" })),
      DTypeError,
      new RegExp(`^${name}:`),
      /float32 and int32/,
    );
  }
  for (const [name, op] of Object.entries({
    and: lax.bitwiseAnd,
    or: lax.bitwiseOr,
    xor: lax.bitwiseXor,
    shiftLeft: lax.shiftLeft,
    shiftRightLogical: lax.shiftRightLogical,
    shiftRightArithmetic: lax.shiftRightArithmetic,
  })) {
    const i = (s: number[]) => np.ones(s, { dtype: "int32" });
    throwsWith(() => op(i([2, 3]), i([3])), ShapeError, new RegExp(`^${name}:`), /\[2, 3\] and \[3\]/);
  }
});

test("contractions name the mismatched dimensions", () => {
  throwsWith(
    () => lax.dotGeneral(np.ones([2, 3]), np.ones([4, 5]), { contractingDims: [[1], [0]] }),
    ShapeError,
    /dotGeneral/,
    /lhs dim 1 has size 3/,
    /rhs dim 0 has size 4/,
  );
  throwsWith(
    () => lax.dotGeneral(np.ones([2, 3]), np.ones([3, 5]), { contractingDims: [[2], [0]] }),
    ShapeError,
    /dotGeneral/,
    /out of range/,
  );
  throwsWith(
    () => lax.dotGeneral(np.ones([2, 3]), np.ones([4, 3]), { contractingDims: [[1], [1]], batchDims: [[0], [0]] }),
    ShapeError,
    /dotGeneral/,
    /2/,
    /4/,
  );
  throwsWith(() => np.matmul(np.ones([2, 3]), np.ones([4, 5])), ShapeError, /matmul/, /\[2, 3\]/, /\[4, 5\]/);
  throwsWith(() => np.dot(np.ones([2, 3]), np.ones([4, 5])), ShapeError, /dot/, /size 3/, /size 4/);
  throwsWith(
    () => lax.convGeneralDilated(np.ones([1, 2, 5]), np.ones([3, 4, 2])),
    ShapeError,
    /convGeneralDilated/,
    /feature/,
    /\[1, 2, 5\]/,
  );
});

test("out-of-range slices and dynamic slice sizes are IndexErrors with the bounds", () => {
  throwsWith(() => lax.slice(np.ones([3]), [1], [5]), IndexError, /slice/, /\[3\]/, /limitIndices \[5\]/);
  throwsWith(() => lax.slice(np.ones([3]), [2], [1]), IndexError, /slice/, /start <= limit/);
  throwsWith(() => lax.slice(np.ones([3, 2]), [0], [1]), ShapeError, /slice/);
  throwsWith(() => lax.dynamicSlice(np.ones([3]), [0], [4]), IndexError, /dynamicSlice/, /slice size 4/, /\[0, 3\]/);
  throwsWith(
    () =>
      lax.gather(
        np.ones([3]),
        np.ones([2, 1], { dtype: "int32" }),
        { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] },
        [4],
      ),
    IndexError,
    /gather/,
    /slice size 4/,
  );
});

test("reductions and cumulative ops reject axes out of range (np and lax)", () => {
  const x = np.ones([2, 3]);
  throwsWith(() => np.sum(x, { axis: 2 }), ShapeError, /sum/, /axis 2/, /rank 2/);
  throwsWith(() => np.max(x, { axis: -3 }), ShapeError, /max/, /axis -3/);
  throwsWith(() => np.argmax(x, { axis: 5 }), ShapeError, /argmax/, /axis 5/);
  throwsWith(() => np.cumsum(x, { axis: 3 }), ShapeError, /cumsum/, /axis 3/);
  throwsWith(() => lax.reduceSum(x, [2]), ShapeError, /reduceSum/, /\[2\]/, /\[2, 3\]/);
  throwsWith(() => lax.reduceMax(x, [0, 0]), ShapeError, /reduceMax/, /distinct/);
  throwsWith(() => lax.argmax(np.ones([3]), 1), ShapeError, /argmax/, /axis 1/);
  throwsWith(() => lax.cumsum(np.ones([3]), 2), ShapeError, /cumsum/, /axis 2/);
  throwsWith(() => lax.sort(np.ones([3]), { dimension: 2 }), ShapeError, /sort/, /dimension 2/);
});

test("unsupported dtypes name the op, the dtype received and the ones supported", () => {
  const i = np.ones([2], { dtype: "int32" });
  throwsWith(() => lax.exp(i), DTypeError, /^exp:/, /int32/, /float32, complex64/);
  throwsWith(() => lax.bitwiseAnd(np.ones([2]), np.ones([2])), DTypeError, /^and:/, /float32/, /int32, uint32, bool/);
  throwsWith(() => lax.floor(lax.complex(np.ones([2]), np.ones([2]))), DTypeError, /^floor:/, /complex64/);
  throwsWith(() => lax.cholesky(np.ones([2, 2], { dtype: "int32" })), DTypeError, /cholesky/, /int32/);
  throwsWith(() => lax.fft(np.ones([4]), "FFT", [4]), DTypeError, /fft/, /complex64/, /float32/);
  throwsWith(() => lax.iota("bool", 3), DTypeError, /iota/, /bool/);
  throwsWith(
    () =>
      lax.gather(np.ones([3]), np.ones([2, 1]), { offsetDims: [], collapsedSliceDims: [0], startIndexMap: [0] }, [1]),
    DTypeError,
    /gather/,
    /int32 or uint32/,
    /float32/,
  );
  throwsWith(() => np.bitwiseAnd(np.ones([2]), np.ones([2])), DTypeError, /bitwiseAnd/, /float32/);
});

test("structural ops name the shapes they cannot reconcile", () => {
  throwsWith(() => lax.reshape(np.ones([2, 3]), [4]), ShapeError, /reshape/, /\[2, 3\]/, /\[4\]/);
  throwsWith(() => lax.transpose(np.ones([2, 3]), [0, 0]), ShapeError, /transpose/, /\[0,0\]/);
  throwsWith(
    () => lax.concatenate([np.ones([2, 3]), np.ones([3, 2])], 0),
    ShapeError,
    /concatenate/,
    /\[2, 3\]/,
    /\[3, 2\]/,
  );
  throwsWith(
    () => lax.broadcastInDim(np.ones([2, 3]), [4, 3], [0, 1]),
    ShapeError,
    /broadcastInDim/,
    /\[2, 3\]/,
    /\[4, 3\]/,
  );
  throwsWith(
    () =>
      lax.pad(np.ones([3]), np.array(0), [
        [0, 0, 0],
        [1, 1, 0],
      ]),
    ShapeError,
    /pad/,
    /\[3\]/,
  );
  throwsWith(
    () => lax.triangularSolve(np.ones([2, 2]), np.ones([3, 3]), { leftSide: true }),
    ShapeError,
    /triangularSolve/,
    /\[2, 2\]/,
    /\[3, 3\]/,
  );
  throwsWith(
    () =>
      lax.cond(
        np.array(true),
        (v: Array) => v,
        (v: Array) => np.sum(v),
        np.ones([2]),
      ),
    ShapeError,
    /cond/,
    /f32\[\]/,
    /f32\[2\]/,
  );
  throwsWith(
    () =>
      lax.whileLoop(
        (c: Array) => c,
        (c: Array) => c,
        np.array(1),
      ),
    DTypeError,
    /whileLoop/,
    /boolean scalar/,
  );
});
