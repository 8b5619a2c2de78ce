/**
 * A small WebAssembly module writer: enough of the binary format (types, imported memory and
 * functions, function bodies with locals, exports) and of the instruction set (core + SIMD128) for
 * the kernels the CPU renderer generates at run time. No dependency, runs in browsers and Node.
 * Opcodes follow the WebAssembly core specification (SIMD: prefix 0xFD, LEB128 sub-opcode).
 */
import { InternalError } from "@linax-ts/core";

export type ValType = "i32" | "i64" | "f32" | "f64" | "v128";
const VALTYPE: Record<ValType, number> = { i32: 0x7f, i64: 0x7e, f32: 0x7d, f64: 0x7c, v128: 0x7b };

export function uleb(n: number): number[] {
  const out: number[] = [];
  do {
    let byte = n & 0x7f;
    n >>>= 7;
    if (n !== 0) byte |= 0x80;
    out.push(byte);
  } while (n !== 0);
  return out;
}

export function sleb(n: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = n & 0x7f;
    n >>= 7;
    if ((n === 0 && (byte & 0x40) === 0) || (n === -1 && (byte & 0x40) !== 0)) {
      out.push(byte);
      return out;
    }
    out.push(byte | 0x80);
  }
}

const f32Bytes = (x: number): number[] => [...new Uint8Array(new Float32Array([x]).buffer)];
const f64Bytes = (x: number): number[] => [...new Uint8Array(new Float64Array([x]).buffer)];
const str = (s: string): number[] => {
  const b = [...new TextEncoder().encode(s)];
  return [...uleb(b.length), ...b];
};
const vec = (items: readonly number[][]): number[] => [...uleb(items.length), ...items.flat()];

/** Instructions of one function body, appended in order (a stack machine). */
export class Code {
  readonly bytes: number[] = [];
  readonly #locals: ValType[] = [];
  readonly #nParams: number;
  constructor(params: readonly ValType[]) {
    this.#nParams = params.length;
  }
  /** A new local of `type`; returns its index. */
  local(type: ValType): number {
    this.#locals.push(type);
    return this.#nParams + this.#locals.length - 1;
  }
  get locals(): readonly ValType[] {
    return this.#locals;
  }
  op(...bytes: number[]): this {
    this.bytes.push(...bytes);
    return this;
  }
  /** A SIMD instruction: 0xFD, sub-opcode, immediates. */
  simd(sub: number, ...imm: number[]): this {
    return this.op(0xfd, ...uleb(sub), ...imm);
  }
  get(i: number): this {
    return this.op(0x20, ...uleb(i));
  }
  set(i: number): this {
    return this.op(0x21, ...uleb(i));
  }
  tee(i: number): this {
    return this.op(0x22, ...uleb(i));
  }
  i32(n: number): this {
    return this.op(0x41, ...sleb(n | 0));
  }
  f32(x: number): this {
    return this.op(0x43, ...f32Bytes(x));
  }
  f64(x: number): this {
    return this.op(0x44, ...f64Bytes(x));
  }
  /** Memory access `opcode` with alignment log2 `align` and constant offset. */
  mem(opcode: number, align: number, offset = 0): this {
    return this.op(opcode, ...uleb(align), ...uleb(offset));
  }
  simdMem(sub: number, align: number, offset = 0): this {
    return this.simd(sub, ...uleb(align), ...uleb(offset));
  }
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.op(0x0c, ...uleb(depth));
  }
  brIf(depth: number): this {
    return this.op(0x0d, ...uleb(depth));
  }
  call(fn: number): this {
    return this.op(0x10, ...uleb(fn));
  }
}

interface FuncDef {
  readonly type: number;
  readonly code: Code;
}

/** A module importing one memory (`env.memory`) and any number of functions. */
export class ModuleBuilder {
  readonly #types: number[][] = [];
  readonly #typeKeys = new Map<string, number>();
  readonly #imports: number[][] = [];
  readonly #funcs: FuncDef[] = [];
  readonly #exports: number[][] = [];
  #nImportedFuncs = 0;
  /**
   * `maxPages` may be left out for an unshared memory: the import then declares no maximum and
   * links against a memory of any maximum (or none). A shared memory must declare one.
   */
  constructor(readonly memory: { shared: boolean; minPages: number; maxPages?: number }) {}

  #type(params: readonly ValType[], results: readonly ValType[]): number {
    const key = `${params.join(",")}->${results.join(",")}`;
    let t = this.#typeKeys.get(key);
    if (t === undefined) {
      t = this.#types.length;
      this.#types.push([
        0x60,
        ...uleb(params.length),
        ...params.map((p) => VALTYPE[p]),
        ...uleb(results.length),
        ...results.map((r) => VALTYPE[r]),
      ]);
      this.#typeKeys.set(key, t);
    }
    return t;
  }
  /** Import `env.<name>`; returns its function index. Imports must precede defined functions. */
  importFunc(name: string, params: readonly ValType[], results: readonly ValType[]): number {
    if (this.#funcs.length > 0) throw new InternalError("ModuleBuilder: import functions before defining any");
    this.#imports.push([...str("env"), ...str(name), 0x00, ...uleb(this.#type(params, results))]);
    return this.#nImportedFuncs++;
  }
  /** Define a function; `build` appends its body. Returns its function index. */
  func(params: readonly ValType[], results: readonly ValType[], build: (c: Code) => void, exportAs?: string): number {
    const code = new Code(params);
    build(code);
    const index = this.#nImportedFuncs + this.#funcs.length;
    this.#funcs.push({ type: this.#type(params, results), code });
    if (exportAs !== undefined) this.#exports.push([...str(exportAs), 0x00, ...uleb(index)]);
    return index;
  }

  bytes(): Uint8Array<ArrayBuffer> {
    const section = (id: number, body: number[]): number[] => [id, ...uleb(body.length), ...body];
    const m = this.memory;
    if (m.shared && m.maxPages === undefined)
      throw new InternalError("ModuleBuilder: a shared memory import needs maxPages");
    const limits =
      m.maxPages === undefined
        ? [0x00, ...uleb(m.minPages)]
        : [m.shared ? 0x03 : 0x01, ...uleb(m.minPages), ...uleb(m.maxPages)];
    const memImport = [...str("env"), ...str("memory"), 0x02, ...limits];
    const bodies = this.#funcs.map(({ code }) => {
      // Locals in runs of equal type, as the format wants.
      const runs: number[][] = [];
      for (const t of code.locals) {
        const last = runs[runs.length - 1];
        if (last !== undefined && last[1] === VALTYPE[t]) last[0]++;
        else runs.push([1, VALTYPE[t]]);
      }
      const body = [...uleb(runs.length), ...runs.flatMap(([n, t]) => [...uleb(n), t]), ...code.bytes, 0x0b];
      return [...uleb(body.length), ...body];
    });
    return new Uint8Array([
      0x00,
      0x61,
      0x73,
      0x6d,
      0x01,
      0x00,
      0x00,
      0x00,
      ...section(1, vec(this.#types)),
      ...section(2, vec([...this.#imports, memImport])),
      ...section(3, vec(this.#funcs.map((f) => uleb(f.type)))),
      ...section(7, vec(this.#exports)),
      ...section(10, vec(bodies)),
    ]);
  }
}
