/**
 * Adapter selection in Node: with no driver named in the environment, `initWebGPU()` finds
 * SwiftShader by itself and says so; LINAX_WEBGPU_ADAPTER / the `adapter` option pick otherwise.
 * Each case runs in a fresh Node process (the Vulkan loader reads its variables once per instance,
 * and this process's tests have a device already). Needs the SwiftShader ICD, as every WebGPU test.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../..", import.meta.url));
const ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

/** Run `initWebGPU(opts)` in a child process with `env` (VK_* removed) and report what it printed. */
function child(opts: string, env: Record<string, string>): { out: string; err: string; status: number | null } {
  const script = `
import { initWebGPU, shutdownWebGPU } from "@linax-ts/backend-webgpu";
try {
  const be = await initWebGPU(${opts});
  console.log("ADAPTER " + be.adapterInfo);
  shutdownWebGPU();
} catch (e) { console.log("ERROR " + e.message); }
`;
  const base: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && !k.startsWith("VK_") && k !== "LINAX_WEBGPU_ADAPTER") base[k] = v;
  const r = spawnSync(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], {
    cwd: ROOT,
    env: { ...base, ...env },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { out: r.stdout, err: r.stderr, status: r.status };
}

test("initWebGPU finds the SwiftShader adapter by itself and says so", { skip: !existsSync(ICD) }, () => {
  const r = child("{}", {});
  assert.match(r.out, /ADAPTER .*swiftshader/i, r.out + r.err);
  assert.match(r.err, /using the SwiftShader software adapter/, r.err);
  const quiet = child("{ quiet: true }", {});
  assert.match(quiet.out, /ADAPTER .*swiftshader/i, quiet.out + quiet.err);
  assert.doesNotMatch(quiet.err, /using the SwiftShader/);
});

test(
  "an explicit choice wins: 'swiftshader' silently, 'system' without the fallback, bad names are errors",
  { skip: !existsSync(ICD) },
  () => {
    const sw = child("{}", { LINAX_WEBGPU_ADAPTER: "swiftshader" });
    assert.match(sw.out, /ADAPTER .*swiftshader/i, sw.out + sw.err);
    assert.doesNotMatch(sw.err, /using the SwiftShader/);
    // This machine has no GPU driver: "system" must not fall back, and the error says what works.
    const sys = child('{ adapter: "system" }', {});
    if (!/^ADAPTER /m.test(sys.out))
      assert.match(sys.out, /ERROR .*requestAdapter\(\) returned null.*chromium/, sys.out + sys.err);
    else assert.doesNotMatch(sys.out, /swiftshader/i, "a machine with a GPU driver");
    const bad = child('{ adapter: "lavapipe" }', {});
    assert.match(bad.out, /ERROR .*adapter "lavapipe".*not one of "auto", "system", "swiftshader"/, bad.out + bad.err);
  },
);
