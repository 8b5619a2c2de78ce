/**
 * LinOSS's jitted train step on WebGPU (SwiftShader): its program has a fused kernel over more
 * buffers than the adapter binds in one stage (split-bindings.ts; the smoke-sized train bench had
 * 14 > 12), which used to send the whole step to the interpreter. Now it compiles — one program,
 * no interpreted fallback — and two adam steps give the CPU's loss and parameters (same keys: the
 * samplers are bit-exact across backends; float32 rounding differs by reduction order).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { nn, random, treeLeaves, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";
import { classifierTrainer } from "@linax-ts/testing/train-step";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, InterpretedExecutable } from "../src/compile/executor.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

/** Two jitted adam steps of a one-block LinOSS classifier; the losses and the final parameters. */
function train(): { losses: Array[]; params: Array[] } {
  // The shared set-up (@linax-ts/testing/train-step): linear encoder 1 → 4, one LinOSS block of state 4, 3 classes.
  const t = classifierTrainer({
    mixer: "linoss",
    inFeatures: 1,
    hidden: 4,
    stateDim: 4,
    numClasses: 3,
    numBlocks: 1,
    modelKey: random.key(1),
    learningRate: 1e-2,
  });
  const step = t.step;
  let { model, state, os } = t;
  const x = random.normal(random.key(2), [2, 6, 1]);
  const y = random.randint(random.key(3), [2], 0, 3);
  const losses: Array[] = [];
  for (let i = 0; i < 2; i++) {
    const r = step(model, os, x, y, state, random.key(10 + i));
    [model, os, state] = [r[0], r[1], r[3]];
    losses.push(r[2]);
  }
  return { losses, params: treeLeaves(nn.filter(model, nn.isInexactArray)) as Array[] };
}

test("LinOSS train step compiles on SwiftShader (a kernel over more buffers than the stage binds is split) and equals the CPU", async () => {
  const cpu = train();
  const built: CompiledExecutable[] = [];
  const reasons: string[] = [];
  const compile = be.compile.bind(be);
  be.compile = (j) => {
    const exe = compile(j);
    if (exe instanceof CompiledExecutable) built.push(exe);
    if (exe instanceof InterpretedExecutable) reasons.push(String(exe.reason));
    return exe;
  };
  let gpu: ReturnType<typeof train>;
  try {
    gpu = onBackend("webgpu", train);
  } finally {
    be.compile = compile;
  }
  assert.deepEqual(reasons, [], "no program is interpreted");
  assert.ok(built.length >= 1);
  const limit = be.device.limits.maxStorageBuffersPerShaderStage;
  const widest = Math.max(
    ...built.flatMap((e) =>
      e.program.steps.map((s) =>
        s.kind === "kernel"
          ? s.kernel.inputs.length + (s.kernel.kind === "elementwise" ? s.kernel.outputs.length : 1)
          : 0,
      ),
    ),
  );
  assert.ok(widest > limit, `the step has a kernel over ${widest} buffers, more than the ${limit} a stage binds`);
  for (let i = 0; i < 2; i++)
    assertClose(await readValues(gpu.losses[i]), await readValues(cpu.losses[i]), { rtol: 1e-4, atol: 1e-5 });
  assert.equal(gpu.params.length, cpu.params.length);
  for (let i = 0; i < cpu.params.length; i++)
    assertClose(await readValues(gpu.params[i]), await readValues(cpu.params[i]), { rtol: 1e-3, atol: 1e-5 });
});
