/**
 * Reporting: the console summary, the Markdown table (for the README's performance section, between
 * `<!-- bench:start -->` and `<!-- bench:end -->`), and the JSON record of a run.
 */
import { readFileSync, writeFileSync, mkdirSync } from "node:fs";
import { cpus, loadavg } from "node:os";
import { dirname } from "node:path";
import { IMPLS, IMPL_LABEL, LINAX_IMPLS, REFS, REF_LABEL, type Case, type ImplId, type Result } from "./harness.ts";
import type { Bandwidth } from "./bandwidth.ts";

/** Everything a run produced, as written to bench/results/*.json. */
export interface RunRecord {
  date: string;
  command: string;
  backend: string;
  options: Record<string, unknown>;
  machine: { cpu: string; cores: number; node: string; loadavg: number[]; adapter?: string };
  peers: string[];
  bandwidth?: Bandwidth;
  cases: {
    name: string;
    group: string;
    work?: Case["work"];
    opsPerRun?: number;
    reference?: Case["reference"];
    note?: string;
  }[];
  results: Result[];
}

export function machineInfo(): RunRecord["machine"] {
  const c = cpus();
  return {
    cpu: c[0]?.model ?? "unknown",
    cores: c.length,
    node: process.version,
    loadavg: loadavg().map((x) => Math.round(x * 100) / 100),
  };
}

/** A duration in ms, in a readable unit. */
export function fmtTime(ms: number): string {
  if (!Number.isFinite(ms)) return "—";
  if (ms < 1) return `${(ms * 1000).toPrecision(3)} µs`;
  if (ms < 1000) return `${ms.toPrecision(3)} ms`;
  return `${(ms / 1000).toPrecision(3)} s`;
}

/** A throughput figure (`unit` per second), with the share of memory bandwidth for bytes. */
export function fmtRate(r: Result, bandwidthGbPerS?: number): string {
  if (r.ratePerS === undefined || r.unit === undefined || r.unit === "op") return "";
  const v = r.ratePerS;
  if (r.unit === "FLOP") return `${(v / 1e9).toPrecision(3)} GFLOP/s`;
  if (r.unit === "B") {
    const gb = v / 1e9;
    const share = bandwidthGbPerS === undefined ? "" : ` (${Math.round((100 * gb) / bandwidthGbPerS)}% bw)`;
    return `${gb.toPrecision(3)} GB/s${share}`;
  }
  if (r.unit === "token")
    return v >= 1e6 ? `${(v / 1e6).toPrecision(3)} M tok/s` : `${(v / 1e3).toPrecision(3)} k tok/s`;
  return `${v.toPrecision(3)} ${r.unit}/s`;
}

const ok = (r: Result): boolean => r.error === undefined && r.skipped === undefined && Number.isFinite(r.medianMs);

/** The fastest linax-ts result of a case. */
function bestLinax(rs: Result[]): Result | undefined {
  return rs.filter((r) => ok(r) && LINAX_IMPLS.includes(r.impl)).sort((a, b) => a.medianMs - b.medianMs)[0];
}

/** Speedups of the best linax-ts result over each peer and reference: `peer time / linax time`. */
export function speedups(c: Case, rs: Result[]): { against: string; x: number }[] {
  const best = bestLinax(rs);
  if (best === undefined) return [];
  const out: { against: string; x: number }[] = [];
  for (const r of rs)
    if (ok(r) && !LINAX_IMPLS.includes(r.impl))
      out.push({ against: IMPL_LABEL[r.impl], x: r.medianMs / best.medianMs });
  for (const ref of REFS) {
    const ms = c.reference?.[ref];
    if (ms !== undefined) out.push({ against: REF_LABEL[ref].replace(/ \(.*\)$/, ""), x: ms / best.medianMs });
  }
  return out;
}

const fmtX = (x: number): string => `${x >= 10 ? x.toFixed(0) : x >= 1 ? x.toFixed(1) : x.toPrecision(2)}×`;

/** Console lines for one case's results. */
export function consoleLines(c: Case, rs: Result[], bw?: number): string[] {
  const lines = [`${c.name}${c.note === undefined ? "" : `  (${c.note})`}`];
  for (const r of rs) {
    const label = IMPL_LABEL[r.impl].padEnd(16);
    if (r.skipped !== undefined) lines.push(`  ${label} skipped: ${r.skipped}`);
    else if (!ok(r)) lines.push(`  ${label} failed: ${r.error ?? "?"}`);
    else {
      const per = c.opsPerRun === undefined ? "" : "/op";
      const cold = r.coldOnly
        ? `  [cold run only, incl. compile]`
        : `  (n=${r.samplesMs.length}, warm-up ${fmtTime(r.warmupMs)})`;
      lines.push(`  ${label} ${(fmtTime(r.medianMs) + per).padStart(12)}  ${fmtRate(r, bw).padEnd(24)}${cold}`);
    }
  }
  for (const ref of REFS)
    if (c.reference?.[ref] !== undefined)
      lines.push(`  ${REF_LABEL[ref].padEnd(16)} ${fmtTime(c.reference[ref] as number).padStart(12)}  (fixed figure)`);
  const sp = speedups(c, rs);
  if (sp.length > 0) lines.push(`  linax-ts speedup: ${sp.map((s) => `${fmtX(s.x)} vs ${s.against}`).join(", ")}`);
  return lines;
}

