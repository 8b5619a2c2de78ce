/**
 * The generic transform properties (specs/run.ts) over the structural op specs: broadcasting,
 * reshapes, transposes, sums, slices, padding, concatenation, reversal, iota and dynamic slices.
 */
import { runSpecs } from "./specs/run.ts";
import { STRUCTURAL_SPECS } from "./specs/structural.ts";

runSpecs(STRUCTURAL_SPECS);
