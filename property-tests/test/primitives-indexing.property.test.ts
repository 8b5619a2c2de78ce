/**
 * The generic transform properties (specs/run.ts) over the gather/scatter specs.
 */
import { runSpecs } from "./specs/run.ts";
import { INDEXING_SPECS } from "./specs/indexing.ts";

runSpecs(INDEXING_SPECS);
