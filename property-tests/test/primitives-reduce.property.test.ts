/**
 * The generic transform properties (specs/run.ts) over the reduction, cumulative and sort specs.
 */
import { runSpecs } from "./specs/run.ts";
import { REDUCE_SPECS } from "./specs/reduce.ts";

runSpecs(REDUCE_SPECS);
