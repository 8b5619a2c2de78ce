/**
 * The generic transform properties (specs/run.ts) over the contraction, decomposition,
 * triangular-solve and fft specs.
 */
import { runSpecs } from "./specs/run.ts";
import { LINALG_SPECS } from "./specs/linalg.ts";

runSpecs(LINALG_SPECS);
