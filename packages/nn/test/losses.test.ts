import { test } from "node:test";
import assert from "node:assert/strict";
import { np, grad, jit, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import * as nn from "@linax-ts/nn";
import { finiteDiffGrad } from "./finite-differences.ts";

const logits = [
  [2, 1, 0.1],
  [0.5, 2.5, -1],
  [-1, 0, 3],
];
const labels = [0, 1, 1];
const lse = (r: number[]) => {
  const m = Math.max(...r);
  return m + Math.log(r.reduce((a, v) => a + Math.exp(v - m), 0));
};
const ceRef = logits.map((r, i) => lse(r) - r[labels[i]]);

test("softmax cross-entropy: integer labels and one-hot labels agree with the host formula", () => {
  const lg = np.array(logits);
  const lab = np.array(labels, { dtype: "int32" });
  const oneHot = np.array(labels.map((l) => [0, 1, 2].map((c) => (c === l ? 1 : 0))));
  const mean = ceRef.reduce((a, b) => a + b, 0) / 3;
  assertClose(nn.softmaxCrossEntropy(lg, lab), [mean], { rtol: 1e-6 });
  assertClose(nn.softmaxCrossEntropy(lg, oneHot), [mean], { rtol: 1e-6 });
  assertClose(nn.softmaxCrossEntropyWithIntegerLabels(lg, lab, { reduction: "none" }), ceRef, { rtol: 1e-6 });
  assertClose(nn.softmaxCrossEntropy(lg, lab, { reduction: "sum" }), [3 * mean], { rtol: 1e-6 });
  // Mask: only rows 0 and 2 count; the mean is over them.
  const mask = np.array([true, false, true]);
  assertClose(nn.softmaxCrossEntropy(lg, lab, { where: mask }), [(ceRef[0] + ceRef[2]) / 2], { rtol: 1e-6 });
  assertClose(nn.softmaxCrossEntropy(lg, lab, { where: mask, reduction: "none" }), [ceRef[0], 0, ceRef[2]], {
    rtol: 1e-6,
  });
  // Soft labels.
  const soft = [
    [0.2, 0.8, 0],
    [0.5, 0.25, 0.25],
    [1, 0, 0],
  ];
  const softRef = logits.map((r, i) => -soft[i].reduce((a, p, c) => a + p * (r[c] - lse(r)), 0));
  assertClose(nn.softmaxCrossEntropy(lg, np.array(soft), { reduction: "none" }), softRef, { rtol: 1e-6 });
  assert.throws(() => nn.softmaxCrossEntropy(lg, np.array([0, 1], { dtype: "int32" })), /do not match/);
});

test("cross-entropy gradient is softmax - onehot (and matches finite differences)", () => {
  const lg = np.array(logits);
  const lab = np.array(labels, { dtype: "int32" });
  const g = grad((l: Array) => nn.softmaxCrossEntropy(l, lab, { reduction: "sum" }))(lg) as Array;
  const ref = logits.map((r, i) => r.map((v, c) => Math.exp(v - lse(r)) - (c === labels[i] ? 1 : 0)));
  assertClose(g, ref, { rtol: 1e-5, atol: 1e-6 });
  const f = (l: Array) => nn.softmaxCrossEntropy(l, lab);
  assertClose(grad(f)(lg) as Array, finiteDiffGrad(f, lg), { rtol: 1e-2, atol: 1e-3 });
});

test("sigmoid binary cross-entropy is stable and matches the host formula", () => {
  const x = [-50, -2, 0, 1.5, 40];
  const y = [0, 1, 0.5, 0, 1];
  const ref = x.map((v, i) => Math.max(v, 0) - v * y[i] + Math.log1p(Math.exp(-Math.abs(v))));
  assertClose(nn.sigmoidBinaryCrossEntropy(np.array(x), np.array(y), { reduction: "none" }), ref, {
    rtol: 1e-5,
    atol: 1e-6,
  });
  assertClose(nn.sigmoidBinaryCrossEntropy(np.array(x), np.array(y)), [ref.reduce((a, b) => a + b) / 5], {
    rtol: 1e-5,
  });
  const g = grad((l: Array) => nn.sigmoidBinaryCrossEntropy(l, np.array(y), { reduction: "sum" }))(
    np.array(x),
  ) as Array;
  assertClose(
    g,
    x.map((v, i) => 1 / (1 + Math.exp(-v)) - y[i]),
    { rtol: 1e-5, atol: 1e-6 },
  );
});

test("mean squared error: reductions, masks, gradient, jit", () => {
  const p = np.array([
    [1, 2],
    [3, 4],
  ]);
  const t = np.array([
    [1.5, 2],
    [2, 6],
  ]);
  assertClose(nn.meanSquaredError(p, t), [(0.25 + 0 + 1 + 4) / 4]);
  assertClose(nn.mse(p, t, { reduction: "sum" }), [5.25]);
  assertClose(nn.l2Loss(p, t, { reduction: "sum" }), [2.625]);
  assertClose(
    nn.meanSquaredError(p, t, {
      where: np.array([
        [true, true],
        [false, true],
      ]),
    }),
    [(0.25 + 0 + 4) / 3],
  );
  // Mask broadcast over the last axis: rows.
  assertClose(nn.meanSquaredError(p, t, { where: np.array([[true], [false]]) }), [0.25 / 2]);
  const g = grad((q: Array) => nn.meanSquaredError(q, t))(p) as Array;
  assertClose(g, [
    [-0.25, 0],
    [0.5, -1],
  ]);
  assertClose(jit((q: Array) => nn.mse(q, t))(p), [5.25 / 4]);
});
