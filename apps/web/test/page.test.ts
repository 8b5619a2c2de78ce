/**
 * End-to-end test of the digit page in headless Chromium (Debian's `chromium`, driven by
 * playwright-core): the page is built with Vite and served from http://127.0.0.1:PORT by the
 * test itself; mouse events draw digits on the pad; the test checks the predicted class, the
 * bar chart, the latency, the row-by-row predictions and which backend ran — WebGPU (on
 * SwiftShader through `--enable-unsafe-webgpu`) and the CPU fallback with WebGPU removed.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build, preview, type PreviewServer } from "vite";
import { chromium, type Browser, type Page } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const configFile = fileURLToPath(new URL("../vite.config.ts", import.meta.url));
let server: PreviewServer;
let url: string;
let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  await build({ configFile, logLevel: "error" });
  server = await preview({ configFile, preview: { host: "127.0.0.1", port: 0, strictPort: false }, logLevel: "error" });
  url = server.resolvedUrls!.local[0];
  assert.match(url, /^http:\/\/127\.0\.0\.1:\d+\/$/);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // WebGPU on SwiftShader's Vulkan: Chromium's WebGPU needs the unsafe flag on Linux.
    args: [
      "--enable-unsafe-webgpu",
      "--enable-features=Vulkan",
      "--use-vulkan=swiftshader",
      "--use-webgpu-adapter=swiftshader",
      "--disable-vulkan-surface",
      "--no-sandbox",
    ],
  });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((resolve) => (server ? server.httpServer.close(() => resolve()) : resolve()));
});

/** A stroke through `points` (pad coordinates, 0..280) with mouse events. */
async function stroke(page: Page, points: [number, number][]): Promise<void> {
  const box = (await page.locator("#pad").boundingBox())!;
  const to = ([x, y]: [number, number]) => [box.x + (x * box.width) / 280, box.y + (y * box.height) / 280] as const;
  await page.mouse.move(...to(points[0]));
  await page.mouse.down();
  for (const p of points.slice(1)) await page.mouse.move(...to(p), { steps: 4 });
  await page.mouse.up();
}

const ellipse = (cx: number, cy: number, rx: number, ry: number, n = 24): [number, number][] =>
  Array.from({ length: n + 1 }, (_, i) => [
    cx + rx * Math.sin((2 * Math.PI * i) / n),
    cy - ry * Math.cos((2 * Math.PI * i) / n),
  ]);

async function classified(page: Page): Promise<{ cls: string; probs: number[]; latency: string; rows: string[] }> {
  await page.waitForFunction(
    () => document.body.dataset.state === "done" || document.body.dataset.state === "error",
    null,
    { timeout: 120_000 },
  );
  assert.equal(
    await page.evaluate(() => document.body.dataset.state),
    "done",
    (await page.locator("#status").textContent()) ?? "",
  );
  const cls = (await page.locator("#prediction").getAttribute("data-class"))!;
  const probs = await page
    .locator("#bars .bar")
    .evaluateAll((rows) => rows.map((r) => Number((r as HTMLElement).dataset.prob)));
  const rows = await page
    .locator("#rows .row")
    .evaluateAll((cells) => cells.map((c) => (c as HTMLElement).dataset.class ?? ""));
  return { cls, probs, latency: (await page.locator("#latency").textContent())!, rows };
}

async function drawAndCheck(page: Page): Promise<void> {
  await page.waitForFunction(
    () => document.body.dataset.state === "ready" || document.body.dataset.state === "error",
    null,
    { timeout: 120_000 },
  );
  assert.equal(
    await page.evaluate(() => document.body.dataset.state),
    "ready",
    (await page.locator("#status").textContent()) ?? "",
  );
  assert.match(
    (await page.locator("#status").textContent())!,
    /model: S5, \d+ blocks, H\d+, state \d+, [\d,]+ parameters, [\d.]+% on its held-out digits/,
  );

  // A "1": one vertical stroke.
  await stroke(page, [
    [140, 40],
    [140, 240],
  ]);
  const one = await classified(page);
  assert.equal(one.cls, "1", `probabilities ${one.probs.map((p) => p.toFixed(3)).join(" ")}`);
  assert.ok(Math.abs(one.probs.reduce((a, b) => a + b, 0) - 1) < 1e-3, "the bar chart's probabilities sum to 1");
  assert.equal(one.probs.indexOf(Math.max(...one.probs)), 1);
  assert.match(one.latency, /^\d+(\.\d)? ms/);
  assert.equal(one.rows.length, 28);
  assert.ok(
    one.rows.every((r) => /^\d$/.test(r)),
    "every row has a prediction",
  );
  assert.equal(one.rows[27], "1", "after the last row the recurrent prediction is the parallel one");

  // A "0": an ellipse, on a cleared pad.
  await page.click("#clear");
  await stroke(page, ellipse(140, 140, 60, 90));
  const zero = await classified(page);
  assert.equal(zero.cls, "0", `probabilities ${zero.probs.map((p) => p.toFixed(3)).join(" ")}`);
  assert.equal(zero.rows[27], "0");
}

test("WebGPU: the page runs the model on WebGPU (SwiftShader) and classifies drawn digits", async () => {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  await page.goto(url);
  await drawAndCheck(page);
  assert.equal(
    await page.locator("#backend").getAttribute("data-backend"),
    "webgpu",
    (await page.locator("#backend-detail").textContent()) ?? "",
  );
  assert.deepEqual(errors, []);
  await page.close();
});

test("CPU fallback: with WebGPU removed from the browser the page says so and still classifies", async () => {
  const context = await browser.newContext();
  // A browser without WebGPU: navigator.gpu does not exist.
  await context.addInitScript(() => {
    delete (Navigator.prototype as unknown as { gpu?: unknown }).gpu;
  });
  const page = await context.newPage();
  await page.goto(url);
  await drawAndCheck(page);
  assert.equal(await page.locator("#backend").getAttribute("data-backend"), "cpu");
  assert.match((await page.locator("#backend-detail").textContent())!, /no WebGPU \(navigator\.gpu is missing\)/);
  await context.close();
});
