/**
 * The benchmark suite (`npm run bench -- [options]`): linax-ts against tfjs (Wasm and CPU
 * backends), jax-js (wasm) and a plain JS loop floor, in one process, interleaved, median of N
 * after a warm-up; ratios printed; a JSON record written to bench/results/; with
 * `--write-readme`, the Markdown table written into README.md between the bench markers.
 * Speed targets live here, never in unit tests.
 *
 *   npm run bench                          full run (about five minutes today)
 *   npm run bench -- --quick               fewer repetitions, tighter per-case budgets
 *   npm run bench -- --filter matmul,sum   cases whose name or group contains one of the words
 *   npm run bench -- --backend webgpu      linax-ts on WebGPU; the CPU peers are skipped
 *
 * On the GPU machine: scripts/gpu-bundle.sh bundles this file (the peers are loaded through
 * computed specifiers, so they stay out of the bundle) and it runs with `node .gpu/app/x/bench.mjs
 * --backend webgpu` (LINAX_WEBGPU_ADAPTER=system for the real driver).
 */
import { parseArgs } from "node:util";
import { cpus } from "node:os";
import { setDefaultBackend, initWebGPU, shutdownWebGPU } from "linax-ts";
import { LINAX_IMPLS, REFS_OF_BACKEND, runCase, type Case, type Result, type RunOptions } from "./harness.ts";
import { consoleLines, machineInfo, markdown, writeJson, writeReadme, type RunRecord } from "./report.ts";
import { measureBandwidth, type Bandwidth } from "./bandwidth.ts";
import { matmulCases } from "./cases/matmul.ts";
import { elementwiseCases } from "./cases/elementwise.ts";
import { overheadCases } from "./cases/overhead.ts";
import { s5Cases } from "./cases/s5.ts";
import { tfjsInfo } from "./peers/tfjs.ts";

const HELP = `usage: npm run bench -- [options]
  --backend cpu|webgpu   linax-ts backend (default cpu; on webgpu the CPU peers are skipped)
  --filter a,b           only cases whose name or group contains one of these (case-insensitive)
  --repeats N            timed runs per implementation (default 7; --quick 3)
  --warmup N             untimed runs first (default 1)
  --budget S             stop repeating an implementation after S seconds on a case (default 15; --quick 6)
  --timeout S            no timed run when the warm-up took longer than S seconds (default 20; --quick 8;
                         the S5 cases allow 60), and skip a 2048³ matmul predicted to take longer
  --quick                the quick settings above
  --peers list           which peers run: tfjs-wasm,tfjs-cpu,jaxjs-wasm,js-loop on cpu, jaxjs-webgpu on webgpu
                         (default all of the backend's; "none")
  --no-bandwidth         skip the memory bandwidth measurement
  --json PATH            where the JSON record goes (default bench/results/<backend>-<date>.json)
  --write-readme         write the Markdown table into README.md between the bench markers
  --list                 list the cases and exit`;

/** The command line that reproduces the run, without the output options. */
function reproduceCommand(argv: string[]): string {
  const kept: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === "--write-readme") continue;
    if (argv[i] === "--json") i++;
    else if (!argv[i].startsWith("--json=")) kept.push(argv[i]);
  }
  const quote = (a: string): string => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, "'\\''")}'`);
  return kept.length === 0 ? "npm run bench" : `npm run bench -- ${kept.map(quote).join(" ")}`;
}

