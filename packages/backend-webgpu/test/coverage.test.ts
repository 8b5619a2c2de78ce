/**
 * Every primitive runs on WebGPU: it has a WGSL kernel, or it is a higher-order / transform-only
 * primitive that core evaluates through its composite `impl` (interpreting its jaxprs, whose
 * primitives have kernels). A new primitive without either fails here, naming itself.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { listPrimitives } from "linax-ts";
import { kernelNames } from "@linax-ts/backend-webgpu";

/** Primitives evaluated by interpreting their jaxpr(s) or by their transform (no data kernel). */
const THROUGH_IMPL: Readonly<Record<string, string>> = {
  jit: "interprets its jaxpr (a fused WebGPU compile is future work)",
  scan: "interprets its body per step",
  associativeScan: "interprets its combine tree",
  cond: "index read on device: every branch runs and selectN picks (core cond impl)",
  while: "needs its predicate on the host: refused with a clear error on WebGPU",
  remat: "interprets its jaxpr",
  customJvpCall: "interprets its primal jaxpr",
  customVjpCall: "interprets its primal jaxpr",
  customLin: "only exists inside linearize/transpose",
  stopGradient: "identity at evaluation",
  psum: "named-axis collective: only meaningful under vmap",
  pmax: "named-axis collective: only meaningful under vmap",
  pmin: "named-axis collective: only meaningful under vmap",
  axisIndex: "named-axis collective: only meaningful under vmap",
};

test("every primitive has a WGSL kernel or a documented composite evaluation", () => {
  const kernels = new Set(kernelNames());
  for (const p of listPrimitives()) {
    if (kernels.has(p.name)) continue;
    assert.ok(
      p.name in THROUGH_IMPL,
      `primitive '${p.name}' has no WebGPU kernel and is not listed as evaluated through its impl`,
    );
  }
  for (const name of Object.keys(THROUGH_IMPL)) {
    assert.ok(
      listPrimitives().some((p) => p.name === name),
      `THROUGH_IMPL lists '${name}', which is not a primitive`,
    );
    assert.ok(!kernels.has(name), `'${name}' now has a kernel: drop it from THROUGH_IMPL`);
  }
});
