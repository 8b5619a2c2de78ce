/**
 * Type-level tests of the transforms (checked by `npm run typecheck`, never run): each `expectType`
 * line fails to compile if a result type drifts, each `@ts-expect-error` line if a wrong use
 * starts to type-check.
 */
import {
  checkpoint,
  customVjp,
  grad,
  jit,
  jvp,
  lax,
  np,
  valueAndGrad,
  vjp,
  vmap,
  type JaxArray,
} from "../../src/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

declare const x: JaxArray;
declare const y: JaxArray;
type Params = { w: JaxArray; b: JaxArray };
declare const p: Params;

const loss = (w: JaxArray, xs: JaxArray, ys: JaxArray): JaxArray => np.sum(xs.mul(w).sub(ys));
const lossP = (q: Params, xs: JaxArray): JaxArray => np.sum(xs.mul(q.w).add(q.b));

// grad: the gradient is typed like the differentiated argument; argnums pick (negative from the end).
const g0 = grad(loss)(x, x, y);
expectType<Equal<typeof g0, JaxArray>>(true);
const gp = grad(lossP)(p, x);
expectType<Equal<typeof gp, Params>>(true);
const g1 = grad(lossP, { argnums: 1 })(p, x);
expectType<Equal<typeof g1, JaxArray>>(true);
const gl = grad(lossP, { argnums: [1, 0] })(p, x);
expectType<Equal<typeof gl, [JaxArray, Params]>>(true);
const gn = grad(lossP, { argnums: -2 })(p, x);
expectType<Equal<typeof gn, Params>>(true);
// hasAux: [grads, aux], the aux typed as returned.
const ga = grad((q: Params, xs: JaxArray) => [lossP(q, xs), { n: 3, y: xs }], { hasAux: true })(p, x);
expectType<Equal<typeof ga, [Params, { n: number; y: JaxArray }]>>(true);
// valueAndGrad: [value, grads] / [[value, aux], grads].
const vg = valueAndGrad(lossP)(p, x);
expectType<Equal<typeof vg, [JaxArray, Params]>>(true);
const vga = valueAndGrad((q: Params) => [np.sum(q.w), "tag"] as const, { hasAux: true })(p);
expectType<Equal<typeof vga, [[JaxArray, "tag"], Params]>>(true);
// Unannotated parameters are arrays; numbers are accepted where arrays are (grad(f)(1.5)).
const gg = grad(grad((s) => np.sin(s)))(1.5);
expectType<Equal<typeof gg, JaxArray>>(true);
// @ts-expect-error — grad's function must return a scalar, not a list
grad((a: JaxArray) => [np.sum(a), a]);
// @ts-expect-error — hasAux needs a [value, aux] pair
grad((a: JaxArray) => np.sum(a), { hasAux: true });
// @ts-expect-error — the gradient function takes f's parameters
grad(lossP)(x, x);

// jvp / vjp: outputs typed like f's output, cotangents like the arguments.
const [po, to] = jvp((a: JaxArray, q: Params) => a.mul(q.w), [x, p], [y, p]);
expectType<Equal<[typeof po, typeof to], [JaxArray, JaxArray]>>(true);
const [out, pullback] = vjp(lossP, p, x);
expectType<Equal<typeof out, JaxArray>>(true);
expectType<Equal<ReturnType<typeof pullback>, [q: Params, xs: JaxArray]>>(true);

// vmap / jit / checkpoint keep the function's signature.
const perExample = vmap(grad(loss), { inAxes: [null, 0, 0] });
expectType<Equal<ReturnType<typeof perExample>, JaxArray>>(true);
const jl = jit(lossP);
expectType<Equal<typeof jl, typeof lossP>>(true);
const dloss = jit(grad(loss));
expectType<Equal<ReturnType<typeof dloss>, JaxArray>>(true);
const ck = checkpoint(lossP);
expectType<Equal<typeof ck, (q: Params, xs: JaxArray) => JaxArray>>(true);
// @ts-expect-error — jit keeps the parameter types
jl(x, x);

// customVjp: bwd returns one cotangent per argument, typed like it.
const clip = customVjp((a: JaxArray) => a);
clip.defvjp(
  (a: JaxArray) => [a, null] as const,
  (_res, ct) => [ct],
);
// (Not reformatted: the expected error must stay on the line after its @ts-expect-error.)
// prettier-ignore
// @ts-expect-error — a cotangent must be an array (or null), not a string
clip.defvjp((a: JaxArray) => [a, null] as const, () => ["no"]);

// lax control flow: operands give the branch parameters their types.
const c = lax.cond(
  true,
  (a, q) => a.mul(q.w),
  (a, q) => a.add(q.b),
  x,
  p,
);
expectType<Equal<typeof c, JaxArray>>(true);
const [carry, ys] = lax.scan((h: JaxArray, xt: JaxArray) => [h.add(xt), h.mul(xt)], x, y);
expectType<Equal<[typeof carry, typeof ys], [JaxArray, JaxArray]>>(true);
// (Not reformatted: the expected error must stay on the line after its @ts-expect-error.)
// prettier-ignore
// @ts-expect-error — cond's operands must match the branches' parameters
lax.cond(true, (a: JaxArray) => a, (a: JaxArray) => a, p);
