/**
 * Opt-in time per program step (LINAX_PROFILE_STEPS=1, or =N with N > 1 to skip the first N runs of
 * each label — the warm-up): where a jitted call's milliseconds go, kernel by kernel and routine by
 * routine, summed by label over all calls and printed at process exit, largest first. A CPU profile
 * shows one anonymous wasm function per kernel; this names them. Off, it costs one boolean test per step.
 */
import { compile } from "@linax-ts/core";
import { envVar } from "../env.ts";

const setting = envVar("LINAX_PROFILE_STEPS");
export const profileSteps = setting !== undefined && setting !== "" && setting !== "0";
const skipFirst = profileSteps && Number(setting) > 1 ? Number(setting) : 0;

const totals = new Map<string, { ms: number; calls: number; skipped: number }>();

const ops = (k: compile.Kernel): number =>
  compile.countOps(k.kind === "elementwise" ? k.outputs.flatMap((o) => o.values) : k.output.values);

/** A short label: routines by primitive and shapes, kernels by kind, shape and op count. */
function stepLabel(step: compile.Step): string {
  if (step.kind === "routine") {
    const shapes = step.eqn.inputs.map((a) => `${a.aval.dtype}[${a.aval.shape.join(",")}]`).join(" ");
    return `routine ${step.eqn.prim.name} ${shapes}`;
  }
  const k = step.kernel;
  const shape =
    k.kind === "elementwise"
      ? `[${k.shape.join(",")}]`
      : `[${k.outShape.join(",")}] over [${k.reduceShape.join(",")}] ${k.op}`;
  return `${k.kind} ${shape} ops ${ops(k)} outs ${k.kind === "elementwise" ? k.outputs.length : 1}`;
}

/** LINAX_PROFILE_IR=<text>: print the IR of the first kernel whose label contains the text. */
const irFilter = profileSteps ? envVar("LINAX_PROFILE_IR") : undefined;

/** Labels computed once per step. */
const labels = new WeakMap<compile.Step, string>();

/** Add `ms` to the step's label. */
export function recordStep(step: compile.Step, ms: number): void {
  let label = labels.get(step);
  if (label === undefined) labels.set(step, (label = stepLabel(step)));
  let t = totals.get(label);
  if (t === undefined) {
    totals.set(label, (t = { ms: 0, calls: 0, skipped: 0 }));
    if (irFilter !== undefined && label.includes(irFilter) && step.kind === "kernel")
      console.error(`${label}:\n${compile.printKernel(step.kernel)}`);
  }
  if (t.skipped < skipFirst) t.skipped++;
  else {
    t.ms += ms;
    t.calls++;
  }
}

if (profileSteps) {
  process.on("exit", () => {
    const rows = [...totals].sort((a, b) => b[1].ms - a[1].ms);
    const all = rows.reduce((s, [, t]) => s + t.ms, 0);
    console.error(`step profile: ${all.toFixed(1)} ms in ${rows.length} distinct steps`);
    for (const [label, t] of rows.slice(0, 40))
      console.error(
        `${t.ms.toFixed(1).padStart(9)} ms ${((100 * t.ms) / all).toFixed(1).padStart(5)}% ×${t.calls} ${label}`,
      );
  });
}
