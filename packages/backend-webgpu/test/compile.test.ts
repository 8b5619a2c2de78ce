/**
 * Compiled WebGPU programs: jaxprs (traced with makeJaxpr, as compile-graph.test.ts does) go
 * through core's buildProgram, every fused kernel is rendered to WGSL and run on the software
 * adapter, and the results must equal — bit for bit — the same jaxpr evaluated eagerly on WebGPU
 * (the per-primitive kernels), and agree with the CPU reference (exactly where the ops are exact,
 * within float32 rounding of tree-ordered sums and builtin transcendentals elsewhere).
 * Shapes are small: SwiftShader compiles every pipeline on two shared cores.
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { np, lax, jit, makeJaxpr, config, devicePut, evalJaxpr, ConcreteArray, type Array } from "linax-ts";
import { setupWebGPU, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { fromValues } from "@linax-ts/testing";
import { CompiledExecutable, InterpretedExecutable, compileJaxpr } from "../src/compile/executor.ts";
import { buildProgram, printProgram, printKernel } from "../src/compile/core-compile.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

/** Seeded floats in [-2, 2) (a small LCG: the values only need to be fixed and varied). */
function floats(shape: number[], seed: number): Array {
  let s = seed >>> 0;
  const n = shape.reduce((a, b) => a * b, 1);
  const v = globalThis.Array.from({ length: n }, () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return Math.fround((s / 2 ** 32) * 4 - 2);
  });
  return fromValues(v, shape, "float32");
}

interface Outcome {
  compiled: number[][];
  eager: number[][];
  cpu: number[][];
  exe: CompiledExecutable;
  text: string;
}

/** Compile f's jaxpr for WebGPU, run it, and evaluate the jaxpr eagerly on WebGPU and f on the CPU. */
async function compare(
  f: (...xs: Array[]) => Array | Array[],
  inputs: Array[],
  opts: { exactCpu?: boolean; tol?: number } = {},
): Promise<Outcome> {
  const cj = makeJaxpr(f)(...inputs);
  const program = buildProgram(cj.jaxpr);
  const text = printProgram(program, printKernel);
  const exe = CompiledExecutable.build(be, program);
  assert.ok(exe instanceof CompiledExecutable, `not compiled: ${String(exe)}\n${text}`);
  const gpuArgs = [...cj.consts, ...inputs].map((a) => devicePut(a, "webgpu"));
  const outs = exe.execute(gpuArgs.map((a) => (a as ConcreteArray).buffer));
  const compiled = await Promise.all(outs.map((b, k) => readValues(new ConcreteArray(b, cj.jaxpr.outAvals[k]))));
  const eagerOuts = evalJaxpr(cj.jaxpr, gpuArgs.slice(0, cj.consts.length), gpuArgs.slice(cj.consts.length));
  const eager = await Promise.all(eagerOuts.map(readValues));
  const cpuOut = f(...inputs);
  const cpu = await Promise.all((globalThis.Array.isArray(cpuOut) ? cpuOut : [cpuOut]).map(readValues));
  compiled.forEach((c, k) => {
    assert.equal(c.length, eager[k].length, text);
    c.forEach((v, i) =>
      assert.ok(Object.is(v, eager[k][i]), `output ${k}[${i}]: compiled ${v}, eager WebGPU ${eager[k][i]}\n${text}`),
    );
    c.forEach((v, i) => {
      const w = cpu[k][i];
      if (opts.exactCpu === true) assert.ok(Object.is(v, w), `output ${k}[${i}]: compiled ${v}, CPU ${w}\n${text}`);
      else
        assert.ok(
          Object.is(v, w) || Math.abs(v - w) <= (opts.tol ?? 1e-5) * Math.max(1, Math.abs(w)),
          `output ${k}[${i}]: compiled ${v}, CPU ${w}\n${text}`,
        );
    });
  });
  return { compiled, eager, cpu, exe, text };
}

