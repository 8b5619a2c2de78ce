/**
 * Option checks of np.searchsorted, convolve/correlate, vander, interp, cov/corrcoef,
 * fillDiagonal and gradient: an unknown option name is a ValueError naming the function and the
 * option (with the accepted names), a value of the wrong kind is a ValueError naming the option —
 * never silently ignored. The accepted names are numpy's / JAX's keywords in camelCase. Values
 * with valid options are checked against hand-derived numbers.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { np, ValueError, type Array } from "linax-ts";

const a = np.array([1, 2, 4, 8]);
const m = np.array([
  [1, 2, 3],
  [2, 4, 7],
]);
/** Bypasses the static option types, the way an untyped (JS) caller or a typo would. */
const bad = <T>(v: unknown): T => v as T;
/** np.gradient's result for a 1-d input (one array, not a list per axis). */
const one = (g: Array | Array[]): Array => {
  if (globalThis.Array.isArray(g)) throw new Error("expected one gradient array");
  return g;
};

const unknownCases: [string, () => unknown, string, string][] = [
  ["np.searchsorted", () => np.searchsorted(a, 3, bad({ sides: "right" })), "sides", "side, sorter, method"],
  [
    "np.convolve",
    () => np.convolve(a, a, bad({ mode: "same", precison: "highest" })),
    "precison",
    "mode, precision, preferredElementType",
  ],
  ["np.correlate", () => np.correlate(a, a, bad({ modes: "full" })), "modes", "mode, precision, preferredElementType"],
  ["np.vander", () => np.vander(a, 2, bad({ increase: true })), "increase", "N, increasing"],
  ["np.interp", () => np.interp(1.5, a, a, bad({ lft: 0 })), "lft", "left, right, period"],
  ["np.cov", () => np.cov(m, bad({ rowVar: false })), "rowVar", "y, rowvar, bias, ddof, fweights, aweights"],
  ["np.corrcoef", () => np.corrcoef(m, bad({ ddof: 1 })), "ddof", "y, rowvar"],
  ["np.fillDiagonal", () => np.fillDiagonal(np.zeros([2, 2]), 1, bad({ warp: true })), "warp", "wrap, inplace"],
  ["np.gradient", () => np.gradient(a, bad({ edge_order: 2 })), "edge_order", "axis, edgeOrder"],
];

test("unknown option names raise a ValueError naming the function, the option and the accepted ones", () => {
  for (const [op, call, key, known] of unknownCases) {
    assert.throws(
      call,
      (e: unknown) =>
        e instanceof ValueError && (e as Error).message === `${op}: unknown option '${key}'; the options are ${known}`,
      op,
    );
  }
});

const kindCases: [string, () => unknown, RegExp][] = [
  [
    "np.searchsorted side",
    () => np.searchsorted(a, 3, bad({ side: "middle" })),
    /^np\.searchsorted: 'side' must be one of "left", "right"; got the string "middle"/,
  ],
  [
    "np.searchsorted method",
    () => np.searchsorted(a, 3, bad({ method: "binary" })),
    /^np\.searchsorted: 'method' must be one of "scan", "scan_unrolled", "sort", "compare_all"/,
  ],
  [
    "np.searchsorted sorter",
    () => np.searchsorted(a, 3, bad({ sorter: "0123" })),
    /^np\.searchsorted: 'sorter' must be an array/,
  ],
  [
    "np.convolve mode",
    () => np.convolve(a, a, bad({ mode: "circular" })),
    /^np\.convolve: 'mode' must be one of "full", "same", "valid"/,
  ],
  [
    "np.convolve positional mode",
    () => np.convolve(a, a, bad("same")),
    /^np\.convolve: expected an options object \{ mode, precision, preferredElementType \}; got the string "same"/,
  ],
  [
    "np.vander increasing",
    () => np.vander(a, 2, bad({ increasing: 1 })),
    /^np\.vander: 'increasing' must be a boolean; got number 1/,
  ],
  ["np.vander N", () => np.vander(a, bad("3")), /^np\.vander: N must be a non-negative integer; got the string "3"/],
  ["np.vander N option", () => np.vander(a, { N: 2.5 }), /^np\.vander: 'N' must be an integer; got number 2\.5/],
  [
    "np.interp left",
    () => np.interp(1.5, a, a, bad({ left: "extrapol" })),
    /^np\.interp: the only valid string value of 'left' is 'extrapolate'; got 'extrapol'/,
  ],
  [
    "np.convolve precision",
    () => np.convolve(a, a, bad({ precision: "fast" })),
    /^np\.convolve: precision must be null, one of 'default', 'high', 'highest'/,
  ],
  ["np.cov ddof", () => np.cov(m, bad({ ddof: 0.5 })), /^np\.cov: 'ddof' must be an integer; got number 0\.5/],
  ["np.cov rowvar", () => np.cov(m, bad({ rowvar: "no" })), /^np\.cov: 'rowvar' must be a boolean/],
  [
    "np.fillDiagonal wrap",
    () => np.fillDiagonal(np.zeros([2, 2]), 1, bad({ wrap: "yes" })),
    /^np\.fillDiagonal: 'wrap' must be a boolean/,
  ],
  [
    "np.fillDiagonal inplace",
    () => np.fillDiagonal(np.zeros([2, 2]), 1, bad({ inplace: true })),
    /^np\.fillDiagonal: inplace: true is impossible — arrays are immutable/,
  ],
  [
    "np.gradient axis",
    () => np.gradient(a, bad({ axis: "0" })),
    /^np\.gradient: 'axis' must be an integer axis, a list of integer axes, or null/,
  ],
  [
    "np.gradient edgeOrder",
    () => np.gradient(a, bad({ edgeOrder: 1.5 })),
    /^np\.gradient: 'edgeOrder' must be an integer; got number 1\.5/,
  ],
];

