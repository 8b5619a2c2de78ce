/**
 * WGSL kernels of the special functions (core's primitives/elementwise-special.ts) and of `fma`
 * (core's primitives/random-prims.ts; its CPU kernel lives in backend-cpu's kernels/random.ts).
 * erf and erfInv are XLA's float32 algorithms, ported operation for operation (wgsl-math-xla.ts),
 * as the CPU kernels are — JAX's samplers depend on them bit for bit. erfc, lgamma, digamma and
 * polygamma are float32 algorithms (wgsl-math-special.ts) a few ulp from the CPU's float64 ones.
 */
import { registerKernel } from "../registry.ts";
import { simpleProgram } from "../program.ts";
import { registerElementwiseExpr, tableKernel } from "./elementwise.ts";
import { WGSL_MATH_ALL } from "./elementwise-math.ts";
import { WGSL_MATH_SPECIAL, wgslPolygamma } from "./wgsl-math-special.ts";

const PRELUDE = WGSL_MATH_ALL + WGSL_MATH_SPECIAL;

tableKernel("logistic", { float32: (x) => `logisticF32(${x[0]})`, complex64: (x) => `clogisticC(${x[0]})` }, PRELUDE);
tableKernel("erf", { float32: (x) => `xlaErf(${x[0]})` }, PRELUDE);
tableKernel("erfc", { float32: (x) => `erfcF32(${x[0]})` }, PRELUDE);
tableKernel("erfInv", { float32: (x) => `xlaErfInv(${x[0]})` }, PRELUDE);
tableKernel("lgamma", { float32: (x) => `lgammaF32(${x[0]})` }, PRELUDE);
tableKernel("digamma", { float32: (x) => `digammaF32(${x[0]})` }, PRELUDE);

// polygamma's order m is static: m = 0 is digamma, m >= 1 a module specialised to m.
registerElementwiseExpr("polygamma", {
  expr: (x, [a], _o, params) =>
    a.dtype !== "float32" ? undefined : `${(params.m as number) === 0 ? "digammaF32" : "polygammaF32"}(${x[0]})`,
  prelude: (params) => PRELUDE + ((params.m as number) === 0 ? "" : wgslPolygamma(params.m as number)),
});
registerKernel("polygamma", (inAvals, [outAval], params) => {
  const m = params.m as number;
  if (inAvals[0].dtype !== "float32") return undefined;
  const load = inAvals[0].size === 1 && outAval.size !== 1 ? "in0[0]" : "in0[i]";
  const prelude = PRELUDE + (m === 0 ? "" : wgslPolygamma(m));
  const fn = m === 0 ? "digammaF32" : "polygammaF32";
  return simpleProgram(
    [
      { name: "in0", slot: { in: 0 }, type: "float32" },
      { name: "out", slot: { out: 0 }, type: "float32", write: true },
    ],
    outAval.size,
    `  out[i] = ${fn}(${load});`,
    prelude,
  );
});

/**
 * fma(x, y, z) = x·y + z rounded once: `fmaE` (wgsl-math-xla.ts), not WGSL's `fma`, which need
 * not be fused (SwiftShader's rounds twice).
 */
tableKernel("fma", { float32: (x) => `fmaE(${x[0]}, ${x[1]}, ${x[2]})` }, WGSL_MATH_ALL);
