/** Test helpers: host (float64) finite differences for gradient checks. */
import { np, type Array } from "linax-ts";

const JsArray = globalThis.Array;

/** Central finite-difference gradient of a scalar function of one array, in float64 on the host. */
export function finiteDiffGrad(f: (x: Array) => Array, x: Array, eps = 1e-3): number[] {
  const base = JsArray.from(x.dataSync() as Float32Array);
  return base.map((_: number, i: number) => {
    const plus = base.slice();
    const minus = base.slice();
    plus[i] += eps;
    minus[i] -= eps;
    const fp = f(np.array(plus).reshape([...x.shape])).item();
    const fm = f(np.array(minus).reshape([...x.shape])).item();
    return (fp - fm) / (2 * eps);
  });
}

/** Plain numbers of an array. */
export const nums = (x: Array): number[] => JsArray.from(x.dataSync() as ArrayLike<number>);
