/**
 * Kernels of the special functions (primitives in core's primitives/elementwise-special.ts):
 * erf and erfInv reproduce XLA's float32 algorithms bit for bit; the others are float64
 * implementations rounded once to float32. Host functions are in special.ts.
 */
import { unaryKernel } from "./elementwise.ts";
import { clogistic } from "./elementwise-complex.ts";
import { digamma64, erfF32, erfInvF32, erfc64, lgamma64, polygamma64 } from "./special.ts";

/** 1/(1+e^-x), in the form that cannot overflow for either sign of x. */
function logistic(x: number): number {
  if (x >= 0) return 1 / (1 + Math.exp(-x));
  const e = Math.exp(x);
  return e / (1 + e);
}

unaryKernel("logistic", logistic, clogistic);
unaryKernel("erf", erfF32);
unaryKernel("erfc", erfc64);
unaryKernel("erfInv", (x) => erfInvF32(x));
unaryKernel("lgamma", lgamma64);
unaryKernel("digamma", digamma64);
unaryKernel("polygamma", (x, _dt, p) => polygamma64(p.m as number, x));
