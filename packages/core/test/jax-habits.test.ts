/**
 * JAX habits that must work (issue 14): positional `axis`, wrong-kind arguments rejected,
 * iteration over the first axis, and conversion of concrete scalars to JS values.
 * Expected values are hand-derived from x = [[0, 1, 2], [3, 4, 5]].
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, nn, random, jit, vmap, grad, ConcretizationError, ValueError, ShapeError, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const x = np.array([
  [0, 1, 2],
  [3, 4, 5],
]);
const xf = np.array([
  [1, 2, 4],
  [3, 0, 5],
]);

test("reductions take axis positionally, as numpy and JAX (np.sum(x, -1) no longer sums every axis)", () => {
  assert.deepEqual(np.sum(x, -1).tolist(), [3, 12]);
  assert.deepEqual(np.sum(x, 0).tolist(), [3, 5, 7]);
  assert.deepEqual(np.sum(x, [0, 1]).tolist(), 15);
  assert.deepEqual(np.sum(x, null).tolist(), 15);
  assert.deepEqual(np.sum(x, -1, { keepdims: true }).tolist(), [[3], [12]]);
  assertClose(np.mean(x, 0), [1.5, 2.5, 3.5]);
  assert.deepEqual(np.prod(xf, 1).tolist(), [8, 0]);
  assert.deepEqual(np.max(xf, 1).tolist(), [4, 5]);
  assert.deepEqual(np.min(xf, 0).tolist(), [1, 0, 4]);
  assert.deepEqual(np.max(xf, 1, { keepdims: true }).shape, [2, 1]);
  // var over axis 1 of [0,1,2] and [3,4,5]: mean 1 / 4, squared deviations 1+0+1 → 2/3; ddof 1 → 1.
  assertClose(np.var(x, 1), [2 / 3, 2 / 3]);
  assertClose(np.var(x, 1, { ddof: 1 }), [1, 1]);
  assertClose(np.std(x, 0), [1.5, 1.5, 1.5]);
  assert.deepEqual(
    np
      .any(
        np.array([
          [true, false],
          [false, false],
        ]),
        1,
      )
      .tolist(),
    [true, false],
  );
  assert.deepEqual(
    np
      .all(
        np.array([
          [true, true],
          [false, true],
        ]),
        0,
      )
      .tolist(),
    [false, true],
  );
  assert.deepEqual(np.argmax(xf, 1).tolist(), [2, 2]);
  assert.deepEqual(np.argmin(xf, 1).tolist(), [0, 1]);
  assert.deepEqual(np.argmax(xf, 0, { keepdims: true }).tolist(), [[1, 0, 1]]);
  assert.deepEqual(np.cumsum(x, 1).tolist(), [
    [0, 1, 3],
    [3, 7, 12],
  ]);
  assert.deepEqual(np.cumprod(xf, 0).tolist(), [
    [1, 2, 4],
    [3, 0, 20],
  ]);
  assertClose(
    np.logsumexp(
      np.array([
        [0, 0],
        [1, 1],
      ]),
      1,
    ),
    [Math.log(2), 1 + Math.log(2)],
  );
  // The options-object spelling keeps working.
  assert.deepEqual(np.sum(x, { axis: 1 }).tolist(), [3, 12]);
  assert.deepEqual(np.argmax(xf, { axis: 0 }).tolist(), [1, 0, 1]);
});

test("shape functions take axis positionally: concatenate, stack, split, sort, argsort, flip, squeeze, expandDims, take, repeat", () => {
  const a = np.array([[1, 2]]);
  const b = np.array([[3, 4]]);
  assert.deepEqual(np.concatenate([a, b], 1).tolist(), [[1, 2, 3, 4]]);
  assert.deepEqual(np.concatenate([a, b], -2).tolist(), [
    [1, 2],
    [3, 4],
  ]);
  assert.deepEqual(np.stack([np.array([1, 2]), np.array([3, 4])], 1).tolist(), [
    [1, 3],
    [2, 4],
  ]);
  assert.deepEqual(
    np.split(x, 3, 1).map((p) => p.tolist()),
    [
      [[0], [3]],
      [[1], [4]],
      [[2], [5]],
    ],
  );
  assert.deepEqual(np.sort(xf, 0).tolist(), [
    [1, 0, 4],
    [3, 2, 5],
  ]);
  assert.deepEqual(np.argsort(xf, 1).tolist(), [
    [0, 1, 2],
    [1, 0, 2],
  ]);
  assert.deepEqual(np.flip(x, 1).tolist(), [
    [2, 1, 0],
    [5, 4, 3],
  ]);
  assert.deepEqual(np.squeeze(np.zeros([1, 2, 1]), 0).shape, [2, 1]);
  assert.deepEqual(np.expandDims(x, -1).shape, [2, 3, 1]);
  assert.deepEqual(np.take(x, [2, 0], 1).tolist(), [
    [2, 0],
    [5, 3],
  ]);
  assert.deepEqual(np.take(x, [5, 0]).tolist(), [5, 0]);
  assert.deepEqual(np.repeat(np.array([[1, 2]]), 2, 0).tolist(), [
    [1, 2],
    [1, 2],
  ]);
});

test("Array methods take axis positionally: x.sum(-1), x.mean(0), x.argmax(1), x.std(0), ...", () => {
  assert.deepEqual(x.sum(-1).tolist(), [3, 12]);
  assert.deepEqual(x.sum(0, { keepdims: true }).tolist(), [[3, 5, 7]]);
  assert.deepEqual(x.sum().tolist(), 15);
  assertClose(x.mean(0), [1.5, 2.5, 3.5]);
  assert.deepEqual(xf.max(1).tolist(), [4, 5]);
  assert.deepEqual(xf.min(1).tolist(), [1, 0]);
  assert.deepEqual(xf.prod(0).tolist(), [3, 0, 20]);
  assertClose(x.std(0), [1.5, 1.5, 1.5]);
  assertClose(x.var(1, { ddof: 1 }), [1, 1]);
  assert.deepEqual(xf.argmax(1).tolist(), [2, 2]);
  assert.deepEqual(xf.argmin().tolist(), 4);
  assert.deepEqual(xf.any(1).tolist(), [true, true]);
  assert.deepEqual(xf.all(1).tolist(), [true, false]);
  assert.deepEqual(x.cumsum(1).tolist(), [
    [0, 1, 3],
    [3, 7, 12],
  ]);
  assert.deepEqual(x.cumsum().tolist(), [0, 1, 3, 6, 10, 15]);
  assert.deepEqual(xf.sort(0).tolist(), [
    [1, 0, 4],
    [3, 2, 5],
  ]);
  assert.deepEqual(xf.argsort().tolist(), [
    [0, 1, 2],
    [1, 0, 2],
  ]);
});

test("positional axis works under jit, vmap and grad", () => {
  const f = jit((a: Array) => np.sum(a, -1));
  assert.deepEqual(f(x).tolist(), [3, 12]);
  const g = vmap((row: Array) => row.max(0));
  assert.deepEqual(g(xf).tolist(), [4, 5]);
  // d/dx Σ_j mean_i(x_ij)^2 ... here: grad of sum(sum(x, 1)^2) = 2 * rowsum broadcast.
  const dx = grad((a: Array) => np.sum(np.square(np.sum(a, 1))))(np.astype(x, "float32")) as Array;
  assert.deepEqual(dx.tolist(), [
    [6, 6, 6],
    [24, 24, 24],
  ]);
});

test("arguments of the wrong kind raise instead of being ignored", () => {
  assert.throws(
    () => np.sum(x, "1" as unknown as number),
    (e: unknown) => e instanceof ValueError && /sum: 'axis' must be an integer axis/.test(e.message),
  );
  assert.throws(() => np.sum(x, 1.5), /sum: 'axis' must be/);
  assert.throws(() => np.sum(x, { axes: 1 } as never), /sum: unknown option 'axes'/);
  assert.throws(() => np.sum(x, { keepdims: "yes" } as never), /sum: 'keepdims' must be a boolean/);
  assert.throws(() => np.sum(x, { dtype: "float64" } as never), /sum: 'dtype' must be a dtype name/);
  assert.throws(() => np.sum(x, 0, { axis: 1 } as never), /sum: got multiple values for 'axis'/);
  assert.throws(() => np.sum(x, { axis: 0 }, { keepdims: true }), /options were given twice/);
  assert.throws(() => np.argmax(x, [0, 1] as never), /argmax: 'axis' must be an integer axis or null/);
  assert.throws(() => np.mean(x, { ddof: 1 } as never), /mean: unknown option 'ddof'/);
  assert.throws(() => np.max(x, { initial: "0" } as never), /max: 'initial' must be a number/);
  assert.throws(() => np.cumsum(x, [1] as never), /cumsum: 'axis' must be an integer axis/);
  assert.throws(() => np.sort(x, { reverse: true } as never), /sort: unknown option 'reverse'/);
  assert.throws(() => np.concatenate([x, x], "0" as never), /concatenate: 'axis' must be/);
  assert.throws(() => np.stack([x, x], { axs: 0 } as never), /stack: unknown option 'axs'/);
  assert.throws(() => np.split(x, 3, "1" as never), /split: 'axis' must be/);
  assert.throws(() => np.flip(x, "0" as never), /flip: 'axis' must be/);
  assert.throws(() => np.squeeze(x, "0" as never), /squeeze: 'axis' must be/);
  assert.throws(() => np.expandDims(x, "0" as never), /expandDims: 'axis' must be/);
  assert.throws(() => np.take(x, [0], { mode: "nearest" } as never), /take: 'mode' must be one of/);
  assert.throws(() => x.sum("0" as never), /sum: 'axis' must be/);
  // Axis range errors keep their ShapeError.
  assert.throws(() => np.sum(x, 2), ShapeError);
});

test("arrays iterate over their first axis; a 0-d array is not iterable", () => {
  const rows = [...x].map((r) => r.tolist());
  assert.deepEqual(rows, [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  const seen: number[][] = [];
  for (const row of x) seen.push(row.tolist() as number[]);
  assert.deepEqual(seen, [
    [0, 1, 2],
    [3, 4, 5],
  ]);
  const [k1, k2] = random.split(random.PRNGKey(0));
  assert.deepEqual(k1.shape, [2]);
  assert.deepEqual(k2.shape, [2]);
  // They are the two rows of split's result.
  const both = random.split(random.PRNGKey(0));
  assert.deepEqual([k1.tolist(), k2.tolist()], both.tolist());
  assert.deepEqual([...np.zeros([0, 3])], []);
  assert.throws(
    () => [...np.array(1)],
    (e: unknown) => e instanceof TypeError && /iteration over a 0-d array/.test(e.message),
  );
  // Iteration of a tracer works too (its shape is static).
  const f = jit((a: Array) => {
    const [r0, r1] = a;
    return np.subtract(r1, r0);
  });
  assert.deepEqual(f(x).tolist(), [3, 3, 3]);
});

test("Number(x), x.valueOf() and template strings give a concrete scalar's value", () => {
  const s = np.array(2.5);
  assert.equal(Number(s), 2.5);
  assert.equal(s.valueOf(), 2.5);
  assert.equal(`${s}`, "2.5");
  assert.equal(+np.array(3, { dtype: "int32" }), 3);
  assert.equal(np.array(true).valueOf(), true);
  assert.equal(`${np.array(false)}`, "false");
  // Comparisons compare values (before, x > 0 compared NaN and was silently false).
  assert.equal((s as unknown as number) > 0, true);
  assert.equal((np.array(-1) as unknown as number) > 0, false);
  assert.equal((np.sum(x) as unknown as number) + 1, 16);
  assert.equal(`${np.array([1, 2]).get(0)}`, "1");
  // Complex: the string form shows both parts; there is no JS number for it.
  const z = np.array(np.add(np.array(1), np.multiply(np.array(-2), np.sqrt(np.array(-1, { dtype: "complex64" })))));
  assert.equal(`${z}`, "1-2j");
  assert.throws(() => Number(z), ConcretizationError);
});

test("a non-scalar or a tracer raises the concretization error naming the function", () => {
  const v = np.array([1, 2]);
  assert.throws(
    () => Number(v),
    (e: unknown) =>
      e instanceof ConcretizationError && /Number\(x\) or a JS comparison \(x > 0\): only 0-d arrays/.test(e.message),
  );
  assert.throws(() => (v as unknown as number) > 0, /only 0-d arrays convert/);
  assert.throws(() => v.valueOf(), /valueOf\(\): only 0-d arrays/);
  // A template string of a non-scalar shows the array, as Python's f-string of a JAX array does.
  assert.equal(`${v}`, v.toString());
  const underJit = (fn: (a: Array) => unknown) =>
    jit((a: Array) => {
      fn(a);
      return a;
    })(np.array(1));
  assert.throws(
    () => underJit((a) => (a as unknown as number) > 0),
    (e: unknown) =>
      e instanceof ConcretizationError &&
      /Number\(x\) or a JS comparison \(x > 0\)/.test(e.message) &&
      /traced array/.test(e.message),
  );
  assert.throws(() => underJit((a) => Number(a)), /Number\(x\).*: cannot convert Traced/);
  assert.throws(() => underJit((a) => `${a}`), /template string: cannot convert Traced/);
  assert.throws(() => underJit((a) => (a as unknown as number) + 1), /JS arithmetic or == on an array/);
  assert.throws(() => grad((a: Array) => (Number(a) > 0 ? a : np.negative(a)))(np.array(1)), ConcretizationError);
});

test("diagonal / trace / diag / linalg.norm / nn.softmax take numpy's positional arguments", () => {
  const m = np.arange(9).reshape([3, 3]);
  assert.deepEqual(np.diagonal(m, 1).tolist(), [1, 5]);
  assert.deepEqual(np.diagonal(m, -1).tolist(), [3, 7]);
  assert.deepEqual(np.diagonal(m, { offset: 1 }).tolist(), [1, 5]);
  assert.equal(np.trace(m, 1).tolist(), 6);
  assert.deepEqual(np.trace(np.arange(8).reshape([2, 2, 2]), 0, 1, 2).tolist(), [3, 11]);
  assert.deepEqual(np.diag(np.array([1, 2]), 1).tolist(), [
    [0, 1, 0],
    [0, 0, 2],
    [0, 0, 0],
  ]);
  assert.throws(() => np.diagonal(m, "1" as never), /diagonal: 'offset' must be an integer/);
  assert.throws(() => np.trace(m, { axis: 0 } as never), /trace: unknown option 'axis'/);
  // ‖[3, 4]‖₂ = 5 per row, ‖·‖₁ = 7; the max-norm 4.
  const v = np.array([
    [3, 4],
    [3, 4],
  ]);
  assertClose(np.linalg.norm(v, 2, -1), [5, 5]);
  assertClose(np.linalg.norm(v, 1, 1), [7, 7]);
  assertClose(np.linalg.norm(v, Infinity, -1, { keepdims: true }), [[4], [4]]);
  assertClose(np.linalg.norm(v, null, 0), [Math.sqrt(18), Math.sqrt(32)]);
  assertClose(np.linalg.norm(v, { ord: 2, axis: -1 }), [5, 5]);
  assert.throws(() => np.linalg.norm(v, "2" as never), /'ord' must be a number, "fro" or "nuc"/);
  assert.throws(() => np.linalg.norm(v, { order: 2 } as never), /unknown option 'order'/);
  // jax.nn.softmax(x, axis): axis 0 of [[0, 0], [ln 3, 0]] gives [[1/4, 1/2], [3/4, 1/2]] (before, 0 was ignored).
  const lg = np.array([
    [0, 0],
    [Math.log(3), 0],
  ]);
  assertClose(
    nn.softmax(lg, 0),
    [
      [0.25, 0.5],
      [0.75, 0.5],
    ],
    { rtol: 1e-6 },
  );
  assertClose(
    nn.logSoftmax(lg, 0),
    [
      [Math.log(0.25), Math.log(0.5)],
      [Math.log(0.75), Math.log(0.5)],
    ],
    { rtol: 1e-5 },
  );
  assertClose(nn.softmax(lg, { axis: 0 }), nn.softmax(lg, 0));
  assert.throws(() => nn.softmax(lg, "0" as never), /softmax: 'axis' must be/);
});

test("pad and np.fft take numpy's positional mode / n / axis / norm", () => {
  assert.deepEqual(np.pad(np.array([1, 2]), 1, "edge").tolist(), [1, 1, 2, 2]);
  assert.deepEqual(np.pad(np.array([1, 2]), 1, "constant", { constantValues: 9 }).tolist(), [9, 1, 2, 9]);
  assert.deepEqual(np.pad(np.array([1, 2]), 1, { mode: "wrap" }).tolist(), [2, 1, 2, 1]);
  assert.throws(() => np.pad(np.array([1, 2]), 1, "nearest" as never), /pad: unsupported mode 'nearest'/);
  assert.throws(() => np.pad(np.array([1, 2]), 1, { constant: 1 } as never), /pad: unknown option 'constant'/);
  // DFT of [1, 0] zero-padded to n = 4 is all ones; along axis 0 of [[1, 1], [1, -1]] gives [[2, 0], [0, 2]].
  assert.deepEqual(np.fft.fft(np.array([1, 0]), 4).tolist(), [
    [1, 0],
    [1, 0],
    [1, 0],
    [1, 0],
  ]);
  assert.deepEqual(
    np.fft
      .fft(
        np.array([
          [1, 1],
          [1, -1],
        ]),
        null,
        0,
      )
      .tolist(),
    [
      [
        [2, 0],
        [0, 0],
      ],
      [
        [0, 0],
        [2, 0],
      ],
    ],
  );
  assertClose(np.real(np.fft.fft(np.array([1, 1, 1, 1]), null, -1, "ortho")), [2, 0, 0, 0], { atol: 1e-6 });
  assertClose(np.fft.irfft(np.fft.rfft(np.array([1, 2, 3, 4]), 4), 4), [1, 2, 3, 4], { atol: 1e-6 });
  assertClose(
    np.real(np.fft.fftn(np.ones([2, 2]), null, [0, 1])),
    [
      [4, 0],
      [0, 0],
    ],
    { atol: 1e-6 },
  );
  assert.throws(() => np.fft.fft(np.array([1, 0]), "4" as never), /np.fft.fft: 'n' must be an integer/);
  assert.throws(() => np.fft.fft(np.array([1, 0]), { nn: 4 } as never), /unknown option 'nn'/);
  assert.throws(() => np.fft.fft(np.array([1, 0]), null, 0, "unitary" as never), /'norm' must be one of/);
});

test("more Array methods as JAX's: ravel, swapaxes, take, repeat, diagonal, trace, clip, round, dot", () => {
  const m = np.arange(6).reshape([2, 3]);
  assert.deepEqual(m.ravel().tolist(), [0, 1, 2, 3, 4, 5]);
  assert.deepEqual(m.swapaxes(0, 1).tolist(), [
    [0, 3],
    [1, 4],
    [2, 5],
  ]);
  assert.deepEqual(m.take([2, 0], 1).tolist(), [
    [2, 0],
    [5, 3],
  ]);
  assert.deepEqual(m.take([4]).tolist(), [4]);
  assert.deepEqual(np.array([1, 2]).repeat(2).tolist(), [1, 1, 2, 2]);
  assert.deepEqual(m.repeat(2, 0).shape, [4, 3]);
  assert.deepEqual(m.diagonal().tolist(), [0, 4]);
  assert.deepEqual(m.diagonal(1).tolist(), [1, 5]);
  assert.equal(m.trace().tolist(), 4);
  assert.deepEqual(m.clip(1, 4).tolist(), [
    [1, 1, 2],
    [3, 4, 4],
  ]);
  assertClose(np.array([0.5, 1.5, 2.25]).round(), [0, 2, 2]);
  assertClose(np.array([2.25]).round(1), [2.2]);
  assert.deepEqual(m.dot(np.array([1, 1, 1])).tolist(), [3, 12]);
});

test("tril/triu k and np.linalg's numpy-positional arguments (svd, qr, eigh, pinv, matrixRank, lstsq, trace)", () => {
  const m = np.arange(1, 10).reshape([3, 3]);
  assert.deepEqual(np.tril(m, -1).tolist(), [
    [0, 0, 0],
    [4, 0, 0],
    [7, 8, 0],
  ]);
  assert.deepEqual(np.triu(m, 1).tolist(), [
    [0, 2, 3],
    [0, 0, 6],
    [0, 0, 0],
  ]);
  assert.deepEqual(np.triu(m, { k: 2 }).tolist(), [
    [0, 0, 3],
    [0, 0, 0],
    [0, 0, 0],
  ]);
  assert.throws(() => np.tril(m, 0.5), /tril: 'k' must be an integer/);
  const a = np.array([
    [3, 0],
    [4, 5],
    [0, 0],
  ]);
  // svd(a, full_matrices=False): reduced factors; svd(a, False, False): the values alone.
  const [u, s] = np.linalg.svd(a, false);
  assert.deepEqual(u.shape, [3, 2]);
  assertClose(s, [3 * Math.sqrt(5), Math.sqrt(5)], { rtol: 1e-6 });
  assertClose(np.linalg.svd(a, false, false), s);
  assert.throws(() => np.linalg.svd(a, "no" as never), /'fullMatrices' must be a boolean/);
  assert.deepEqual(np.linalg.qr(a, "complete")[0].shape, [3, 3]);
  assert.deepEqual(np.linalg.qr(a, "r").shape, [2, 2]);
  // eigh(a, "U") reads the upper triangle when not symmetrizing.
  const h = np.array([
    [2, 1],
    [100, 2],
  ]);
  assertClose(np.linalg.eigvalsh(h, "U", false), [1, 3], { atol: 1e-6 });
  assert.throws(() => np.linalg.eigh(h, "X" as never), /'UPLO' must be one of/);
  assertClose(
    np.linalg.pinv(
      np.array([
        [2, 0],
        [0, 1e-3],
      ]),
      1e-2,
    ),
    [
      [0.5, 0],
      [0, 0],
    ],
    { atol: 1e-7 },
  );
  assert.equal(
    np.linalg
      .matrixRank(
        np.array([
          [1, 0],
          [0, 1e-3],
        ]),
        1e-2,
      )
      .tolist(),
    1,
  );
  assertClose(
    np.linalg.lstsq(
      np.array([
        [1, 0],
        [0, 1e-3],
      ]),
      np.array([1, 1]),
      1e-2,
    )[0],
    [1, 0],
    { atol: 1e-6 },
  );
  assert.deepEqual(np.linalg.trace(m, 1).tolist(), 8);
});
