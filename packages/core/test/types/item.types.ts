/**
 * Type-level tests of the scalar reads (checked by `npm run typecheck`, never run): `item()` is a
 * number, `itemBool()` a boolean, `itemComplex()` a `[re, im]` pair, and their async forms
 * promises of the same; the runtime dtype checks are in test/item-typed.test.ts.
 */
import { np, type JaxArray } from "../../src/index.ts";

type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B ? 1 : 2 ? true : false;
function expectType<T extends true>(_ok: T): void {}

declare const x: JaxArray;

const n = x.item();
expectType<Equal<typeof n, number>>(true);
const b = x.itemBool();
expectType<Equal<typeof b, boolean>>(true);
const z = x.itemComplex();
expectType<Equal<typeof z, [number, number]>>(true);
expectType<Equal<ReturnType<JaxArray["itemAsync"]>, Promise<number>>>(true);
expectType<Equal<ReturnType<JaxArray["itemBoolAsync"]>, Promise<boolean>>>(true);
expectType<Equal<ReturnType<JaxArray["itemComplexAsync"]>, Promise<[number, number]>>>(true);

// Arithmetic on item() needs no cast (it was `number | boolean | [number, number]`).
const loss: number = np.sum(x).item() * 2 + 1;
void loss;
// @ts-expect-error — item() is not a boolean: use itemBool() for bool arrays
const flag: boolean = x.item();
void flag;
// @ts-expect-error — item() is not a complex pair: use itemComplex()
const [re, im] = x.item();
void [re, im];
