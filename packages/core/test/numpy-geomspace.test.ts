// np.geomspace across signs and with complex endpoints: values against numpy
// (testdata/numpy/geomspace/, generate.py there), exact endpoints, the spiral's branch side, and
// errors (a zero endpoint, real endpoints of opposite signs, non-scalar or traced endpoints).
import { test } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { np, lax, jit, ValueError, type Array, type DType } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

const REF = JSON.parse(
  readFileSync(fileURLToPath(new URL("../../../testdata/numpy/geomspace/geomspace.json", import.meta.url)), "utf8"),
);
interface Enc {
  complex: boolean;
  data: number | number[];
}
const endpointOf = (e: Enc): number | Array =>
  e.complex ? lax.complex(np.array((e.data as number[])[0]), np.array((e.data as number[])[1])) : (e.data as number);

test("geomspace matches numpy: negative, descending, no endpoint, integer, complex spirals", () => {
  for (const name of Object.keys(REF).filter((k) => k !== "numpy")) {
    const c = REF[name];
    const opts: { endpoint: boolean; dtype?: DType } = { endpoint: c.endpoint };
    if (c.dtype !== null) opts.dtype = c.dtype;
    const got = np.geomspace(endpointOf(c.start), endpointOf(c.stop), c.num, opts);
    const wantDType = c.dtype ?? (c.want.complex ? "complex64" : "float32");
    assert.equal(got.dtype, wantDType, name);
    assert.deepEqual(got.shape, [c.num], name);
    // Integer results are numpy's truncations, exactly; floats to float32 rounding (and complex
    // parts that numpy computes as ~1e-16 against the magnitude).
    if (wantDType === "int32") assert.deepEqual(got.tolist(), c.want.data, name);
    else assertClose(got, c.want.data, { rtol: 2e-6, atol: 2e-6 });
  }
});

test("geomspace: the endpoints are exact and the example of the brief holds", () => {
  assert.deepEqual(np.geomspace(-1000, -1, 4).tolist(), [-1000, -100, -10, -1]);
  const x = np.geomspace(-3, -48, 5).tolist() as number[];
  assert.equal(x[0], -3);
  assert.equal(x[4], -48);
  assert.deepEqual(x, [-3, -6, -12, -24, -48]);
  // Complex: start and stop come back bit for bit (numpy sets them after the exp/log round trip).
  const z = np
    .geomspace(lax.complex(np.array(1), np.array(1)), lax.complex(np.array(-8), np.array(-8)), 4)
    .tolist() as number[][];
  assert.deepEqual(z[0], [1, 1]);
  assert.deepEqual(z[3], [-8, -8]);
  // Real endpoints with a complex dtype: numpy's circle through +i, |z| = 1 throughout.
  const c = np.geomspace(-1, 1, 5, { dtype: "complex64" });
  assertClose(np.abs(c), [1, 1, 1, 1, 1], { rtol: 1e-6 });
  assertClose(c.get(2), [0, 1], { atol: 1e-7 });
  // Empty and one-sample ranges.
  assert.deepEqual(np.geomspace(2, 8, 0).shape, [0]);
  assert.deepEqual(np.geomspace(2, 8, 1).tolist(), [2]);
  assert.deepEqual(np.geomspace(-2, -8, 1, { endpoint: false }).tolist(), [-2]);
  // Half dtypes round once from the float64 progression.
  assert.deepEqual(
    np.geomspace(1, 1024, 11, { dtype: "float16" }).tolist(),
    [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024],
  );
});

test("geomspace: errors name the argument", () => {
  assert.throws(
    () => np.geomspace(0, 1, 3),
    (e: Error) => e instanceof ValueError && /cannot include zero/.test(e.message),
  );
  assert.throws(() => np.geomspace(-1, 0, 3), /cannot include zero/);
  assert.throws(() => np.geomspace(lax.complex(np.array(0), np.array(0)), 1, 3), /cannot include zero/);
  assert.throws(
    () => np.geomspace(-1, 1, 3),
    /real start and stop must have the same sign; got -1, 1 \(pass \{ dtype: "complex64" \}/,
  );
  assert.throws(
    () => np.geomspace(lax.complex(np.array(1), np.array(1)), 2, 3, { dtype: "float32" }),
    /complex endpoints need a complex dtype; got dtype float32/,
  );
  assert.throws(
    () => np.geomspace(np.array([1, 2]), 4, 3),
    /start must be a number or a 0-d array; got an array of shape \[2\]/,
  );
  assert.throws(() => np.geomspace(1, "8" as never, 3), /stop must be a number or a 0-d array; got string/);
  assert.throws(() => np.geomspace(1, 8, 2.5), /num must be a non-negative integer/);
  // Under jit an endpoint is a tracer: a concretization error, not a wrong answer.
  assert.throws(() => jit((s: Array) => np.geomspace(s, 8, 3))(np.array(1)), /item\(\)|concret/i);
});
