/**
 * All primitive families. Importing this module defines every primitive and installs the
 * few hooks the transform machinery needs (zeros for symbolic-zero instantiation, cotangent add).
 */
import { ShapedArray } from "../core/aval.ts";
import { installZeros } from "../transforms/zeros.ts";
import { installAddAny } from "../transforms/transpose.ts";
import { add, fullLike } from "./elementwise.ts";

export * from "./elementwise.ts";
export * from "./complex.ts";
export * from "./convert.ts";
export * from "./shape-ops.ts";
export * from "./reduce.ts";
export * from "./control/jit.ts";

installZeros((aval: ShapedArray) => fullLike(aval.strong(), 0));
installAddAny(add);
