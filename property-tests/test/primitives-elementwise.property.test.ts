/**
 * The generic transform properties (specs/run.ts) over the elementwise op specs: every unary,
 * binary and n-ary elementwise primitive in every dtype it supports, and the dtype conversions.
 */
import { runSpecs } from "./specs/run.ts";
import { UNARY_SPECS } from "./specs/elementwise-unary.ts";
import { BINARY_SPECS } from "./specs/elementwise-binary.ts";

runSpecs([...UNARY_SPECS, ...BINARY_SPECS]);
