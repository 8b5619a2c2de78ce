/**
 * SSM hot-path figures of issue #11 on WebGPU: the S5 mixer (B16 L1024 H128, state 64 → P32)
 * forward and forward + backward, the Mamba block (B8 L1024 dModel 128 → dInner 256, dState 16,
 * conv 4, chunk 64) forward and forward + backward, and the routines alone (the complex linear
 * recurrence of S5's shape, a Mamba chunk's real recurrence, the depthwise causal conv1d).
 * Each model figure: the median of `--repeats` calls after two warm-up calls, a call ending when
 * its outputs are read back (`await x.data()`), as `npm run bench` times them; the routines alone
 * are timed per call over batches of 20 calls (see `measure`).
 *
 * Run on the GPU machine from a bundle (esbuild, `webgpu` external; see the README):
 * `LINAX_WEBGPU_ADAPTER=system node ssm-measure.mjs [--repeats 5] [--json out.json]`.
 */
import { parseArgs } from "node:util";
import { writeFileSync } from "node:fs";
import { np, lax, jit, random, vmap, nn, ssm, setDefaultBackend, treeLeaves, Array } from "linax-ts";
import { initWebGPU } from "@linax-ts/backend-webgpu";

const { values } = parseArgs({
  options: {
    repeats: { type: "string", default: "5" },
    json: { type: "string" },
    only: { type: "string" },
    smoke: { type: "boolean", default: false },
  },
});
const repeats = Number(values.repeats);
// --smoke: tiny shapes (a check of the script on a software adapter; the names keep the full shapes).
const S = values.smoke ? 16 : 1;
const be = await initWebGPU();
setDefaultBackend("webgpu");
console.log(`adapter: ${be.adapterInfo}`);
const record: Record<string, unknown> = { date: new Date().toISOString(), adapter: be.adapterInfo, figures: {} };

async function settle(tree: unknown): Promise<void> {
  for (const leaf of treeLeaves(tree)) if (leaf instanceof Array) await leaf.data();
}
function dispose(tree: unknown): void {
  for (const leaf of treeLeaves(tree)) if (leaf instanceof Array) leaf.dispose();
}

/**
 * Median over `repeats` of one awaited call (`batch` = 1), or of `batch` back-to-back calls with
 * only the last one awaited, divided by `batch` (the routines alone: GPU time per call without
 * the read-back of every result). Also the host time spent inside `f` (tracing cache lookup,
 * encoding) per call.
 */
async function measure(name: string, f: () => unknown, batch = 1): Promise<void> {
  if (values.only !== undefined && !name.includes(values.only)) return;
  try {
    const t0 = performance.now();
    let out = f();
    await settle(out);
    dispose(out);
    const first = performance.now() - t0;
    out = f();
    await settle(out);
    dispose(out);
    const ts: number[] = [];
    const hs: number[] = [];
    for (let i = 0; i < repeats; i++) {
      const t = performance.now();
      let host = 0;
      for (let k = 0; k < batch; k++) {
        const h = performance.now();
        out = f();
        host += performance.now() - h;
        if (k < batch - 1) dispose(out);
      }
      await settle(out);
      ts.push((performance.now() - t) / batch);
      hs.push(host / batch);
      dispose(out);
    }
    ts.sort((a, b) => a - b);
    hs.sort((a, b) => a - b);
    const med = ts[Math.floor(ts.length / 2)];
    const hostMed = hs[Math.floor(hs.length / 2)];
    console.log(
      `${name}: ${med.toFixed(3)} ms${batch > 1 ? ` per call (batches of ${batch})` : ""} (min ${ts[0].toFixed(3)}, host ${hostMed.toFixed(2)} ms, first call ${first.toFixed(0)} ms)`,
    );
    (record.figures as Record<string, unknown>)[name] = {
      medianMs: med,
      minMs: ts[0],
      hostMs: hostMed,
      batch,
      firstCallMs: first,
    };
  } catch (e) {
    console.log(`${name}: FAILED ${(e as Error).message.slice(0, 300)}`);
    (record.figures as Record<string, unknown>)[name] = { error: (e as Error).message.slice(0, 300) };
  }
}

