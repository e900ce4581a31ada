/**
 * A line chart as SVG text, with no dependencies: series of (x, y) points as lines and/or markers, linear or
 * logarithmic axes with ticks at 1, 2, 5 × 10^k, labelled horizontal and vertical reference lines, a legend.
 * Pure: {@link svgLineChart} returns the document.
 *
 * @module
 */

/** One point. */
export interface ChartPoint {
  x: number;
  y: number;
}

/** A series: a line through its points (sorted by x), or markers only. */
export interface ChartSeries {
  name: string;
  color: string;
  points: ChartPoint[];
  /** Markers only, no line. */
  markersOnly?: boolean;
  dashed?: boolean;
}

/** A labelled reference line across the plot at a value. */
export interface ChartRule {
  at: number;
  label: string;
  color: string;
}

/** What to draw. */
export interface LineChart {
  title: string;
  xLabel: string;
  yLabel: string;
  series: ChartSeries[];
  /** Horizontal lines at y values. */
  yRules?: ChartRule[];
  /** Vertical lines at x values. */
  xRules?: ChartRule[];
  logX?: boolean;
  logY?: boolean;
  width?: number;
  height?: number;
}

/** `&`, `<`, `>` and quotes escaped for SVG text and attributes. */
export function escapeXml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The 1, 2, 5 × 10^k values from the largest at or below `min` to the smallest at or above `max` (both > 0). */
export function logTicks(min: number, max: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(min)) - 1; exp <= Math.ceil(Math.log10(max)); exp++) {
    for (const m of [1, 2, 5]) ticks.push(Number((m * 10 ** exp).toPrecision(12)));
  }
  const lo = Math.max(...ticks.filter((t) => t <= min));
  const hi = Math.min(...ticks.filter((t) => t >= max));
  return ticks.filter((t) => t >= lo && t <= hi);
}

/** Evenly spaced round values (a step of 1, 2 or 5 × 10^k) covering [min, max], about `count` of them. */
export function linearTicks(min: number, max: number, count = 6): number[] {
  if (max <= min) max = min + 1;
  const raw = (max - min) / count;
  const base = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * base).find((s) => s >= raw)!;
  const ticks: number[] = [];
  for (let t = Math.floor(min / step) * step; t < max + step; t += step) {
    ticks.push(Number(t.toPrecision(12)));
    if (t >= max) break;
  }
  return ticks;
}

/** Maps `value` in [min, max] to [from, to], on a log scale when `log`. */
export function scale(
  value: number,
  min: number,
  max: number,
  from: number,
  to: number,
  log = false,
): number {
  const f = log ? (v: number) => Math.log10(v) : (v: number) => v;
  const share = (f(value) - f(min)) / (f(max) - f(min) || 1);
  return from + share * (to - from);
}

