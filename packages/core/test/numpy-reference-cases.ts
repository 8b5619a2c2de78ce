/**
 * numpy reference cases for the np statistics / search / set / math / building tests:
 * testdata/numpy/reference.json, written by scripts/testdata/gen_numpy_functions.py (numpy 2.4.6,
 * float64 math on float32-rounded inputs; the tests never run python).
 */
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import assert from "node:assert/strict";
import { np, type Array, type DType } from "linax-ts";
import { assertClose } from "@linax-ts/testing";

interface Enc {
  shape: number[];
  dtype: DType;
  data: (number | string)[];
}
interface Case {
  in: Record<string, Enc>;
  out: Enc | Enc[];
}

const path = fileURLToPath(new URL("../../../testdata/numpy/reference.json", import.meta.url));
const cases = (JSON.parse(readFileSync(path, "utf8")) as { cases: Record<string, Case> }).cases;

const numOf = (v: number | string): number =>
  v === "nan" ? NaN : v === "inf" ? Infinity : v === "-inf" ? -Infinity : (v as number);

/** An Array from its encoding (complex interleaved; NaN/inf as strings). */
export function dec(e: Enc): Array {
  const data = e.data.map(numOf);
  if (e.dtype === "complex64") return np.array(new Float32Array(data), { dtype: "complex64" }).reshape([...e.shape]);
  if (e.dtype === "bool") return np.array(data.map((v) => v !== 0)).reshape([...e.shape]);
  return np.array(data, { dtype: e.dtype }).reshape([...e.shape]);
}

/** The decoded inputs of case `name`. */
export function inputs(name: string): Record<string, Array> {
  const c = cases[name];
  assert.ok(c !== undefined, `no reference case '${name}' (regenerate testdata/numpy/reference.json)`);
  return Object.fromEntries(Object.entries(c.in).map(([k, v]) => [k, dec(v)]));
}

/** The expected outputs of case `name` (a list for tuple results). */
export function expected(name: string): Enc | Enc[] {
  return cases[name].out;
}

/** All case names starting with `prefix`. */
export function caseNames(prefix: string): string[] {
  return Object.keys(cases).filter((k) => k.startsWith(prefix));
}

/**
 * `got` (an array or a list of arrays) matches case `name`'s reference: shapes, values within
 * tolerance, and integer/bool results exactly (dtype int32/bool as numpy's intp/bool).
 */
export function checkCase(
  name: string,
  got: Array | readonly Array[],
  tol: { rtol?: number; atol?: number } = {},
): void {
  const want = expected(name);
  const gs = globalThis.Array.isArray(got) ? (got as readonly Array[]) : [got as Array];
  const ws = globalThis.Array.isArray(want) ? want : [want];
  assert.equal(gs.length, ws.length, `${name}: ${gs.length} outputs, want ${ws.length}`);
  gs.forEach((g, i) => {
    const w = ws[i];
    const where = `${name}, output ${i}`;
    assert.deepEqual([...g.shape], w.shape, `${where}: shape [${g.shape}], want [${w.shape}]`);
    if (w.dtype === "int32" || w.dtype === "bool") {
      assert.equal(g.dtype, w.dtype, `${where}: dtype ${g.dtype}, want ${w.dtype}`);
      assert.deepEqual(globalThis.Array.from(g.dataSync() as ArrayLike<number>), w.data, `${where}: values`);
      return;
    }
    try {
      assertClose(g, w.data.map(numOf), { rtol: tol.rtol ?? 2e-6, atol: tol.atol ?? 2e-6 });
    } catch (e) {
      assert.fail(`${where}: ${(e as Error).message}`);
    }
  });
}