test("option values of the wrong kind raise a ValueError naming the function and the option", () => {
  for (const [name, call, msg] of kindCases)
    assert.throws(call, (e: unknown) => e instanceof ValueError && msg.test((e as Error).message), name);
});

test("valid options keep working (hand-derived values)", () => {
  // a = [1, 2, 4, 8]: 4 goes before the 4 (left) or after it (right); method changes nothing.
  assert.deepEqual(np.searchsorted(a, np.array([4, 5]), { side: "right" }).tolist(), [3, 3]);
  assert.deepEqual(np.searchsorted(a, np.array([4, 5]), { side: "left", method: "compare_all" }).tolist(), [2, 3]);
  assert.deepEqual(
    np.searchsorted(np.array([8, 1, 4, 2]), 3, { sorter: np.array([1, 3, 2, 0], { dtype: "int32" }) }).tolist(),
    2,
  );
  // [1, 2] * [1, 1] = [1, 3, 2]; "same" keeps the centre 2 of 3.
  assert.deepEqual(np.convolve(np.array([1, 2]), np.array([1, 1]), { mode: "same" }).tolist(), [1, 3]);
  // vander: N positionally, as an option, or with increasing.
  assert.deepEqual(np.vander(np.array([2, 3]), 3).tolist(), [
    [4, 2, 1],
    [9, 3, 1],
  ]);
  assert.deepEqual(np.vander(np.array([2, 3]), { N: 3, increasing: true }).tolist(), [
    [1, 2, 4],
    [1, 3, 9],
  ]);
  assert.deepEqual(np.vander(np.array([2, 3]), null, { increasing: true }).tolist(), [
    [1, 2],
    [1, 3],
  ]);
  assert.throws(() => np.vander(np.array([2, 3]), 3, { N: 3 }), /np\.vander: got multiple values for 'N'/);
  // interp outside [1, 8] uses left/right.
  assert.deepEqual(
    np.interp(np.array([0, 3, 9]), a, np.array([10, 20, 40, 80]), { left: -1, right: -2 }).tolist(),
    [-1, 30, -2],
  );
  // cov of rows [1, 2, 3] and [2, 4, 7]: var 1, var 6.333…, cov 2.5 (ddof 1); with bias: /3 instead of /2.
  const c = np.cov(m, { bias: true }).tolist() as number[][];
  [
    [2 / 3, 5 / 3],
    [5 / 3, 38 / 9],
  ].forEach((row, i) => row.forEach((v, j) => assert.ok(Math.abs(c[i][j] - v) < 1e-6, `cov[${i}][${j}]`)));
  assert.deepEqual(np.fillDiagonal(np.zeros([2, 2]), 5, { inplace: false, wrap: false }).tolist(), [
    [5, 0],
    [0, 5],
  ]);
  // gradient of [1, 2, 4, 8] with edgeOrder 1: [1, 1.5, 3, 4].
  assert.deepEqual(one(np.gradient(a, { edgeOrder: 1, axis: 0 })).tolist(), [1, 1.5, 3, 4]);
  assert.deepEqual(one(np.gradient(a, 2)).tolist(), [0.5, 0.75, 1.5, 2]);
});
