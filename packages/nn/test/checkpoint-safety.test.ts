/**
 * Crash-safe checkpoints: a save killed at an arbitrary moment never destroys the previous file
 * (temp file + fsync + rename), a file cut short is detected on load (SafetensorsError naming the
 * path), and a checkpoint of another model structure is refused naming the first differing path.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { np, random, CheckpointError, SafetensorsError, ValueError } from "linax-ts";
import * as nn from "@linax-ts/nn";
import { decodeSafetensors } from "../src/serialization/safetensors-format.ts";

const dir = mkdtempSync(join(tmpdir(), "linax-ckpt-"));
const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

test("a checkpoint of another structure is refused naming the first differing path", async () => {
  const key = random.key(0);
  const small = new nn.MLP(2, 1, 4, 1, { key });
  const deep = new nn.MLP(2, 1, 4, 2, { key });
  const path = join(dir, "mlp.safetensors");
  await nn.saveSafetensors(path, nn.filter(small, nn.isArray));
  // The deeper model has layers.2, which the file lacks (layers.1 exists in both but has another shape: [1, 4] vs [4, 4]).
  await assert.rejects(nn.loadSafetensors(path, nn.filter(deep, nn.isArray)), (e: unknown) => {
    assert.ok(e instanceof CheckpointError && e instanceof ValueError && !(e instanceof SafetensorsError), String(e));
    assert.match(
      (e as Error).message,
      new RegExp(`^loadSafetensors\\('${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}'\\): `),
    );
    assert.match((e as Error).message, /first differing path 'layers\.2\.weight' \(in the model, not in the file\)/);
    return true;
  });
  // The other way round: the file has tensors the smaller model does not.
  const pathDeep = join(dir, "deep.safetensors");
  await nn.saveSafetensors(pathDeep, nn.filter(deep, nn.isArray));
  await assert.rejects(nn.loadSafetensors(pathDeep, nn.filter(small, nn.isArray)), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, String(e));
    assert.match(
      (e as Error).message,
      /shape \[4, 4\] in the file, but the model expects \[1, 4\]|first differing path 'layers\.2\./,
    );
    return true;
  });
  // Same structure, other shapes: named by path too.
  const wide = new nn.MLP(2, 1, 8, 1, { key });
  await assert.rejects(
    nn.loadSafetensors(path, nn.filter(wide, nn.isArray)),
    (e: unknown) =>
      e instanceof CheckpointError &&
      /tensor 'layers\.0\.weight' has shape \[4, 2\] in the file, but the model expects \[8, 2\]/.test(
        (e as Error).message,
      ),
  );
});

test("a checkpoint cut short at any byte is detected on load", async () => {
  const tree = {
    a: np.arange(5).astype("float32"),
    b: { c: np.array([true, false]), d: np.ones([2, 2], { dtype: "int32" }) },
  };
  const path = join(dir, "small.safetensors");
  await nn.saveSafetensors(path, tree);
  const full = readFileSync(path);
  const cut = join(dir, "cut.safetensors");
  for (let n = 0; n < full.length; n++) {
    writeFileSync(cut, full.subarray(0, n));
    await assert.rejects(
      nn.loadSafetensors(cut, tree),
      (e: unknown) => e instanceof SafetensorsError && (e as Error).message.includes(cut),
      `truncated at ${n} of ${full.length} bytes`,
    );
  }
  const back = await nn.loadSafetensors(path, tree);
  assert.deepEqual(back.a.tolist(), [0, 1, 2, 3, 4]);
  assert.deepEqual(back.b.c.tolist(), [true, false]);
});

/**
 * The writer child: saves generation g = 1, 2, 3, … of a 1 Mi-float (4 MB) tree (every value = g) to
 * `path` in a loop, forever. We SIGKILL it mid-write; whatever moment it dies at, `path` must hold
 * one complete generation.
 */
const WRITER = `
import * as nn from "@linax-ts/nn";
import { np } from "linax-ts";
const path = process.argv[process.argv.length - 1];
for (let g = 1; ; g++) {
  await nn.saveSafetensors(path, { w: np.full([256, 1024], g), v: np.full([3, 256, 1024], g) });
  process.stdout.write(g + "\\n");
}
`;

async function killMidWrite(path: string, delayMs: number): Promise<void> {
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", WRITER, path], {
    cwd: repoRoot,
    stdio: ["ignore", "pipe", "inherit"],
  });
  // Wait for the first completed save, then kill at `delayMs` into a later one.
  await new Promise<void>((resolve, reject) => {
    child.stdout.once("data", () => resolve());
    child.once("exit", (code) => reject(new Error(`writer exited early with ${code}`)));
  });
  await new Promise((r) => setTimeout(r, delayMs));
  const exited = new Promise((r) => child.once("exit", r));
  child.kill("SIGKILL");
  await exited;
}

test("a save killed at an arbitrary moment leaves the previous checkpoint intact", { timeout: 120_000 }, async () => {
  const path = join(dir, "killed.safetensors");
  const like = { w: np.zeros([256, 1024]), v: np.zeros([3, 256, 1024]) };
  for (const delay of [0, 7, 40, 150]) {
    await killMidWrite(path, delay);
    const loaded = await nn.loadSafetensors(path, like);
    const w = loaded.w.dataSync();
    const v = loaded.v.dataSync();
    const g = w[0];
    assert.ok(Number.isInteger(g) && g >= 1, `generation ${g}`);
    // One generation throughout: no mix of an old and a new save.
    assert.ok(w.every((x) => x === g) && v.every((x) => x === g), `killed ${delay} ms in: the file mixes generations`);
  }
  // Interrupted saves leave at most their temp files beside the checkpoint, never a damaged checkpoint.
  assert.ok(
    readdirSync(dir).every(
      (f) => f === "killed.safetensors" || !f.startsWith("killed.safetensors") || f.includes(".tmp-"),
    ),
  );
});

test("while a save is in progress, a reader of the path always finds the previous or the new checkpoint, whole", async () => {
  // Deterministic where killing is statistical: saveSafetensors awaits between its steps, so a
  // poller on the event loop reads the path in the middle of every save. Writing in place (open
  // with truncation, then write) fails this test at once: the poller sees empty and partial files.
  const path = join(dir, "polled.safetensors");
  const tree = (g: number) => ({ w: np.full([256, 1024], g), v: np.full([3, 256, 1024], g) });
  await nn.saveSafetensors(path, tree(1));
  let reads = 0;
  const failures: string[] = [];
  let done = false;
  const poll = (): void => {
    if (done) return;
    reads++;
    try {
      const { tensors } = decodeSafetensors(new Uint8Array(readFileSync(path)));
      const gens = [...tensors.values()].flatMap((t) => {
        const f = new Float32Array(t.data.buffer, t.data.byteOffset, t.data.byteLength / 4);
        return [f[0], f[f.length - 1]];
      });
      if (!gens.every((g) => g === gens[0])) failures.push(`mixed generations ${gens.join(",")}`);
    } catch (e) {
      failures.push((e as Error).message);
    }
    setImmediate(poll);
  };
  setImmediate(poll);
  for (let g = 2; g <= 6; g++) await nn.saveSafetensors(path, tree(g));
  done = true;
  assert.ok(reads >= 10, `the poller ran only ${reads} times`);
  assert.deepEqual(failures, []);
  assert.equal((await nn.loadSafetensors(path, tree(0))).w.dataSync()[0], 6);
});
