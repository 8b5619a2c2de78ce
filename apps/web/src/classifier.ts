/**
 * The model side of the page: pick a backend (WebGPU, else the CPU), load the checkpoint the
 * demo wrote (`model.safetensors`: model + BatchNorm State, spec in the metadata), and classify
 * a 28×28 digit — in one parallel pass, and row by row with the recurrent `step` API.
 */
import { initWebGPU, setDefaultBackend, np, nn, random, type JaxArray } from "linax-ts";
import type { ssm } from "linax-ts";
import { buildModel, type ModelSpec } from "../../../examples/mnist/model.ts";

export interface BackendChoice {
  name: "webgpu" | "cpu";
  /** Adapter description, or why WebGPU was not used. */
  detail: string;
}

/**
 * WebGPU when the browser offers an adapter, the CPU backend otherwise (or when `want` is "cpu").
 * A failure to get a WebGPU device is a fallback, not an error: the page says why.
 */
export async function chooseBackend(want: "auto" | "webgpu" | "cpu"): Promise<BackendChoice> {
  if (want === "cpu") {
    setDefaultBackend("cpu");
    return { name: "cpu", detail: "CPU requested (?backend=cpu)" };
  }
  const gpu = (navigator as Navigator & { gpu?: unknown }).gpu;
  if (gpu === undefined) {
    setDefaultBackend("cpu");
    return { name: "cpu", detail: "this browser has no WebGPU (navigator.gpu is missing)" };
  }
  try {
    const b = await initWebGPU();
    setDefaultBackend("webgpu");
    return { name: "webgpu", detail: b.adapterInfo };
  } catch (e) {
    if (want === "webgpu") throw e;
    setDefaultBackend("cpu");
    return { name: "cpu", detail: `WebGPU failed: ${(e as Error).message}` };
  }
}

export interface Loaded {
  model: ssm.SSM;
  state: nn.State;
  spec: ModelSpec;
  /** The run's last recorded test accuracy and epochs, from the checkpoint's metadata. */
  accuracy: number | null;
  epochs: number;
  params: number;
}

/** Load a `model.safetensors` written by `npm run demo` onto `backend`. */
export async function loadCheckpoint(url: string, backend: string): Promise<Loaded> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const bytes = new Uint8Array(await res.arrayBuffer());
  const { metadata } = nn.readSafetensorsBytes(bytes);
  if (metadata?.format !== "linax-ts-mnist/1")
    throw new Error(
      `${url}: not a checkpoint of npm run demo (metadata format ${JSON.stringify(metadata?.format ?? null)})`,
    );
  const spec = JSON.parse(metadata.spec) as ModelSpec;
  const history = JSON.parse(metadata.history ?? "[]") as { testAccuracy: number }[];
  // The structure comes from a freshly built model; build it on the CPU (initialisation runs an
  // eigendecomposition, host work), then read the stored tensors onto the chosen backend.
  setDefaultBackend("cpu");
  const [like, likeState] = buildModel(spec, random.key(0));
  setDefaultBackend(backend);
  const { model, state } = nn.fromSafetensorsBytes(bytes, { model: like, state: likeState });
  return {
    model: nn.inference(model),
    state,
    spec,
    accuracy: history.length ? history[history.length - 1].testAccuracy : null,
    epochs: history.length,
    params: nn.countParams(model),
  };
}

/** Probabilities from log-probabilities (the head is a log-softmax). */
async function probs(logp: JaxArray): Promise<Float32Array> {
  return Float32Array.from((await np.exp(logp).data()) as Float32Array);
}

/** The parallel forward pass on one digit: class probabilities and the latency (ms, read included). */
export async function classify(m: Loaded, image: Float32Array): Promise<{ probs: Float32Array; ms: number }> {
  const t0 = performance.now();
  const x = np.array(image).reshape([1, 28, 28]);
  const [logp] = m.model.callBatch(x, nn.cloneState(m.state));
  const p = await probs(logp.reshape([10]));
  return { probs: p, ms: performance.now() - t0 };
}

/**
 * Row by row: the model's recurrent form reads row t and predicts from rows 0..t (the head's
 * running mean); after the last row this equals the parallel pass. `onRow` sees each prefix.
 */
export async function classifyRows(
  m: Loaded,
  image: Float32Array,
  onRow: (t: number, p: Float32Array) => void,
): Promise<Float32Array[]> {
  const x = np.array(image).reshape([1, 28, 28]);
  const step = m.model.recurrence();
  let cache = m.model.initCache([1], nn.cloneState(m.state));
  const out: Float32Array[] = [];
  for (let t = 0; t < 28; t++) {
    let yt: JaxArray;
    [yt, cache] = step(x.get(":", t), cache);
    const p = await probs(yt.reshape([10]));
    out.push(p);
    onRow(t, p);
  }
  return out;
}
