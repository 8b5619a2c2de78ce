/**
 * Scalar math routines as functions inside a generated module: a routine is defined on first
 * use (after the routines it calls), once per module, and called by index from kernels like an
 * import — but it runs in WebAssembly, on any thread.
 */
import { InternalError } from "@linax-ts/core";
import type { ModuleBuilder } from "../emitter.ts";
import { Body, type Ty } from "./scalar-dsl.ts";

/** A routine: its signature, and its body written with `b` (`fn(name)` is the index of another routine). */
export interface LibDef {
  readonly params: readonly Ty[];
  readonly result: Ty;
  readonly deps?: readonly string[];
  build(b: Body, fn: (name: string) => number): void;
}

/** The routines defined so far in one module. */
export class Library {
  readonly #index = new Map<string, number>();
  constructor(
    readonly mb: ModuleBuilder,
    readonly defs: Readonly<Record<string, LibDef>>,
  ) {}

  /** The function index of routine `name`, defining it (and what it calls) on first use. */
  index(name: string): number {
    const known = this.#index.get(name);
    if (known !== undefined) return known;
    const def = this.defs[name];
    if (def === undefined) throw new InternalError(`libm: no routine '${name}'`);
    for (const d of def.deps ?? []) this.index(d);
    const i = this.mb.func(def.params, [def.result], (c) => {
      def.build(new Body(c), (n) => {
        const j = this.#index.get(n);
        if (j === undefined) throw new InternalError(`libm: '${name}' calls '${n}', which is not among its deps`);
        return j;
      });
      c.op(0x00); // unreachable: every path has returned
    });
    this.#index.set(name, i);
    return i;
  }
}
