/**
 * linax-ts demo: fit y = 3x − 2 with gradient descent, using grad + jit on plain functions.
 * (The full S5/LinOSS training demo replaces this once the ssm package lands.)
 * Run: npm ci && npm run demo
 */
import { np, grad, jit, makeJaxpr, type Array } from "linax-ts";

const xs = np.array([-2, -1, 0, 1, 2, 3]);
const ys = np.array([-8, -5, -2, 1, 4, 7]);

type Params = { w: Array; b: Array };
const loss = (p: Params, x: Array, y: Array): Array => {
  const err = x.mul(p.w).add(p.b).sub(y);
  return np.sum(err.mul(err)).div(x.size);
};

const step = jit((p: Params, x: Array, y: Array): Params => {
  const g = grad(loss)(p, x, y) as Params;
  return { w: p.w.sub(g.w.mul(0.05)), b: p.b.sub(g.b.mul(0.05)) };
});

let params: Params = { w: np.array(0), b: np.array(0) };
console.log("jaxpr of the loss:\n" + String(makeJaxpr(loss)(params, xs, ys)));
for (let i = 0; i <= 200; i++) {
  if (i % 50 === 0) console.log(`step ${String(i).padStart(3)}  loss ${(loss(params, xs, ys).item() as number).toFixed(6)}`);
  params = step(params, xs, ys);
}
console.log(`fitted w = ${(params.w.item() as number).toFixed(4)} (true 3), b = ${(params.b.item() as number).toFixed(4)} (true -2)`);