const ALL_PEERS = ["tfjs-wasm", "tfjs-cpu", "jaxjs-wasm", "js-loop", "jaxjs-webgpu"];
/** Peers that run beside each backend: the CPU libraries beside the CPU, jax-js's webgpu device beside WebGPU. */
const PEERS_OF_BACKEND = { cpu: ["tfjs-wasm", "tfjs-cpu", "jaxjs-wasm", "js-loop"], webgpu: ["jaxjs-webgpu"] };

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const { values: v } = parseArgs({
    args: argv,
    options: {
      backend: { type: "string", default: "cpu" },
      filter: { type: "string" },
      repeats: { type: "string" },
      warmup: { type: "string", default: "1" },
      budget: { type: "string" },
      timeout: { type: "string" },
      quick: { type: "boolean", default: false },
      peers: { type: "string" },
      "no-bandwidth": { type: "boolean", default: false },
      json: { type: "string" },
      "write-readme": { type: "boolean", default: false },
      list: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (v.help) return void console.log(HELP);
  const num = (name: string, s: string | undefined, dflt: number): number => {
    const x = s === undefined ? dflt : Number(s);
    if (!Number.isFinite(x) || x < 0)
      throw new Error(`bench: --${name} must be a non-negative number; got ${JSON.stringify(s)}`);
    return x;
  };
  const backend = v.backend ?? "cpu";
  if (backend !== "cpu" && backend !== "webgpu")
    throw new Error(`bench: --backend must be cpu or webgpu; got ${JSON.stringify(backend)}`);
  const quick = v.quick === true;
  const opts: RunOptions = {
    repeats: Math.max(1, Math.round(num("repeats", v.repeats, quick ? 3 : 7))),
    warmup: Math.max(1, Math.round(num("warmup", v.warmup, 1))),
    budgetS: num("budget", v.budget, quick ? 6 : 15),
    timeoutS: num("timeout", v.timeout, quick ? 8 : 20),
    log: (line) => process.stderr.write(line + "\n"),
  };
  const peers = v.peers === undefined ? ALL_PEERS : v.peers === "none" ? [] : v.peers.split(",").map((s) => s.trim());
  for (const p of peers)
    if (!ALL_PEERS.includes(p))
      throw new Error(`bench: unknown peer ${JSON.stringify(p)}; known: ${ALL_PEERS.join(", ")}`);

  const words = v.filter
    ?.split(",")
    .map((w) => w.trim().toLowerCase())
    .filter((w) => w !== "");
  const all: Case[] = [...matmulCases(), ...elementwiseCases(), ...overheadCases(), ...s5Cases()];
  const refsShown = REFS_OF_BACKEND[backend];
  const cases = all
    .filter((c) => c.backends === undefined || c.backends.includes(backend))
    .filter(
      (c) =>
        words === undefined || words.some((w) => c.name.toLowerCase().includes(w) || c.group.toLowerCase().includes(w)),
    )
    .map((c) =>
      c.reference === undefined
        ? c
        : {
            ...c,
            reference: Object.fromEntries(Object.entries(c.reference).filter(([r]) => refsShown.includes(r as never))),
          },
    );
  if (v.list)
    return void all.forEach((c) =>
      console.log(`${c.group.padEnd(13)} ${c.name}  [${c.variants.map((x) => x.impl).join(", ")}]`),
    );
  if (cases.length === 0) throw new Error(`bench: --filter ${JSON.stringify(v.filter)} matches no case (see --list)`);

  let adapter: string | undefined;
  if (backend === "webgpu") {
    adapter = (await initWebGPU()).adapterInfo;
    console.log(`webgpu adapter: ${adapter}`);
  }
  setDefaultBackend(backend);
  // The CPU peers run beside the CPU backend; beside WebGPU, jax-js on its webgpu device.
  const active = peers.filter((p) => PEERS_OF_BACKEND[backend].includes(p));
  const peerNotes: string[] = [];
  if (active.some((p) => p.startsWith("tfjs"))) peerNotes.push(await tfjsInfo());
  if (active.includes("jaxjs-wasm")) peerNotes.push("jax-js wasm: 1 thread (Node has no Web Worker global)");

  let bandwidth: Bandwidth | undefined;
  if (backend === "cpu" && v["no-bandwidth"] !== true && cases.some((c) => c.work?.unit === "B")) {
    bandwidth = await measureBandwidth(5, cpus().length);
    console.log(
      `memory bandwidth: ${bandwidth.figures.map((f) => `${f.name} ${f.gbPerS.toFixed(1)} GB/s`).join(", ")}\n`,
    );
  }

  const t0 = performance.now();
  const results: Result[] = [];
  for (const c of cases) {
    const variants = c.variants.filter((x) => LINAX_IMPLS.includes(x.impl) || active.includes(x.impl));
    opts.log(`running ${c.name} (${variants.map((x) => x.impl).join(", ")})`);
    const rs = await runCase(c, variants, opts, results);
    results.push(...rs);
    console.log(consoleLines(c, rs, bandwidth?.bestGbPerS).join("\n") + "\n");
  }
  console.log(`total ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  if (backend === "webgpu") shutdownWebGPU();

  const date = new Date().toISOString();
  const rec: RunRecord = {
    date,
    command: reproduceCommand(argv),
    backend,
    options: { ...opts, log: undefined, peers: active },
    machine: { ...machineInfo(), adapter },
    peers: peerNotes,
    bandwidth,
    cases: cases.map((c) => ({
      name: c.name,
      group: c.group,
      work: c.work,
      opsPerRun: c.opsPerRun,
      reference: c.reference,
      note: c.note,
    })),
    results,
  };
  // Paths are relative to the working directory: the repository root under `npm run bench`.
  const jsonPath = v.json ?? `bench/results/${backend}-${date.replace(/[:.]/g, "-")}.json`;
  writeJson(jsonPath, rec);
  console.log(`results: ${jsonPath}`);
  const table = markdown(rec, cases);
  console.log(`\n${table}\n`);
  if (v["write-readme"]) {
    const readme = "README.md";
    writeReadme(readme, table);
    console.log(`README: ${readme} updated`);
  }
}

await main();
