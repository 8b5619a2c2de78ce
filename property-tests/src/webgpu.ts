/**
 * WebGPU in tests: one backend per test process (Node's runner gives each test file its own), on
 * SwiftShader's software Vulkan adapter when no other is configured — the adapter CI has, from
 * Debian's `chromium` package (installed by .ci/run). Tests then compare WebGPU results with the
 * CPU reference backend.
 */
import { existsSync } from "node:fs";
import { after } from "node:test";
import { devicePut, getBackend, setDefaultBackend, type Array } from "linax-ts";
import { initWebGPU, shutdownWebGPU, type WebGPUBackend } from "@linax-ts/backend-webgpu";

const SWIFTSHADER_ICD = "/usr/lib/chromium/vk_swiftshader_icd.json";

// Registered at import (the file's top level): an `after` called inside a `before` hook would
// belong to that hook and destroy the device before the first test.
after(() => shutdownWebGPU());

/**
 * Initialise the "webgpu" backend for this test file (once), shutting it down after the file's
 * tests. Without an adapter this throws: CI installs one, so a missing adapter is a failure there.
 */
export async function setupWebGPU(): Promise<WebGPUBackend> {
  // LINAX_WEBGPU_ADAPTER=system uses whatever Vulkan driver the machine has (a real GPU).
  if (
    process.env.LINAX_WEBGPU_ADAPTER !== "system" &&
    process.env.VK_ICD_FILENAMES === undefined &&
    existsSync(SWIFTSHADER_ICD)
  ) {
    process.env.VK_ICD_FILENAMES = SWIFTSHADER_ICD;
  }
  process.env.XDG_RUNTIME_DIR ??= "/tmp";
  return initWebGPU();
}

/**
 * Run `fn` with `name` as the default backend (so arrays it creates from JS values live there).
 * An async `fn` keeps that default until its promise settles — don't interleave two of them.
 */
export function onBackend<T>(name: string, fn: () => T): T {
  const prev = getBackend().name;
  setDefaultBackend(name);
  let result: T;
  try {
    result = fn();
  } catch (e) {
    setDefaultBackend(prev);
    throw e;
  }
  if (result instanceof Promise) {
    return result.finally(() => setDefaultBackend(prev)) as T;
  }
  setDefaultBackend(prev);
  return result;
}

/** Read an array on any backend (WebGPU reads are async) as plain numbers (complex interleaved). */
export async function readValues(a: Array): Promise<number[]> {
  return globalThis.Array.from((await a.data()) as ArrayLike<number>);
}

/** Move a CPU array to WebGPU. */
export const toWebGPU = (a: Array): Array => devicePut(a, "webgpu");