/** The Markdown table of a run, with the command that reproduces it and the footnotes. */
export function markdown(rec: RunRecord, cases: Case[]): string {
  const byCase = new Map<string, Result[]>();
  for (const r of rec.results) byCase.set(r.case, [...(byCase.get(r.case) ?? []), r]);
  const shown = cases.filter((c) => byCase.has(c.name));
  const impls = IMPLS.filter((id: ImplId) => rec.results.some((r) => r.impl === id));
  const refs = REFS.filter((ref) => shown.some((c) => c.reference?.[ref] !== undefined));
  const bw = rec.bandwidth?.bestGbPerS;
  let cold = false;
  let skip = false;
  const rows = shown.map((c) => {
    const rs = byCase.get(c.name) ?? [];
    const cells = impls.map((id) => {
      const r = rs.find((x) => x.impl === id);
      if (r === undefined) return "";
      if (r.skipped !== undefined) {
        skip = true;
        return "skipped²";
      }
      if (!ok(r)) return "failed";
      cold ||= r.coldOnly;
      const rate = fmtRate(r, bw);
      return `${fmtTime(r.medianMs)}${c.opsPerRun === undefined ? "" : "/op"}${r.coldOnly ? "¹" : ""}${rate === "" ? "" : `<br>${rate}`}`;
    });
    const refCells = refs.map((ref) => (c.reference?.[ref] === undefined ? "" : fmtTime(c.reference[ref] as number)));
    const sp = speedups(c, rs)
      .map((s) => `${fmtX(s.x)} vs ${s.against}`)
      .join("<br>");
    return `| ${c.name} | ${[...cells, ...refCells, sp].join(" | ")} |`;
  });
  const header = `| case | ${[...impls.map((id) => IMPL_LABEL[id]), ...refs.map((r) => REF_LABEL[r]), "linax-ts speedup (best of eager/jit)"].join(" | ")} |`;
  const sep = `|${" --- |".repeat(impls.length + refs.length + 2)}`;
  const m = rec.machine;
  const bwLine =
    rec.bandwidth === undefined
      ? ""
      : `Memory bandwidth (64 MiB arrays): ${rec.bandwidth.figures.map((f) => `${f.name} ${f.gbPerS.toFixed(1)} GB/s`).join(", ")}; "% bw" is against the best, ${rec.bandwidth.bestGbPerS.toFixed(1)} GB/s.\n\n`;
  return [
    `Measured ${rec.date.slice(0, 16).replace("T", " ")} UTC on ${m.cores}× ${m.cpu}, Node ${m.node}, backend \`${rec.backend}\`${m.adapter === undefined ? "" : ` (adapter: ${m.adapter})`} (load average ${m.loadavg.join(", ")}; the machine is shared, so figures are noisy). Reproduce with:`,
    "",
    "```sh",
    rec.command,
    "```",
    "",
    `Median of the timed runs after a warm-up, all implementations interleaved in one process; a run ends when its result is computed. ${rec.peers.map((p) => `${p}. `).join("")}Speedup = peer time ÷ linax-ts time (above 1: linax-ts is faster).`,
    "",
    bwLine + header,
    sep,
    ...rows,
    ...(cold || skip ? [""] : []),
    ...(cold
      ? ["¹ One cold run only (it includes tracing and compilation): its warm-up exceeded the per-case timeout.  "]
      : []),
    ...(skip ? ["² Not run: its time on the next smaller size predicts a run beyond the per-case timeout."] : []),
  ].join("\n");
}

export const README_START = "<!-- bench:start -->";
export const README_END = "<!-- bench:end -->";

/** Replaces the README's benchmark block (appending a Performance section if it has none). */
export function writeReadme(path: string, table: string): void {
  const text = readFileSync(path, "utf8");
  const block = `${README_START}\n${table}\n${README_END}`;
  const i = text.indexOf(README_START);
  const j = text.indexOf(README_END);
  let out: string;
  if (i >= 0 && j > i) out = text.slice(0, i) + block + text.slice(j + README_END.length);
  else if (i < 0 && j < 0) out = `${text.trimEnd()}\n\n## Performance\n\n${block}\n`;
  else throw new Error(`${path}: unbalanced benchmark markers (${README_START} … ${README_END})`);
  writeFileSync(path, out);
}

/** Writes the JSON record, creating the folder. */
export function writeJson(path: string, rec: RunRecord): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, JSON.stringify(rec, null, 2) + "\n");
}
