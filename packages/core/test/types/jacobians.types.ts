/**
 * Type-level tests of jacfwd / jacrev / hessian (checked by `npm run typecheck`, never run): the
 * Jacobian has the output's structure with the differentiated inputs' structure at each leaf,
 * typed from `f` and `argnums` / `hasAux` as `grad` is. Runtime values: test/jacobians.test.ts.
 */
import { hessian, jacfwd, jacrev, jit, np, vmap, type JaxArray } from "../../src/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

declare const x: JaxArray;
type Params = { w: JaxArray; b: JaxArray };
declare const p: Params;

const vec = (v: JaxArray): JaxArray => np.sin(v);
const model = (q: Params, xs: JaxArray): JaxArray => xs.mul(q.w).add(q.b);
const twoOut = (q: Params, xs: JaxArray) => ({ y: model(q, xs), n: np.sum(xs) });

// An array in, an array out: an array (blocks [...out, ...in]).
const j0 = jacfwd(vec)(x);
expectType<Equal<typeof j0, JaxArray>>(true);
const j1 = jacrev(vec)(x);
expectType<Equal<typeof j1, JaxArray>>(true);
// A pytree argument: the Jacobian is typed like it (JAX's dict-of-blocks).
const jp = jacrev(model)(p, x);
expectType<Equal<typeof jp, Params>>(true);
// argnums picks the argument (negative from the end); a list gives a tuple per output leaf.
const jx = jacfwd(model, { argnums: 1 })(p, x);
expectType<Equal<typeof jx, JaxArray>>(true);
const jn = jacfwd(model, { argnums: -1 })(p, x);
expectType<Equal<typeof jn, JaxArray>>(true);
const jl = jacrev(model, { argnums: [1, 0] })(p, x);
expectType<Equal<typeof jl, [JaxArray, Params]>>(true);
// A pytree output: its structure, each leaf holding the inputs' structure.
const jt = jacrev(twoOut)(p, x);
expectType<Equal<typeof jt, { y: Params; n: Params }>>(true);
const jtl = jacfwd(twoOut, { argnums: [0, 1] })(p, x);
expectType<Equal<typeof jtl, { y: [Params, JaxArray]; n: [Params, JaxArray] }>>(true);
// A returned tuple stays a tuple.
const jtu = jacfwd((v: JaxArray) => [np.sin(v), np.cos(v)])(x);
expectType<Equal<typeof jtu, [JaxArray, JaxArray]>>(true);
// hasAux: [jacobian, aux].
const ja = jacrev((v: JaxArray) => [np.sin(v), { c: np.cos(v), tag: "t" as const }], { hasAux: true })(x);
expectType<Equal<typeof ja, [JaxArray, { c: JaxArray; tag: "t" }]>>(true);
// Numbers are accepted where arrays are; unannotated parameters are arrays.
const jnum = jacfwd((s) => np.exp(s))(1.5);
expectType<Equal<typeof jnum, JaxArray>>(true);

// hessian: the inputs' structure twice.
const loss = (q: Params, xs: JaxArray): JaxArray => np.sum(model(q, xs));
const h0 = hessian((v: JaxArray) => np.sum(v.mul(v)))(x);
expectType<Equal<typeof h0, JaxArray>>(true);
const hp = hessian(loss)(p, x);
expectType<Equal<typeof hp, { w: Params; b: Params }>>(true);
const hl = hessian(loss, { argnums: [0, 1] })(p, x);
// (JAX's nesting: the outer level is jacrev's [dParams, dx], each of its leaves holding [Params, x].)
expectType<Equal<typeof hl, [{ w: [Params, JaxArray]; b: [Params, JaxArray] }, [Params, JaxArray]]>>(true);
const ha = hessian((v: JaxArray) => [np.sum(v), v] as const, { hasAux: true })(x);
expectType<Equal<typeof ha, [JaxArray, JaxArray]>>(true);

// They compose with jit and vmap without casts.
const perRow = vmap(jacrev(vec));
expectType<Equal<ReturnType<typeof perRow>, JaxArray>>(true);
const jj = jit(jacfwd(model));
expectType<Equal<ReturnType<typeof jj>, Params>>(true);

// @ts-expect-error — the Jacobian function takes f's parameters
jacfwd(model)(x, x);
// @ts-expect-error — hasAux needs a [value, aux] pair
jacrev((v: JaxArray) => np.sin(v), { hasAux: true });
// @ts-expect-error — a Params Jacobian has no field 'c'
void jacrev(model)(p, x).c;
