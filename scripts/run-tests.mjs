#!/usr/bin/env node
// Runs every `*.test.ts` file (or those under the folders given as arguments) with Node's own
// test runner, loading TypeScript through tsx. Node 20 has no glob support in `--test`, so we list
// the files here.
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { spawnSync } from "node:child_process";

const roots = process.argv.slice(2);
const searchRoots = roots.length > 0 ? roots : ["packages", "property-tests", "examples", "apps"];
const files = [];
function walk(dir) {
  for (const name of readdirSync(dir)) {
    if (name === "node_modules" || name.startsWith(".")) continue;
    const p = join(dir, name);
    const st = statSync(p);
    if (st.isDirectory()) walk(p);
    else if (name.endsWith(".test.ts")) files.push(p);
  }
}
for (const r of searchRoots) {
  if (statSync(r).isDirectory()) walk(r);
  else files.push(r);
}
files.sort();
if (files.length === 0) {
  console.error("run-tests: no test files found under", searchRoots.join(", "));
  process.exit(1);
}
const args = [
  "--expose-gc",
  "--import",
  "tsx",
  "--test",
  "--test-reporter=spec",
  `--test-concurrency=${process.env.TEST_CONCURRENCY ?? 2}`,
  ...files,
];
const r = spawnSync(process.execPath, args, { stdio: "inherit" });
process.exit(r.status ?? 1);
