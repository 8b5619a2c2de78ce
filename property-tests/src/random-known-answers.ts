/**
 * JAX's known answers for the `random` namespace (testdata/random/jax-known-answers.json, checked
 * bit for bit against JAX 0.11.2 on CPU — see testdata/random/README.md), and the table of every
 * known-answer quantity, shared by the CPU suite and the WebGPU suite.
 */
import { existsSync, readFileSync } from "node:fs";
import { random, np, type Array } from "linax-ts";

export type Json = Record<string, unknown>;

/** The repository's testdata folder: the nearest one above this module (also from a bundle elsewhere in the tree). */
function testdataFile(rel: string): URL {
  for (let dir = new URL(".", import.meta.url); dir.pathname !== "/"; dir = new URL("..", dir)) {
    const candidate = new URL(`testdata/${rel}`, dir);
    if (existsSync(candidate)) return candidate;
  }
  throw new Error(`testdata/${rel} not found above ${import.meta.url}`);
}
const data = JSON.parse(readFileSync(testdataFile("random/jax-known-answers.json"), "utf8")) as Json;
const inputs = data.inputs as Record<string, number[]>;

export const MODES = [
  ["partitionable", true],
  ["legacy", false],
] as const;
export const SEEDS = ["0", "1", "42"] as const;

/** A JSON value (nested lists, booleans as 0/1) as a flat list of numbers. */
export const flatJson = (v: unknown): number[] =>
  globalThis.Array.isArray(v) ? v.flatMap(flatJson) : [typeof v === "boolean" ? (v ? 1 : 0) : (v as number)];
export const entry = (mode: string, seed: string): Json => (data[mode] as Json)[seed] as Json;
export const extra = (mode: string, seed: string): Json => entry(mode, seed).extra as Json;

/**
 * Every known-answer quantity as a function of a raw key, for one stream. Each returns one array
 * and the JSON value it must equal. Constant inputs are made inside each function, so they live on
 * whatever backend is the default when it is called.
 */
export function cases(partitionable: boolean): [string, (k: Array) => Array, (e: Json, x: Json) => unknown][] {
  const o = { partitionable };
  const logits = (): Array => np.reshape(np.array(inputs.categorical_logits_2x3), [2, 3]);
  const p = (): Array => np.array(inputs.choice_p);
  return [
    ["split", (k) => random.split(k, 2, o), (e) => e.split],
    ["split3", (k) => random.split(k, 3, o), (e) => e.split3],
    ["foldIn7", (k) => random.foldIn(k, 7), (e) => e.foldIn7],
    ["bits_2x3", (k) => random.bits(k, [2, 3], o), (e) => e.bits_2x3],
    ["uniform_5", (k) => random.uniform(k, [5], o), (e) => e.uniform_5],
    ["normal_5", (k) => random.normal(k, [5], o), (e) => e.normal_5],
    ["randint_6_0_10", (k) => random.randint(k, [6], 0, 10, o), (e) => e.randint_6_0_10],
    ["bernoulli_8_p0_3", (k) => random.bernoulli(k, 0.3, [8], o), (e) => e.bernoulli_8_p0_3],
    ["bits8_7", (k) => random.bits(k, [7], { ...o, bitWidth: 8 }), (_e, x) => x.bits8_7],
    ["bits16_5", (k) => random.bits(k, [5], { ...o, bitWidth: 16 }), (_e, x) => x.bits16_5],
    ["truncatedNormal", (k) => random.truncatedNormal(k, -1.5, 2, [5], o), (_e, x) => x.truncatedNormal_5_m1_5_2],
    ["gumbel_5", (k) => random.gumbel(k, [5], o), (_e, x) => x.gumbel_5],
    ["exponential_5", (k) => random.exponential(k, [5], o), (_e, x) => x.exponential_5],
    ["categorical_4x2", (k) => random.categorical(k, logits(), { ...o, shape: [4, 2] }), (_e, x) => x.categorical_4x2],
    ["permutation_10", (k) => random.permutation(k, 10, o), (_e, x) => x.permutation_10],
    ["choice_10_4", (k) => random.choice(k, 10, { ...o, shape: [4] }), (_e, x) => x.choice_10_4],
    [
      "choice_10_4_noreplace",
      (k) => random.choice(k, 10, { ...o, shape: [4], replace: false }),
      (_e, x) => x.choice_10_4_noreplace,
    ],
    ["choice_5_6_p", (k) => random.choice(k, 5, { ...o, shape: [6], p: p() }), (_e, x) => x.choice_5_6_p],
    [
      "choice_5_3_p_noreplace",
      (k) => random.choice(k, 5, { ...o, shape: [3], replace: false, p: p() }),
      (_e, x) => x.choice_5_3_p_noreplace,
    ],
  ];
}
