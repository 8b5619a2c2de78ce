/**
 * The compile layer and the backends raise the library's error classes (issue #15: one
 * hierarchy): no plain `throw new Error(` is left in packages/core/src/compile/** or
 * packages/backend-*\/src/**. A source audit, so a new plain Error fails here with its place.
 */
import { test } from "node:test";
import assert from "node:assert/strict";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

/** [file, text]: plain Errors that cannot be library classes, each with the reason. */
const ALLOWED: [string, string][] = [
  // Inside the worker's JavaScript source string: the worker has no access to the library's classes.
  ["backend-cpu/src/wasm/threads/kernel-pool.ts", "kernel pool: a worker called an imported function"],
  ["backend-cpu/src/wasm/threads/pool-workers.ts", "worker pool: a worker called an imported function"],
];

const root = fileURLToPath(new URL("../../..", import.meta.url));

function tsFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? tsFiles(p) : p.endsWith(".ts") ? [p] : [];
  });
}

test("no plain `throw new Error(` in core/src/compile and the backends' sources", () => {
  const dirs = [
    "packages/core/src/compile",
    ...readdirSync(join(root, "packages"))
      .filter((d) => d.startsWith("backend-"))
      .map((d) => `packages/${d}/src`),
  ];
  const files = dirs.flatMap((d) => tsFiles(join(root, d)));
  assert.ok(files.length > 50, `found only ${files.length} files`);
  const hits = files.flatMap((f) =>
    readFileSync(f, "utf8")
      .split("\n")
      .flatMap((l, i) =>
        /throw new Error\(/.test(l) && !ALLOWED.some((a) => f.endsWith(a[0]) && l.includes(a[1]))
          ? [`${f.slice(root.length)}:${i + 1}: ${l.trim()}`]
          : [],
      ),
  );
  assert.deepEqual(hits, []);
});
