/**
 * The digit page: a drawing pad (mouse, pen or finger through pointer events), the model on
 * WebGPU or the CPU, a probability bar chart, the latency, and the row-by-row prediction.
 * `?backend=cpu|webgpu` forces a backend (default: WebGPU if the browser has it, else CPU).
 * When a classification finishes, `document.body.dataset.state` is "done" (the browser test
 * waits on it); "ready" after loading, "error" on failure.
 */
import { alphaToGray, toMnist } from "./preprocess.ts";
import { chooseBackend, classify, classifyRows, loadCheckpoint, type Loaded } from "./classifier.ts";

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const pad = $<HTMLCanvasElement>("pad");
const ctx = pad.getContext("2d", { willReadFrequently: true })!;
const status = $("status");

function setState(s: "loading" | "ready" | "busy" | "done" | "error"): void {
  document.body.dataset.state = s;
}

// ---------------------------------------------------------------- the bar chart and the rows
const bars: HTMLElement[] = [];
for (let d = 0; d < 10; d++) {
  const row = document.createElement("div");
  row.className = "bar";
  row.setAttribute("role", "listitem");
  row.dataset.digit = String(d);
  row.innerHTML = `<span>${d}</span><div><div class="fill" style="width:0%"></div></div><span class="pct">–</span>`;
  $("bars").appendChild(row);
  bars.push(row);
}
function showProbs(p: Float32Array): number {
  const top = p.indexOf(Math.max(...p));
  bars.forEach((row, d) => {
    (row.querySelector(".fill") as HTMLElement).style.width = `${(100 * p[d]).toFixed(1)}%`;
    (row.querySelector(".pct") as HTMLElement).textContent = `${(100 * p[d]).toFixed(1)}%`;
    row.dataset.prob = p[d].toFixed(6);
    row.classList.toggle("top", d === top);
  });
  return top;
}
const rowCells: HTMLElement[] = [];
for (let t = 0; t < 28; t++) {
  const c = document.createElement("div");
  c.className = "row";
  c.setAttribute("role", "listitem");
  c.innerHTML = `${t + 1}: <b>·</b>`;
  $("rows").appendChild(c);
  rowCells.push(c);
}

// ---------------------------------------------------------------- drawing
ctx.lineCap = "round";
ctx.lineJoin = "round";
ctx.lineWidth = 22;
ctx.strokeStyle = "#fff";
let drawing = false;
let inked = false;
let last: [number, number] = [0, 0];
const at = (e: PointerEvent): [number, number] => {
  const r = pad.getBoundingClientRect();
  return [((e.clientX - r.left) * pad.width) / r.width, ((e.clientY - r.top) * pad.height) / r.height];
};
pad.addEventListener("pointerdown", (e) => {
  drawing = true;
  pad.setPointerCapture(e.pointerId);
  last = at(e);
  ctx.beginPath();
  ctx.arc(last[0], last[1], ctx.lineWidth / 2, 0, 2 * Math.PI);
  ctx.fillStyle = "#fff";
  ctx.fill();
  inked = true;
});
pad.addEventListener("pointermove", (e) => {
  if (!drawing) return;
  const p = at(e);
  ctx.beginPath();
  ctx.moveTo(last[0], last[1]);
  ctx.lineTo(p[0], p[1]);
  ctx.stroke();
  last = p;
});
const endStroke = () => {
  if (!drawing) return;
  drawing = false;
  if ($<HTMLInputElement>("auto").checked) void run();
};
pad.addEventListener("pointerup", endStroke);
pad.addEventListener("pointercancel", endStroke);
$("clear").addEventListener("click", () => {
  ctx.clearRect(0, 0, pad.width, pad.height);
  inked = false;
  $("prediction").textContent = "–";
  $("prediction").dataset.class = "";
});
$("classify").addEventListener("click", () => void run());

/** The pad as the model's 28×28 input, also drawn in the preview. */
function input(): Float32Array {
  const img = toMnist(alphaToGray(ctx.getImageData(0, 0, pad.width, pad.height).data, pad.width, pad.height));
  const pv = $<HTMLCanvasElement>("preview").getContext("2d")!;
  const id = pv.createImageData(28, 28);
  img.forEach((v, i) => id.data.set([255 * v, 255 * v, 255 * v, 255], 4 * i));
  pv.putImageData(id, 0, 0);
  return img;
}

// ---------------------------------------------------------------- the model
let model: Loaded | undefined;
let queued = false;
let running = false;
let runs = 0;

async function run(): Promise<void> {
  if (!model || !inked) return;
  if (running) {
    queued = true; // classify the latest drawing once the current run ends
    return;
  }
  running = true;
  setState("busy");
  try {
    const x = input();
    const { probs, ms } = await classify(model, x);
    const top = showProbs(probs);
    $("prediction").textContent = String(top);
    $("prediction").dataset.class = String(top);
    // The first pass on a backend also compiles its kernels (WGSL pipelines on WebGPU): say so.
    $("latency").textContent =
      `${ms.toFixed(1)} ms (one forward pass, reading the result included${runs++ === 0 ? "; the first one also compiles the kernels" : ""})`;
    rowCells.forEach((c) => (c.innerHTML = `${c.innerHTML.split(":")[0]}: <b>·</b>`));
    await classifyRows(model, x, (t, p) => {
      const k = p.indexOf(Math.max(...p));
      rowCells[t].innerHTML = `${t + 1}: <b>${k}</b> ${(100 * p[k]).toFixed(0)}%`;
      rowCells[t].dataset.class = String(k);
      rowCells[t].style.background = `rgba(208, 102, 43, ${p[k].toFixed(2)})`;
    });
    setState("done");
  } catch (e) {
    status.textContent = `error: ${(e as Error).message}`;
    setState("error");
    throw e;
  } finally {
    running = false;
    if (queued) {
      queued = false;
      void run();
    }
  }
}

async function start(): Promise<void> {
  setState("loading");
  const want = (new URLSearchParams(location.search).get("backend") ?? "auto") as "auto" | "webgpu" | "cpu";
  const b = await chooseBackend(want);
  $("backend").textContent = b.name;
  $("backend").dataset.backend = b.name;
  $("backend-detail").textContent = `(${b.detail})`;
  model = await loadCheckpoint(new URL("model.safetensors", location.href).href, b.name);
  const acc =
    model.accuracy === null
      ? ""
      : `, ${(100 * model.accuracy).toFixed(1)}% on its held-out digits after ${model.epochs} epochs`;
  status.textContent = `model: ${model.spec.model.toUpperCase()}, ${model.spec.blocks} blocks, H${model.spec.hidden}, state ${model.spec.stateDim}, ${model.params.toLocaleString("en")} parameters${acc}. Draw a digit.`;
  setState("ready");
}

start().catch((e: unknown) => {
  status.textContent = `error: ${(e as Error).message}`;
  setState("error");
});