/** A tick label: 1200 → "1,200", 0.5 → "0.5". */
export function tickLabel(value: number): string {
  return value >= 1000 ? value.toLocaleString("en-US") : String(Number(value.toPrecision(3)));
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The chart as an SVG document. Points that are not finite (or not positive on a log axis) are left out. */
export function svgLineChart(chart: LineChart): string {
  const width = chart.width ?? 720;
  const height = chart.height ?? 460;
  const left = 70, right = 20, top = 40;
  const legendRows = legendRowCount(chart.series, width - left - right);
  const bottom = 56 + legendRows * 18;
  const usable = (p: ChartPoint) =>
    Number.isFinite(p.x) && Number.isFinite(p.y) && (!chart.logX || p.x > 0) && (!chart.logY || p.y > 0);
  const series = chart.series.map((s) => ({
    ...s,
    points: s.points.filter(usable).sort((a, b) => a.x - b.x),
  }));
  const xs = [...series.flatMap((s) => s.points.map((p) => p.x)), ...(chart.xRules ?? []).map((r) => r.at)];
  const ys = [...series.flatMap((s) => s.points.map((p) => p.y)), ...(chart.yRules ?? []).map((r) => r.at)];
  const finite = (values: number[], log?: boolean) =>
    values.filter((v) => Number.isFinite(v) && (!log || v > 0));
  const xv = finite(xs, chart.logX), yv = finite(ys, chart.logY);
  const xTicks = axisTicks(xv, chart.logX);
  const yTicks = axisTicks(yv, chart.logY);
  const [x0, x1] = [xTicks[0], xTicks[xTicks.length - 1]];
  const [y0, y1] = [yTicks[0], yTicks[yTicks.length - 1]];
  const px = (x: number) => round(scale(x, x0, x1, left, width - right, chart.logX));
  const py = (y: number) => round(scale(y, y0, y1, height - bottom, top, chart.logY));
  const out: string[] = [];
  out.push(
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15">${escapeXml(chart.title)}</text>`,
  );
  for (const t of xTicks) {
    out.push(
      `<line x1="${px(t)}" y1="${top}" x2="${px(t)}" y2="${height - bottom}" stroke="#e4e4e4"/>`,
      `<text x="${px(t)}" y="${height - bottom + 16}" text-anchor="middle">${tickLabel(t)}</text>`,
    );
  }
  for (const t of yTicks) {
    out.push(
      `<line x1="${left}" y1="${py(t)}" x2="${width - right}" y2="${py(t)}" stroke="#e4e4e4"/>`,
      `<text x="${left - 6}" y="${py(t) + 4}" text-anchor="end">${tickLabel(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${left}" y="${top}" width="${width - left - right}" height="${
      height - top - bottom
    }" fill="none" stroke="#888"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 14}" text-anchor="middle">${
      escapeXml(chart.xLabel)
    }</text>`,
    `<text x="16" y="${(top + height - bottom) / 2}" text-anchor="middle" transform="rotate(-90 16 ${
      (top + height - bottom) / 2
    })">${escapeXml(chart.yLabel)}</text>`,
  );
  for (const r of chart.yRules ?? []) {
    if (!finite([r.at], chart.logY).length) continue;
    out.push(
      `<line x1="${left}" y1="${py(r.at)}" x2="${width - right}" y2="${
        py(r.at)
      }" stroke="${r.color}" stroke-dasharray="6 4"/>`,
      `<text x="${width - right - 4}" y="${py(r.at) - 4}" text-anchor="end" fill="${r.color}">${
        escapeXml(r.label)
      }</text>`,
    );
  }
  for (const r of chart.xRules ?? []) {
    if (!finite([r.at], chart.logX).length) continue;
    out.push(
      `<line x1="${px(r.at)}" y1="${top}" x2="${px(r.at)}" y2="${
        height - bottom
      }" stroke="${r.color}" stroke-dasharray="6 4"/>`,
      // Near the right edge the label goes to the line's left.
      px(r.at) > width * 0.7
        ? `<text x="${px(r.at) - 4}" y="${top + 14}" text-anchor="end" fill="${r.color}">${
          escapeXml(r.label)
        }</text>`
        : `<text x="${px(r.at) + 4}" y="${top + 14}" fill="${r.color}">${escapeXml(r.label)}</text>`,
    );
  }
  for (const s of series) {
    const dash = s.dashed ? ` stroke-dasharray="4 3"` : "";
    if (!s.markersOnly && s.points.length > 1) {
      const points = s.points.map((p) => `${px(p.x)},${py(p.y)}`).join(" ");
      out.push(`<polyline points="${points}" fill="none" stroke="${s.color}" stroke-width="2"${dash}/>`);
    }
    for (const p of s.points) {
      out.push(
        `<circle cx="${px(p.x)}" cy="${py(p.y)}" r="3.5" fill="${s.color}"><title>${
          escapeXml(`${s.name}: ${tickLabel(p.x)}, ${tickLabel(p.y)}`)
        }</title></circle>`,
      );
    }
  }
  // The legend goes under the plot, in rows, where it can hide no point.
  let lx = left, ly = height - legendRows * 18 + 4;
  for (const s of series) {
    const w = 44 + s.name.length * 6.5;
    if (lx + w > width - right && lx > left) {
      lx = left;
      ly += 18;
    }
    if (!s.markersOnly) {
      out.push(
        `<line x1="${lx}" y1="${ly - 4}" x2="${lx + 20}" y2="${
          ly - 4
        }" stroke="${s.color}" stroke-width="2"/>`,
      );
    }
    out.push(
      `<circle cx="${lx + 10}" cy="${ly - 4}" r="3.5" fill="${s.color}"/>`,
      `<text x="${lx + 26}" y="${ly}">${escapeXml(s.name)}</text>`,
    );
    lx += w;
  }
  out.push("</svg>");
  return out.join("\n") + "\n";
}

/** How many rows the legend under the plot takes (the same layout as {@link svgLineChart} draws). */
function legendRowCount(series: ChartSeries[], span: number): number {
  let rows = 0, used = Infinity;
  for (const s of series) {
    const w = 44 + s.name.length * 6.5;
    if (used + w > span && used > 0) {
      rows++;
      used = 0;
    }
    used += w;
  }
  return rows;
}

/** An axis's ticks for `values` (its first and last are the axis's ends). */
function axisTicks(values: number[], log?: boolean): number[] {
  if (values.length === 0) return log ? [1, 10] : [0, 1];
  const min = Math.min(...values), max = Math.max(...values);
  if (log) return logTicks(min, max === min ? min * 10 : max);
  return linearTicks(Math.min(0, min), max);
}
