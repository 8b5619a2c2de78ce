/**
 * The generic transform properties (specs/run.ts) over the higher-order primitives (jit, scan,
 * cond, while, associativeScan, remat, custom derivatives, stopGradient) and threefry2x32.
 */
import { runSpecs } from "./specs/run.ts";
import { CONTROL_SPECS } from "./specs/control.ts";

runSpecs(CONTROL_SPECS);