// ---- S5 mixer (bench/cases/s5.ts's shapes)
{
  const [B, L, H] = [16 / S, 1024 / S, 128];
  const m = new ssm.S5SequenceMixerConfig({ stateDim: 64 }).build(H, random.key(0));
  const x = random.normal(random.PRNGKey(1), [B, L, H]);
  const call = (mm: ssm.S5SequenceMixer, xx: Array): Array => vmap((xi: Array) => mm.call(xi))(xx);
  const fwd = nn.filterJit(call);
  const fb = nn.filterJit((mm: ssm.S5SequenceMixer, xx: Array) =>
    nn.filterValueAndGrad((a: ssm.S5SequenceMixer, b: Array) => np.mean(call(a, b)))(mm, xx),
  );
  await measure("S5 mixer fwd B16 L1024 H128 P32", () => fwd(m, x));
  await measure("S5 mixer fwd+bwd B16 L1024 H128 P32", () => fb(m, x));
}

// ---- Mamba block
{
  const [B, L, H] = [Math.max(1, 8 / S), 1024 / S, 128];
  const m = new ssm.MambaConfig({ dState: 16 }).build(H, random.key(2));
  const x = random.normal(random.PRNGKey(3), [B, L, H]);
  const call = (mm: ssm.Mamba, xx: Array): Array => vmap((xi: Array) => mm.call(xi))(xx);
  const fwd = nn.filterJit(call);
  const fb = nn.filterJit((mm: ssm.Mamba, xx: Array) =>
    nn.filterValueAndGrad((a: ssm.Mamba, b: Array) => np.mean(call(a, b)))(mm, xx),
  );
  await measure("Mamba block fwd B8 L1024 d128 (dInner 256, N16)", () => fwd(m, x));
  await measure("Mamba block fwd+bwd B8 L1024 d128 (dInner 256, N16)", () => fb(m, x));
}

// ---- the routines alone
{
  const k = [4, 5, 6, 7].map((seed) => random.key(seed));
  const mag = np.multiply(random.uniform(k[0], [16 / S, 1024 / S, 32], { minval: 0.5, maxval: 0.999 }), 1);
  const ang = random.uniform(k[1], [16 / S, 1024 / S, 32], { minval: -0.3, maxval: 0.3 });
  const a = lax.complex(np.multiply(mag, np.cos(ang)), np.multiply(mag, np.sin(ang)));
  const b = lax.complex(random.normal(k[2], [16 / S, 1024 / S, 32]), random.normal(k[3], [16 / S, 1024 / S, 32]));
  const lr = jit((p: Array, q: Array) => lax.linearRecurrence(p, q, 1));
  await measure("linearRecurrence c64 [16, 1024, 32] axis 1", () => lr(a, b), 20);
  const ar = random.uniform(k[0], [Math.max(1, 8 / S), 256 / S, 64, 16], { minval: 0.5, maxval: 0.999 });
  const br = random.normal(k[1], [Math.max(1, 8 / S), 256 / S, 64, 16]);
  const lr2 = jit((p: Array, q: Array) => lax.linearRecurrence(p, q, 2));
  await measure("linearRecurrence f32 [8, 256, 64, 16] axis 2 (a Mamba chunk)", () => lr2(ar, br), 20);
  const xc = random.normal(k[2], [Math.max(1, 8 / S), 1024 / S, 256]);
  const wc = random.normal(k[3], [256, 1, 4]);
  const conv = jit((u: Array, w: Array) =>
    lax.convGeneralDilated(u, w, {
      windowStrides: [1],
      padding: [[3, 0]],
      dimensionNumbers: { lhsSpec: [0, 2, 1], rhsSpec: [0, 1, 2], outSpec: [0, 2, 1] },
      featureGroupCount: 256,
    }),
  );
  await measure("depthwise causal conv1d [8, 1024, 256] k4 (convGeneralDilated)", () => conv(xc, wc), 20);
}

if (values.json !== undefined) writeFileSync(values.json, JSON.stringify(record, null, 2));
