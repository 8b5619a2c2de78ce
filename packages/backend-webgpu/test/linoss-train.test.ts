/**
 * LinOSS's jitted train step on WebGPU (SwiftShader): its program has a fused kernel over more
 * buffers than the adapter binds in one stage (split-bindings.ts; the smoke-sized train bench had
 * 14 > 12), which used to send the whole step to the interpreter. Now it compiles — one program,
 * no interpreted fallback — and two adam steps give the CPU's loss and parameters (same keys: the
 * samplers are bit-exact across backends; float32 rounding differs by reduction order).
 */
import { test, before } from "node:test";
import assert from "node:assert/strict";
import { nn, ssm, random, treeLeaves, type Array } from "linax-ts";
import { assertClose } from "@linax-ts/testing";
import { setupWebGPU, onBackend, readValues } from "@linax-ts/testing/webgpu";
import type { WebGPUBackend } from "@linax-ts/backend-webgpu";
import { CompiledExecutable, InterpretedExecutable } from "../src/compile/executor.ts";

let be: WebGPUBackend;
before(async () => {
  be = await setupWebGPU();
});

/** Two jitted adam steps of a one-block LinOSS classifier; the losses and the final parameters. */
function train(): { losses: Array[]; params: Array[] } {
  const config = new ssm.LinOSSConfig({
    numBlocks: 1,
    encoderConfig: new ssm.LinearEncoderConfig({ inFeatures: 1, outFeatures: 4 }),
    blockConfig: new ssm.StandardBlockConfig({ dropRate: 0.1 }),
    headConfig: new ssm.ClassificationHeadConfig({ outFeatures: 3 }),
    sequenceMixerConfig: new ssm.LinOSSSequenceMixerConfig({ stateDim: 4 }),
  });
  const [model0, state0] = nn.makeWithState(ssm.SSM)(config, random.key(1));
  const opt = nn.optim.adam(1e-2);
  const loss = (m: ssm.SSM, x: Array, y: Array, s: nn.State, key: nn.PRNGKey): [Array, nn.State] => {
    const [logp, s2] = m.callBatch(x, s, { key });
    return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
  };
  const step = nn.filterJit((m: ssm.SSM, os: unknown[], x: Array, y: Array, s: nn.State, key: nn.PRNGKey) => {
    const [[l, s2], grads] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s, key);
    const [updates, os2] = opt.update(grads, os, nn.filter(m, nn.isInexactArray));
    return [nn.optim.applyUpdates(m, updates), os2, l, s2] as const;
  });
  let [model, state] = [model0, state0];
  let os = opt.init(nn.filter(model0, nn.isInexactArray));
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
