/**
 * Learning curves: an SVG file (train loss per step and per epoch, test accuracy per epoch) and a
 * one-line terminal sparkline. Plain string building — no plotting dependency.
 */
import type { EpochRecord } from "./checkpoint.ts";

const BARS = "▁▂▃▄▅▆▇█";

/** `values` as a sparkline of at most `width` characters (buckets averaged). */
export function sparkline(values: readonly number[], width = 40): string {
  const finite = values.filter(Number.isFinite);
  if (finite.length === 0) return "";
  const n = Math.min(width, values.length);
  const buckets: number[] = [];
  for (let b = 0; b < n; b++) {
    const lo = Math.floor((b * values.length) / n);
    const hi = Math.max(lo + 1, Math.floor(((b + 1) * values.length) / n));
    const part = values.slice(lo, hi).filter(Number.isFinite);
    buckets.push(part.reduce((a, v) => a + v, 0) / Math.max(1, part.length));
  }
  const min = Math.min(...buckets);
  const max = Math.max(...buckets);
  return buckets.map((v) => BARS[max === min ? 3 : Math.round(((v - min) / (max - min)) * (BARS.length - 1))]).join("");
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;");

interface Panel {
  title: string;
  series: { points: [number, number][]; color: string; width: number; label: string; dots?: boolean }[];
  xLabel: string;
  yMin?: number;
  yMax?: number;
}

function niceTicks(lo: number, hi: number, n = 5): number[] {
  const span = hi - lo || 1;
  const step = 10 ** Math.floor(Math.log10(span / n));
  const s = [1, 2, 5, 10].map((m) => m * step).find((m) => span / m <= n) ?? 10 * step;
  const ticks: number[] = [];
  for (let t = Math.ceil(lo / s) * s; t <= hi + 1e-9; t += s) ticks.push(Number(t.toPrecision(6)));
  return ticks;
}

function panel(p: Panel, x0: number, y0: number, w: number, h: number): string {
  const all = p.series.flatMap((s) => s.points);
  if (all.length === 0) return "";
  const xs = all.map((q) => q[0]);
  const ys = all.map((q) => q[1]).filter(Number.isFinite);
  const [xMin, xMax] = [Math.min(...xs), Math.max(...xs, Math.min(...xs) + 1)];
  const yMin = p.yMin ?? Math.min(...ys);
  const yMax = p.yMax ?? Math.max(...ys, yMin + 1e-6);
  const [L, R, T, B] = [50, 10, 28, 36];
  const sx = (x: number) => x0 + L + ((x - xMin) / (xMax - xMin)) * (w - L - R);
  const sy = (y: number) => y0 + T + (1 - (y - yMin) / (yMax - yMin)) * (h - T - B);
  const out = [`<text x="${x0 + L}" y="${y0 + 18}" font-size="14" font-weight="bold">${esc(p.title)}</text>`];
  for (const t of niceTicks(yMin, yMax))
    out.push(
      `<line x1="${x0 + L}" x2="${x0 + w - R}" y1="${sy(t)}" y2="${sy(t)}" stroke="#ddd"/><text x="${x0 + L - 6}" y="${sy(t) + 4}" font-size="11" text-anchor="end">${t}</text>`,
    );
  for (const t of niceTicks(xMin, xMax))
    out.push(`<text x="${sx(t)}" y="${y0 + h - B + 16}" font-size="11" text-anchor="middle">${t}</text>`);
  out.push(
    `<text x="${x0 + (L + w - R) / 2}" y="${y0 + h - 6}" font-size="12" text-anchor="middle">${esc(p.xLabel)}</text>`,
  );
  out.push(`<rect x="${x0 + L}" y="${y0 + T}" width="${w - L - R}" height="${h - T - B}" fill="none" stroke="#888"/>`);
  p.series.forEach((s, i) => {
    const pts = s.points.filter((q) => Number.isFinite(q[1]));
    if (pts.length === 0) return;
    out.push(
      `<polyline fill="none" stroke="${s.color}" stroke-width="${s.width}" points="${pts.map((q) => `${sx(q[0]).toFixed(1)},${sy(q[1]).toFixed(1)}`).join(" ")}"/>`,
    );
    if (s.dots)
      for (const q of pts)
        out.push(`<circle cx="${sx(q[0]).toFixed(1)}" cy="${sy(q[1]).toFixed(1)}" r="3" fill="${s.color}"/>`);
    out.push(
      `<text x="${x0 + w - R - 4}" y="${y0 + T + 16 + 14 * i}" font-size="11" text-anchor="end" fill="${s.color}">${esc(s.label)}</text>`,
    );
  });
  return out.join("\n");
}

/**
 * The learning curves as an SVG document: train loss (every step, and the epoch means) and test
 * accuracy per epoch, side by side.
 */
export function learningCurvesSvg(
  history: readonly EpochRecord[],
  stepLosses: readonly number[],
  stepsPerEpoch: number,
  title: string,
): string {
  const [W, H] = [900, 340];
  const loss: Panel = {
    title: "train loss",
    xLabel: "epoch",
    yMin: 0,
    series: [
      { points: stepLosses.map((l, i) => [(i + 1) / stepsPerEpoch, l]), color: "#9ecae1", width: 1, label: "per step" },
      {
        points: history.map((h) => [h.epoch, h.trainLoss]),
        color: "#08519c",
        width: 2,
        label: "epoch mean",
        dots: true,
      },
    ],
  };
  const acc: Panel = {
    title: "test accuracy (%)",
    xLabel: "epoch",
    series: [
      {
        points: history.map((h) => [h.epoch, 100 * h.testAccuracy]),
        color: "#a50f15",
        width: 2,
        label: "held-out digits",
        dots: true,
      },
    ],
  };
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H + 24}" viewBox="0 0 ${W} ${H + 24}" font-family="sans-serif">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${W / 2}" y="18" font-size="13" text-anchor="middle">${esc(title)}</text>`,
    `<g>${panel(loss, 0, 24, W / 2, H)}</g>`,
    `<g>${panel(acc, W / 2, 24, W / 2, H)}</g>`,
    `</svg>`,
  ].join("\n");
}
