/** Every WGSL kernel family registers itself on import (one file per primitive family, as in core). */
import "./elementwise.ts";
import "./elementwise-math.ts";
import "./elementwise-special.ts";
import "./elementwise-logic.ts";
import "./convert.ts";
import "./shape.ts";
import "./shape-slicing.ts";
import "./indexing.ts";
import "./reduce.ts";
import "./cumulative.ts";
import "./dot.ts";
import "./conv.ts";
import "./sort.ts";
import "./random.ts";
import "./fft.ts";
import "./linalg.ts";
