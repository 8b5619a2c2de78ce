/**
 * The op-spec table covers every primitive: each primitive of `listPrimitives()` is exercised by
 * some spec (a spec's claimed primitives must really occur in the jaxpr of its function, or of its
 * linearization) or is allow-listed with the property file that covers it. A newly added primitive
 * fails here until it gets a spec. Also: every dtype a primitive accepts is covered by a spec of
 * that dtype (probed through the primitive's own abstractEval on the spec's equations).
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { dirname, join } from "node:path";
import fc from "fast-check";
import { listPrimitives, makeJaxpr, linearize, ShapedArray, type Array, type DType, type JaxprEqn } from "linax-ts";
import { ALL_SPECS, TESTED_ELSEWHERE } from "./specs/all.ts";
import { allEqns } from "./specs/jaxpr-walk.ts";
import { ALL_DTYPES, inexactArgs, type AnySpec } from "./specs/types.ts";

const here = dirname(fileURLToPath(import.meta.url));

/**
 * The equations a spec's cases exercise: its function's jaxpr, and (differentiable specs) its
 * linearization's. Sample cases (deterministically) until every claimed primitive has shown up,
 * up to 30: some configs are no-ops that bind nothing (an identity transpose, an empty axis list).
 */
function specEqns(s: AnySpec): JaxprEqn[] {
  const cases = fc.sample(
    s.config.chain((c) => s.args(c).map((args) => ({ c, args }))),
    { numRuns: 30, seed: 42 },
  );
  const eqns: JaxprEqn[] = [];
  for (const { c, args } of cases) {
    eqns.push(...caseEqns(s, c, args));
    const seen = new Set(eqns.map((e) => e.prim.name));
    if (s.prims.every((p) => seen.has(p))) break;
  }
  return eqns;
}

function caseEqns(s: AnySpec, c: unknown, args: Array[]): JaxprEqn[] {
  const f = s.fn(c);
  const eqns = allEqns(makeJaxpr(f)(...args));
  if (s.diff !== undefined && (s.modes ?? ["rev"]).includes("rev")) {
    const idx = s.diffArgs ? s.diffArgs(c) : inexactArgs(args);
    const g = (...xs: Array[]) => {
      const full = [...args];
      idx.forEach((i, k) => (full[i] = xs[k]));
      return f(...full);
    };
    const xs = idx.map((i) => args[i]);
    // The linear part of reverse mode (customLin only ever appears there).
    eqns.push(...allEqns(makeJaxpr((...ts: Array[]) => linearize(g, ...xs)[1](...ts))(...xs)));
  }
  return eqns;
}

const eqnsBySpec = new Map<AnySpec, JaxprEqn[]>(ALL_SPECS.map((s) => [s, specEqns(s)]));

test("spec names are unique", () => {
  const seen = new Set<string>();
  const dup = ALL_SPECS.filter((s) => (seen.has(s.name) ? true : (seen.add(s.name), false))).map((s) => s.name);
  assert.deepEqual(dup, []);
});

test("every spec exercises the primitives it claims (they occur in its jaxpr)", () => {
  const wrong: string[] = [];
  for (const s of ALL_SPECS) {
    const names = new Set((eqnsBySpec.get(s) ?? []).map((e) => e.prim.name));
    for (const p of s.prims) if (!names.has(p)) wrong.push(`${s.name} claims ${p}`);
  }
  assert.deepEqual(wrong, [], `specs whose jaxpr lacks a claimed primitive: ${wrong.join("; ")}`);
});

test("every primitive of listPrimitives() is covered by the op-spec table or allow-listed with its test file", () => {
  const covered = new Set(ALL_SPECS.flatMap((s) => s.prims));
  const missing = listPrimitives()
    .map((p) => p.name)
    .filter((n) => !covered.has(n) && !(n in TESTED_ELSEWHERE));
  assert.deepEqual(
    missing,
    [],
    `primitives without an op spec (add one to property-tests/test/specs/, or to TESTED_ELSEWHERE with the covering file): ${missing.join(", ")}`,
  );
  for (const [name, { file }] of Object.entries(TESTED_ELSEWHERE)) {
    assert.ok(existsSync(join(here, file)), `${name} is allow-listed as covered by ${file}, which does not exist`);
  }
});

/**
 * Higher-order primitives whose operand types are those of the user function they carry: their
 * abstractEval returns the body's output types without re-checking the operands against the
 * body, so the probe would "accept" anything. Their dtype behaviour is the body's.
 */
const BODY_TYPED: Readonly<Record<string, true>> = { customJvpCall: true, customVjpCall: true, customLin: true };

test("every dtype a primitive accepts is covered by a spec of that dtype", () => {
  // Probe: re-run the primitive's abstractEval on the spec's own equations with the spec's dtype
  // swapped for each other dtype; acceptance of a dtype that no spec covers is a coverage gap.
  const coveredDTypes = new Map<string, Set<DType>>();
  for (const s of ALL_SPECS)
    for (const p of s.prims) coveredDTypes.set(p, new Set([...(coveredDTypes.get(p) ?? []), s.dtype]));
  const gaps = new Set<string>();
  for (const s of ALL_SPECS) {
    for (const e of eqnsBySpec.get(s) ?? []) {
      if (!s.prims.includes(e.prim.name) || e.prim.name in BODY_TYPED) continue;
      const avals = e.inputs.map((a) => a.aval);
      if (!avals.some((a) => a.dtype === s.dtype)) continue;
      for (const d of ALL_DTYPES) {
        if (coveredDTypes.get(e.prim.name)?.has(d)) continue;
        const swapped = avals.map((a) => (a.dtype === s.dtype ? new ShapedArray(a.shape, d) : a));
        let accepted = true;
        try {
          e.prim.rules.abstractEval(swapped, e.params as never);
        } catch {
          accepted = false;
        }
        if (accepted) gaps.add(`${e.prim.name} accepts ${d} (probed from spec ${s.name})`);
      }
    }
  }
  assert.deepEqual([...gaps], [], `dtypes accepted but never tested: ${[...gaps].join("; ")}`);
});
