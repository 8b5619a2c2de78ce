/**
 * Every example script runs to completion at tiny sizes (EXAMPLES_TINY=1), and prints what it is
 * about — so the examples in the README never rot. Each script also checks its own claim
 * (recurrent == parallel, scan == associativeScan, cpu == webgpu) and exits non-zero if it fails.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";

const root = join(import.meta.dirname, "..", "..");
function run(script: string, env: Record<string, string> = {}): string {
  const r = spawnSync(process.execPath, ["--import", "tsx", join("examples", script)], {
    cwd: root,
    encoding: "utf8",
    env: { ...process.env, EXAMPLES_TINY: "1", ...env },
    timeout: 240_000,
  });
  const out = r.stdout + r.stderr;
  assert.equal(r.status, 0, `${script} exited with ${r.status}:\n${out}`);
  return out;
}

const cases: [string, RegExp[]][] = [
  ["s5.ts", [/S5 model: \d+ parameters/, /held-out accuracy: [\d.]+%/, /step-by-step class (\d), parallel class \1/]],
  ["linoss.ts", [/LinOSS: \d+ parameters/, /step 3 {2}loss [\d.]+/, /held-out accuracy: [\d.]+%/]],
  ["lru.ts", [/step 3 {2}mse [\d.]+/, /recurrent vs parallel: max \|difference\| = /]],
  ["s4d.ts", [/step 3 {2}mse /, /step-by-step vs FFT convolution: max \|difference\| = /]],
  ["mamba.ts", [/Mamba LM: \d+ parameters, vocabulary of 28/, /generated: "the .{12}"/]],
  ["sstransformer.ts", [/step 2 {2}loss [\d.]+/, /step-by-step vs parallel: max \|difference\| = /]],
  [
    "scan-property.ts",
    [/associativeScan == scan on every case/, /checkGrads: the parallel scan's jvp and vjp match finite differences/],
  ],
];
for (const [script, patterns] of cases) {
  test(`examples/${script} runs at tiny sizes`, () => {
    const out = run(script);
    for (const p of patterns) assert.match(out, p);
  });
}

test("examples/backend-swap.ts gives the CPU's numbers on WebGPU (SwiftShader)", () => {
  const out = run("backend-swap.ts", { EXAMPLES_REQUIRE_WEBGPU: "1" });
  assert.match(out, /jit\(grad\): max relative difference cpu vs webgpu = /);
  assert.match(out, /devicePutAsync: Array\(\[0, 2, 4, 6\], dtype=int32\) now on the CPU/);
});
