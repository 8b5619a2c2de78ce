/**
 * Train-step figures of issue #11 on WebGPU: linax's default S5 model (4 blocks, H128, state 64,
 * batch 32, dropout 0.1, adam 1e-3) at L28 (row MNIST, 28 features) and L784 (pixel MNIST, 1
 * feature), and LinOSS at L784, each step one jitted call (`nn.filterJit`) as in `npm run bench`.
 *
 * Per step it reports what the issue asks for: the dispatches, submits, bind groups and uniform
 * buffers it creates (the backend's counters around one call), the host (JS) time of the call —
 * tracing-cache lookup, pytree flattening, encoding, the submit; nothing waits for the GPU —, and
 * the wall time of a step with its loss read back (`await loss.data()`: the queue runs in order, so
 * that read completes after all of the step's work), and of `--batch` back-to-back steps with only
 * the last loss read (the GPU-bound rate once the host runs ahead).
 *
 *   LINAX_WEBGPU_ADAPTER=system node train-measure.mjs [--repeats 9] [--only s5-l28] [--json out.json]
 *   node --import tsx packages/backend-webgpu/bench/train-measure.ts --smoke   (a check on SwiftShader)
 */
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { setDefaultBackend } from "linax-ts";
import { initWebGPU } from "@linax-ts/backend-webgpu";
import { trainStep, type Mixer } from "../../../bench/train-model.ts";

const { values } = parseArgs({
  options: {
    repeats: { type: "string", default: "9" },
    batch: { type: "string", default: "10" },
    warmup: { type: "string", default: "8" },
    json: { type: "string" },
    only: { type: "string" },
    smoke: { type: "boolean", default: false },
  },
});
const repeats = Number(values.repeats);
const batch = Number(values.batch);
const warmup = Number(values.warmup);
const be = await initWebGPU();
setDefaultBackend("webgpu");
console.log(`adapter: ${be.adapterInfo}`);
const record: Record<string, unknown> = { date: new Date().toISOString(), adapter: be.adapterInfo, figures: {} };

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function measure(name: string, mixer: Mixer, L: number, F: number): Promise<void> {
  if (values.only !== undefined && !name.includes(values.only)) return;
  const [B, H] = values.smoke ? [2, 16] : [32, 128];
  try {
    const t0 = performance.now();
    const step = trainStep(mixer, values.smoke ? Math.min(L, 8) : L, F, B, H);
    let l = step();
    const lossFirst = (await l.data())[0];
    const firstMs = performance.now() - t0;
    for (let k = 0; k < warmup; k++) await step().data();
    // One step's counters.
    const c0 = be.counters();
    l = step();
    const c1 = be.counters();
    await l.data();
    const per = {
      dispatches: c1.dispatches - c0.dispatches,
      submits: c1.submits - c0.submits,
      bindGroups: c1.bindGroups - c0.bindGroups,
      uniformBuffers: c1.uniformBuffers - c0.uniformBuffers,
      bindings: c1.bindings - c0.bindings,
    };
    // Host time of a call, and the awaited step.
    const hosts: number[] = [];
    const walls: number[] = [];
    for (let k = 0; k < repeats; k++) {
      const t = performance.now();
      l = step();
      const h = performance.now();
      const v = (await l.data())[0];
      walls.push(performance.now() - t);
      hosts.push(h - t);
      if (!Number.isFinite(v)) throw new Error(`${name}: the loss is not finite`);
    }
    // Back to back, the last loss read.
    const pipes: number[] = [];
    for (let k = 0; k < Math.max(1, Math.floor(repeats / 3)); k++) {
      const t = performance.now();
      for (let j = 0; j < batch; j++) l = step();
      await l.data();
      pipes.push((performance.now() - t) / batch);
    }
    const fig = {
      ...per,
      hostMs: median(hosts),
      hostMinMs: Math.min(...hosts),
      stepMs: median(walls),
      stepMinMs: Math.min(...walls),
      pipelinedMs: median(pipes),
      firstMs,
      lossFirst,
    };
    console.log(
      `${name}: step ${fig.stepMs.toFixed(2)} ms (min ${fig.stepMinMs.toFixed(2)}), back-to-back ${fig.pipelinedMs.toFixed(2)} ms/step, host ${fig.hostMs.toFixed(2)} ms/call; ` +
        `${per.dispatches} dispatches, ${per.bindings} buffer bindings, ${per.submits} submits, ${per.bindGroups} new bind groups, ${per.uniformBuffers} new uniform buffers per step (first call ${firstMs.toFixed(0)} ms, loss ${lossFirst.toFixed(4)})`,
    );
    (record.figures as Record<string, unknown>)[name] = fig;
  } catch (e) {
    console.log(`${name}: FAILED ${(e as Error).stack?.slice(0, 600)}`);
    (record.figures as Record<string, unknown>)[name] = { error: (e as Error).message.slice(0, 300) };
  }
}

await measure("s5-l28 (B32 L28 F28 H128)", "s5", 28, 28);
await measure("s5-l784 (B32 L784 F1 H128)", "s5", 784, 1);
await measure("linoss-l784 (B32 L784 F1 H128)", "linoss", 784, 1);
if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(record, null, 1));
process.exit(0);
