/**
 * A small SVG writer for the bench's charts: panels of horizontal bars, grouped, on a linear or log scale,
 * with an optional target line. Plain SVG 1.1 with system fonts, so that GitHub, browsers and
 * `rsvg-convert` draw it alike; no dependency.
 */

export interface Bar {
  label: string;
  value: number;
  /** The text after the bar; default the value. */
  text?: string;
  color?: string;
}

export interface Group {
  title: string;
  bars: Bar[];
}

export interface Panel {
  title: string;
  /** A line under the title (what is better, what the target is). */
  note?: string;
  groups: Group[];
  scale?: 'linear' | 'log';
  target?: { value: number; label: string };
}

export interface Chart {
  title: string;
  subtitle?: string;
  panels: Panel[];
  footer?: string;
}

export const COLORS = { library: '#1b7f79', limit: '#7a7a7a', other: '#c0703a', alternative: '#8a6bb8', faint: '#b9b9b9' };

const WIDTH = 860;
const LABEL = 300; // the column of bar labels
const BAR_AREA = 430;
const BAR = 16;
const GAP = 6;
const FONT = "font-family=\"Helvetica, Arial, sans-serif\"";

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A round step for about five grid lines up to `max`: 1, 2, 2.5 or 5 times a power of ten. */
function niceStep(max: number): number {
  const rough = max / 5;
  const power = 10 ** Math.floor(Math.log10(rough));
  return [1, 2, 2.5, 5, 10].map((k) => k * power).find((step) => step >= rough)!;
}

/** The x position of a value and the axis ticks, for a panel. */
function axis(panel: Panel): { x: (v: number) => number; ticks: number[] } {
  const values = panel.groups.flatMap((g) => g.bars.map((b) => b.value)).concat(panel.target ? [panel.target.value] : []);
  const max = Math.max(...values);
  if (panel.scale === 'log') {
    const low = 10 ** Math.floor(Math.log10(Math.max(Math.min(...values.filter((v) => v > 0)), 1e-3)));
    const high = 10 ** Math.ceil(Math.log10(max * 1.05));
    const ticks: number[] = [];
    for (let t = low; t <= high * 1.0001; t *= 10) ticks.push(t);
    return { x: (v) => (BAR_AREA * Math.log10(Math.max(v, low) / low)) / Math.log10(high / low), ticks };
  }
  const step = niceStep(max * 1.05);
  const top = Math.ceil((max * 1.05) / step) * step;
  const ticks = Array.from({ length: Math.round(top / step) + 1 }, (_, k) => k * step);
  return { x: (v) => (BAR_AREA * v) / top, ticks };
}

const tickText = (v: number) => (v >= 1000 ? `${v / 1000}k` : v >= 1 || v === 0 ? `${+v.toFixed(2)}` : `${+v.toPrecision(2)}`);

export function renderChart(chart: Chart): string {
  const parts: string[] = [];
  let y = 34;
  parts.push(`<text x="20" y="${y}" ${FONT} font-size="19" font-weight="bold" fill="#222">${escape(chart.title)}</text>`);
  if (chart.subtitle) {
    y += 20;
    parts.push(`<text x="20" y="${y}" ${FONT} font-size="12" fill="#555">${escape(chart.subtitle)}</text>`);
  }
  y += 16;
  for (const panel of chart.panels) {
    y += 24;
    parts.push(`<text x="20" y="${y}" ${FONT} font-size="15" font-weight="bold" fill="#222">${escape(panel.title)}</text>`);
    if (panel.note) {
      y += 17;
      parts.push(`<text x="20" y="${y}" ${FONT} font-size="12" fill="#555">${escape(panel.note)}</text>`);
    }
    y += panel.target ? 24 : 10; // room for the target's label above the bars
    const { x, ticks } = axis(panel);
    const left = 20 + LABEL;
    const top = y;
    const bars: string[] = [];
    for (const group of panel.groups) {
      y += 20;
      bars.push(`<text x="20" y="${y}" ${FONT} font-size="13" font-weight="bold" fill="#333">${escape(group.title)}</text>`);
      y += 6;
      for (const bar of group.bars) {
        const width = Math.max(1, x(bar.value));
        bars.push(`<text x="${left - 8}" y="${y + BAR - 4}" ${FONT} font-size="12" fill="#333" text-anchor="end">${escape(bar.label)}</text>`);
        bars.push(`<rect x="${left}" y="${y}" width="${width.toFixed(1)}" height="${BAR}" fill="${bar.color ?? COLORS.other}"/>`);
        const text = bar.text ?? String(bar.value);
        // A white box behind the value (about 6.7 px a character), so that it stays legible over a grid or target line.
        bars.push(`<rect x="${(left + width + 3).toFixed(1)}" y="${y}" width="${(text.length * 6.7 + 6).toFixed(1)}" height="${BAR}" fill="#ffffff"/>`);
        bars.push(`<text x="${(left + width + 6).toFixed(1)}" y="${y + BAR - 4}" ${FONT} font-size="12" fill="#222">${escape(text)}</text>`);
        y += BAR + GAP;
      }
    }
    const bottom = y + 2;
    // The grid first, so that the bars are drawn over it.
    for (const tick of ticks) {
      const tx = (left + x(tick)).toFixed(1);
      parts.push(`<line x1="${tx}" y1="${top}" x2="${tx}" y2="${bottom}" stroke="#e3e3e3"/>`);
      parts.push(`<text x="${tx}" y="${bottom + 14}" ${FONT} font-size="11" fill="#777" text-anchor="middle">${tickText(tick)}</text>`);
    }
    parts.push(`<line x1="${left}" y1="${top}" x2="${left}" y2="${bottom}" stroke="#999"/>`);
    if (panel.target) {
      const tx = (left + x(panel.target.value)).toFixed(1);
      parts.push(`<line x1="${tx}" y1="${top - 2}" x2="${tx}" y2="${bottom}" stroke="#c62828" stroke-width="1.5" stroke-dasharray="5 3"/>`);
      parts.push(`<text x="${tx}" y="${top - 5}" ${FONT} font-size="11" fill="#c62828" text-anchor="middle">${escape(panel.target.label)}</text>`);
    }
    parts.push(...bars);
    y = bottom + 22;
  }
  if (chart.footer) {
    y += 8;
    parts.push(`<text x="20" y="${y}" ${FONT} font-size="11" fill="#666">${escape(chart.footer)}</text>`);
  }
  y += 16;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${y}" viewBox="0 0 ${WIDTH} ${y}">`,
    `<rect width="${WIDTH}" height="${y}" fill="#ffffff"/>`,
    ...parts,
    '</svg>',
    '',
  ].join('\n');
}
