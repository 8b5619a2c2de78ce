/**
 * The buffer plan of a program: when each intermediate dies (freed right after its last reading
 * step) and which storage slot it lives in — slots are reused by size class, so a repeated call
 * (a training step) needs no new memory after the first, and the plan's peak is what a call
 * holds at most besides its inputs.
 */
import { itemSize } from "../dtype.ts";
import type { Program, Step } from "./graph.ts";

export interface BufferPlan {
  /** For each step, the temp buffers to free after it. */
  readonly freeAfter: readonly (readonly number[])[];
  /** Storage slot of each temp/output buffer (-1 for inputs). */
  readonly slot: readonly number[];
  /** Byte size of each slot (its size class). */
  readonly slotBytes: readonly number[];
  /** Most bytes of temps and outputs live at once (by size class). */
  readonly peakBytes: number;
}

/** Size class of a byte count: the next power of two at or above it (16 bytes at least). */
export function sizeClass(bytes: number): number {
  let c = 16;
  while (c < bytes) c *= 2;
  return c;
}

// A routine's epilogue reads and writes within its step: its buffers live at least that long.
export function readsOf(s: Step): readonly number[] {
  return s.kind === "routine" ? [...s.inputs, ...(s.epilogue?.kernel.inputs ?? [])] : s.kernel.inputs;
}
function writesOf(s: Step): readonly number[] {
  if (s.kind === "routine") return [...s.outputs, ...(s.epilogue?.kernel.outputs.map((o) => o.buffer) ?? [])];
  return s.kernel.kind === "elementwise" ? s.kernel.outputs.map((o) => o.buffer) : [s.kernel.output.buffer];
}

export function planBuffers(p: Program): BufferPlan {
  const lastUse = new Map<number, number>();
  p.steps.forEach((s, i) => {
    for (const b of readsOf(s)) lastUse.set(b, i);
    for (const b of writesOf(s)) if (!lastUse.has(b)) lastUse.set(b, i);
  });
  const freeAfter: number[][] = p.steps.map(() => []);
  for (const [b, i] of lastUse) if (p.buffers[b].role === "temp") freeAfter[i].push(b);

  const slot = p.buffers.map(() => -1);
  const slotBytes: number[] = [];
  const freeSlots = new Map<number, number[]>();
  let live = 0;
  let peak = 0;
  p.steps.forEach((s, i) => {
    for (const b of writesOf(s)) {
      if (slot[b] !== -1) continue;
      const info = p.buffers[b];
      const bytes = sizeClass(info.aval.size * itemSize(info.aval.dtype));
      const reuse = freeSlots.get(bytes)?.pop();
      slot[b] = reuse ?? slotBytes.push(bytes) - 1;
      live += bytes;
    }
    peak = Math.max(peak, live);
    for (const b of freeAfter[i]) {
      const bytes = slotBytes[slot[b]];
      live -= bytes;
      const list = freeSlots.get(bytes) ?? [];
      list.push(slot[b]);
      freeSlots.set(bytes, list);
    }
  });
  return { freeAfter, slot, slotBytes, peakBytes: peak };
}

/**
 * For a call whose caller donates some inputs (jit's `donateArgnums`): per step, the donated input
 * buffers to free after it — each after its last reader, or after step 0 if no step reads it. An
 * input that is also an output is never freed (the caller gets it back).
 */
export function donatedFrees(p: Program, donatedInputs: readonly number[]): number[][] {
  const frees: number[][] = p.steps.map(() => []);
  const outputs = new Set(p.outputs);
  const last = new Map<number, number>();
  p.steps.forEach((s, i) => readsOf(s).forEach((b) => last.set(b, i)));
  for (const b of donatedInputs) if (!outputs.has(b) && frees.length > 0) frees[last.get(b) ?? 0].push(b);
  return frees;
}
