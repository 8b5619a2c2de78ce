/**
 * The CPU backend's worker pools in a real browser (headless Debian `chromium`, driven by
 * playwright-core, as apps/web/test does): the page in test/browser/ is built with Vite and served
 * twice by the test — with the COOP/COEP headers that make it cross-origin isolated (shared
 * memory: both pools run on Web Workers) and without (no shared memory: one thread). The isolated
 * page's threaded matmul and fused kernel must give the one-thread page's bits exactly, its Web
 * Workers must have run chunks of both pools, and its own GEMM pool must equal the single-thread
 * GEMM there. The page runs on the main thread, where the caller spins instead of Atomics.wait.
 */
import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { tmpdir } from "node:os";
import { extname, join, normalize } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "vite";
import { chromium, type Browser } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const root = fileURLToPath(new URL("./browser/", import.meta.url));
const outDir = mkdtempSync(join(tmpdir(), "linax-cpu-threads-"));
let server: Server;
let origin: string;
let browser: Browser;

const TYPES: Record<string, string> = {
  ".html": "text/html",
  ".js": "text/javascript",
  ".wasm": "application/wasm",
  ".css": "text/css",
};

before(async () => {
  if (!existsSync(CHROMIUM))
    throw new Error(
      `${CHROMIUM} not found: install Debian's chromium (apt-get install -y chromium) or set CHROMIUM_PATH`,
    );
  await build({
    root,
    configFile: false,
    base: "./",
    logLevel: "error",
    build: { outDir, emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 8192 },
  });
  // /isolated/… and /plain/… serve the same files; only the first sends the isolation headers.
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const [, mode, ...rest] = url.pathname.split("/");
    const file = normalize(join(outDir, rest.join("/") || "index.html"));
    if ((mode !== "isolated" && mode !== "plain") || !file.startsWith(outDir) || !existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const headers: Record<string, string> = { "Content-Type": TYPES[extname(file)] ?? "application/octet-stream" };
    if (mode === "isolated") {
      headers["Cross-Origin-Opener-Policy"] = "same-origin";
      headers["Cross-Origin-Embedder-Policy"] = "require-corp";
    }
    res.writeHead(200, headers).end(readFileSync(file));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const addr = server.address();
  assert.ok(addr !== null && typeof addr === "object");
  origin = `http://127.0.0.1:${addr.port}`;
  browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ["--no-sandbox"] });
});

after(async () => {
  await browser?.close();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  rmSync(outDir, { recursive: true, force: true });
});

interface PageResult {
  isolated: boolean;
  shared: boolean;
  kernelPool: boolean;
  kernelWorkerChunks: number;
  gemmPoolWorkerChunks: number;
  gemmPoolEqualsOneThread: boolean | null;
  matmulBits: number[];
  chainBits: number[];
  error?: string;
}

async function open(mode: "isolated" | "plain"): Promise<PageResult> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(e.message));
  try {
    await page.goto(`${origin}/${mode}/index.html`);
    await page.waitForFunction(() => (window as unknown as { result?: unknown }).result !== undefined, null, {
      timeout: 120_000,
    });
    const r = await page.evaluate(() => (window as unknown as { result: PageResult }).result);
    assert.equal(r.error, undefined, r.error);
    assert.deepEqual(errors, []);
    return r;
  } finally {
    await page.close();
  }
}

test("a cross-origin isolated page runs the matmul and fused kernels on Web Workers, with the one-thread page's bits", async (t) => {
  const iso = await open("isolated");
  const plain = await open("plain");
  t.diagnostic(
    `isolated page: kernel-pool worker ranges ${iso.kernelWorkerChunks}, GEMM-pool worker chunks ${iso.gemmPoolWorkerChunks}`,
  );
  assert.equal(iso.isolated, true, "COOP/COEP make the page cross-origin isolated");
  assert.equal(iso.shared, true, "the heap is a shared WebAssembly.Memory");
  assert.equal(iso.kernelPool, true);
  assert.ok(iso.kernelWorkerChunks > 0, "Web Workers ran ranges of the fused kernel");
  assert.ok(iso.gemmPoolWorkerChunks > 0, "Web Workers ran chunks of the GEMM");
  assert.equal(iso.gemmPoolEqualsOneThread, true, "GEMM pool == single-thread GEMM");
  assert.equal(plain.isolated, false);
  assert.equal(plain.shared, false, "no shared memory without isolation");
  assert.equal(plain.kernelPool, false, "one thread");
  assert.equal(plain.gemmPoolEqualsOneThread, null);
  assert.equal(iso.matmulBits.length, 384 * 320);
  assert.equal(iso.chainBits.length, 301 * 517);
  const firstDiff = (p: number[], q: number[]): number => p.findIndex((v, i) => v !== q[i]);
  assert.equal(firstDiff(iso.matmulBits, plain.matmulBits), -1, "threaded matmul == one-thread matmul, bit for bit");
  assert.equal(firstDiff(iso.chainBits, plain.chainBits), -1, "threaded kernel == one-thread kernel, bit for bit");
});
