/**
 * Every op-spec table, and the primitives the table deliberately leaves to dedicated property
 * files (each names the file that covers it; primitives-coverage.test.ts checks the file exists).
 */
import type { AnySpec } from "./types.ts";
import { UNARY_SPECS } from "./elementwise-unary.ts";
import { BINARY_SPECS } from "./elementwise-binary.ts";
import { STRUCTURAL_SPECS } from "./structural.ts";
import { REDUCE_SPECS } from "./reduce.ts";
import { INDEXING_SPECS } from "./indexing.ts";
import { LINALG_SPECS } from "./linalg.ts";
import { CONTROL_SPECS } from "./control.ts";

export const ALL_SPECS: readonly AnySpec[] = [
  ...UNARY_SPECS,
  ...BINARY_SPECS,
  ...STRUCTURAL_SPECS,
  ...REDUCE_SPECS,
  ...INDEXING_SPECS,
  ...LINALG_SPECS,
  ...CONTROL_SPECS,
];

/**
 * Primitives covered outside the table, with the file and the reason. The named-axis collectives
 * are defined by the vmapped axis itself, so "vmap == stacked loop" cannot be stated for them;
 * their file checks vmap against host reductions, jit inside/outside the vmap, and grads.
 */
export const TESTED_ELSEWHERE: Readonly<Record<string, { file: string; why: string }>> = {
  psum: {
    file: "primitives-collectives.property.test.ts",
    why: "named-axis collective (meaning defined by the vmapped axis)",
  },
  pmax: {
    file: "primitives-collectives.property.test.ts",
    why: "named-axis collective (meaning defined by the vmapped axis)",
  },
  pmin: {
    file: "primitives-collectives.property.test.ts",
    why: "named-axis collective (meaning defined by the vmapped axis)",
  },
  axisIndex: { file: "primitives-collectives.property.test.ts", why: "named-axis collective without operands" },
};