test("elementwise chain over a broadcast operand: one fused kernel", async () => {
  const r = await compare((x, y) => np.tanh(x.mul(1.7).add(y)).mul(x), [floats([4, 3], 1), floats([3], 2)]);
  assert.equal(r.exe.stats().kernels, 1, r.text);
  assert.equal(r.exe.stats().dispatches, 1);
});

test("reduction with a fused body, a routine (dotGeneral) and an epilogue", async () => {
  const r = await compare(
    (x, w) => {
      const s = np.sum(np.exp(x), { axis: 1 });
      return np.matmul(x.mul(2), w).add(s.reshape([4, 1]));
    },
    [floats([4, 3], 3), floats([3, 5], 4)],
  );
  const st = r.exe.stats();
  assert.equal(st.routines, 1, r.text);
  assert.equal(st.eagerRoutines, 0, r.text);
});

test("reductions: sum over the outer axis (kept inner axis), max with NaN, prod, and/or on bool", async () => {
  // [40, 20] summed over axis 0: the eager kernel's coalesced tree (inner axis kept, ≥ 16).
  await compare((x) => np.sum(x.mul(x), { axis: 0 }), [floats([40, 20], 5)], { tol: 1e-5 });
  await compare((x) => np.sum(np.sin(x), { axis: 1 }), [floats([6, 70], 6)], { tol: 1e-5 });
  const withNan = fromValues([1, NaN, 3, -2, 5, -0, 0, 7], [2, 4], "float32");
  await compare(
    (x) => [np.max(x.add(1), { axis: 1 }), np.min(x.neg(), { axis: 0 }), np.prod(x.mul(0.5), { axis: 1 })],
    [withNan],
    { exactCpu: true },
  );
  await compare((x) => [np.all(x.gt(0), { axis: 1 }), np.any(x.gt(1), { axis: 0 })], [floats([3, 5], 7)], {
    exactCpu: true,
  });
});

test("movement folds into loads: transpose, slice, rev, reshape, pad (negative, interior), concatenate, iota", async () => {
  const x = floats([3, 4], 8);
  const r = await compare(
    (a) => {
      const t = a.transpose([1, 0]).mul(2); // [4,3]
      const s = lax.slice(a, [1, 0], [3, 4], [1, 2]); // [2,2]
      const v = lax.rev(a, [1]).add(1);
      const p = lax.pad(a.mul(3), np.array(-1), [
        [1, -1, 1],
        [0, 2, 0],
      ]); // [5, 6]
      const c = lax.concatenate([a.mul(2), a.sub(1)], 0); // [6,4]
      const i = lax.iota("float32", 4).reshape([1, 4]).add(a);
      return [t, np.exp(s.reshape([4])), v, p, c, i];
    },
    [x],
    { tol: 1e-6 },
  );
  assert.equal(r.exe.stats().routines, 0, `every movement op fuses:\n${r.text}`);
});

test("integer and bool ops: XLA division by zero, shifts, comparisons, select, conversions", async () => {
  const a = fromValues([7, -7, 5, 2147483647, -2147483648, 9], [6], "int32");
  const b = fromValues([2, 2, 0, -1, -1, 33], [6], "int32");
  await compare(
    (p, q) => [
      lax.div(p, q),
      lax.rem(p, q.add(3)),
      lax.shiftLeft(p, q),
      lax.shiftRightArithmetic(p, q),
      np.where(p.gt(q), p, q.mul(3)),
      p.astype("float32").mul(0.5),
      p.astype("uint32").add(q.astype("uint32")),
      p.astype("bool"),
    ],
    [a, b],
    { exactCpu: true },
  );
});

test("complex values as pairs: product rounded once, conj, real/imag, complex sum", async () => {
  const re = floats([2, 5], 9);
  const im = floats([2, 5], 10);
  await compare(
    (x, y) => {
      const z = lax.complex(x, y);
      const w = z.mul(lax.conj(z).add(lax.complex(y, x)));
      return [w, np.real(w).add(np.imag(w)), np.sum(w, { axis: 1 })];
    },
    [re, im],
    { tol: 1e-5 },
  );
});

test("a nested jit runs as a compiled sub-program inside the program (scan-loop.ts); cond eagerly", async () => {
  const inner = jit((v: Array) => np.cos(v).mul(v));
  const r = await compare((x) => inner(x.add(1)).sum(), [floats([16], 11)], { tol: 1e-5 });
  assert.equal(r.exe.stats().eagerRoutines, 0, r.text);
  assert.equal(r.exe.stats().compiledCalls, 1, r.text);
  const c = await compare(
    (x) =>
      lax
        .cond(
          true,
          (v: Array) => np.cos(v),
          (v: Array) => np.sin(v),
          x.add(1),
        )
        .sum(),
    [floats([16], 11)],
    { tol: 1e-5 },
  );
  assert.equal(c.exe.stats().eagerRoutines, 1, c.text);
});

test("jit on WebGPU arrays uses the compiled program; a repeated call allocates nothing and binds nothing new", async () => {
  const f = (x: Array, y: Array) => [np.exp(x.mul(y)).sub(1), np.sum(x.add(y), { axis: 0 })];
  const cj = makeJaxpr(f)(floats([8, 8], 12), floats([8, 8], 13));
  const exe = compileJaxpr(be, cj.jaxpr);
  assert.ok(exe instanceof CompiledExecutable);
  const xs = [floats([8, 8], 12), floats([8, 8], 13)].map((a) => devicePut(a, "webgpu"));
  const bufs = xs.map((a) => (a as ConcreteArray).buffer);
  const live0 = be.liveBuffers();
  const first = exe.execute(bufs);
  for (const o of first) be.dispose(o);
  const created = be.poolStats().created;
  const second = exe.execute(bufs);
  assert.equal(
    be.poolStats().created,
    created,
    `no new GPU buffer on a repeated call ${JSON.stringify(be.poolStats())} ${JSON.stringify(exe.stats())}`,
  );
  assert.equal(exe.stats().bindGroupsCreated, 0, "bind groups are reused");
  assert.equal(be.liveBuffers(), live0 + 2);
  const got = await readValues(new ConcreteArray(second[0], cj.jaxpr.outAvals[0]));
  for (const o of second) be.dispose(o);
  assert.equal(be.liveBuffers(), live0);
  const want = await readValues(f(xs[0], xs[1])[0]);
  assert.deepEqual(got, want);
  // Through jit itself: same values as the eager WebGPU evaluation.
  const jf = jit(f);
  const [a, s] = jf(xs[0], xs[1]);
  assert.deepEqual(await readValues(a), want);
  assert.deepEqual(await readValues(s), await readValues(f(xs[0], xs[1])[1]));
});

test("jitCompile off: the jaxpr is interpreted, intermediates disposed at their last use", async () => {
  const f = (x: Array) => {
    const e = np.exp(x.mul(x)); // no literal: a CPU scalar operand would be moved (and left to the GC) by core
    return [e.add(x), np.sum(e)];
  };
  const cj = makeJaxpr(f)(np.zeros([5]));
  config.update("jitCompile", false);
  try {
    const exe = compileJaxpr(be, cj.jaxpr);
    assert.ok(exe instanceof InterpretedExecutable);
    assert.equal(exe.reason, null);
    const x = devicePut(floats([5], 14), "webgpu") as ConcreteArray;
    const live0 = be.liveBuffers();
    const outs = exe.execute([x.buffer]);
    assert.equal(be.liveBuffers(), live0 + 2, "only the two outputs stay live");
    const got = await Promise.all(outs.map((b, k) => readValues(new ConcreteArray(b, cj.jaxpr.outAvals[k]))));
    const want = await Promise.all(f(x).map(readValues));
    assert.deepEqual(got, want);
  } finally {
    config.update("jitCompile", true);
  }
});
