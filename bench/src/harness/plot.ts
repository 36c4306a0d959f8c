/**
 * A dependency-free SVG line chart for the bench's figures: x on a log scale (tenant counts from 1 to 100,000),
 * one panel per measure (throughput, RSS), one line per series. Written by the scenario itself, so the figure
 * in bench/README.md is what a run measured and nothing drawn by hand.
 */
export interface Series {
  readonly label: string;
  readonly points: readonly (readonly [x: number, y: number])[];
}

export interface Panel {
  readonly title: string;
  readonly unit: string;
  readonly series: readonly Series[];
}

const COLOURS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];
const WIDTH = 420;
const HEIGHT = 300;
const MARGIN = { left: 64, right: 16, top: 36, bottom: 44 };

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;' })[c]!);
}

function label(x: number): string {
  return x >= 1000 ? `${x / 1000}k` : String(x);
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(value));
  return Math.ceil(value / step) * step;
}

function panel(p: Panel, offsetX: number, xs: readonly number[]): string {
  const innerW = WIDTH - MARGIN.left - MARGIN.right;
  const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
  const [minX, maxX] = [Math.min(...xs), Math.max(...xs)];
  const logSpan = Math.log10(maxX) - Math.log10(minX) || 1;
  const sx = (x: number) => offsetX + MARGIN.left + ((Math.log10(x) - Math.log10(minX)) / logSpan) * innerW;
  const maxY = niceMax(Math.max(...p.series.flatMap((s) => s.points.map(([, y]) => y))));
  const sy = (y: number) => MARGIN.top + innerH - (y / maxY) * innerH;
  const parts = [`<text x="${offsetX + WIDTH / 2}" y="20" text-anchor="middle" font-weight="bold">${escape(p.title)}</text>`];
  parts.push(`<line x1="${offsetX + MARGIN.left}" y1="${sy(0)}" x2="${offsetX + WIDTH - MARGIN.right}" y2="${sy(0)}" stroke="#333"/>`);
  parts.push(`<line x1="${offsetX + MARGIN.left}" y1="${MARGIN.top}" x2="${offsetX + MARGIN.left}" y2="${sy(0)}" stroke="#333"/>`);
  for (const x of xs) parts.push(`<text x="${sx(x)}" y="${sy(0) + 16}" text-anchor="middle">${label(x)}</text>`);
  parts.push(`<text x="${offsetX + MARGIN.left + innerW / 2}" y="${HEIGHT - 8}" text-anchor="middle">tenants (log scale)</text>`);
  for (let i = 0; i <= 4; i += 1) {
    const y = (maxY * i) / 4;
    parts.push(`<line x1="${offsetX + MARGIN.left - 4}" y1="${sy(y)}" x2="${offsetX + WIDTH - MARGIN.right}" y2="${sy(y)}" stroke="#ddd"/>`);
    parts.push(`<text x="${offsetX + MARGIN.left - 6}" y="${sy(y) + 4}" text-anchor="end">${Math.round(y)}</text>`);
  }
  parts.push(`<text transform="translate(${offsetX + 14},${MARGIN.top + innerH / 2}) rotate(-90)" text-anchor="middle">${escape(p.unit)}</text>`);
  p.series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length]!;
    const points = [...s.points].sort((a, b) => a[0] - b[0]);
    parts.push(`<polyline fill="none" stroke="${colour}" stroke-width="2" points="${points.map(([x, y]) => `${sx(x).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`);
    for (const [x, y] of points) parts.push(`<circle cx="${sx(x).toFixed(1)}" cy="${sy(y).toFixed(1)}" r="3" fill="${colour}"/>`);
    // The legend sits under the panel, so it never hides a line.
    parts.push(`<rect x="${offsetX + MARGIN.left}" y="${HEIGHT + 4 + i * 14}" width="10" height="3" fill="${colour}"/>`);
    parts.push(`<text x="${offsetX + MARGIN.left + 16}" y="${HEIGHT + 9 + i * 14}" fill="${colour}">${escape(s.label)}</text>`);
  });
  return parts.join('\n');
}

/** Side-by-side panels sharing the x values (every x of every series). */
export function lineChartSvg(title: string, panels: readonly Panel[]): string {
  const xs = [...new Set(panels.flatMap((p) => p.series.flatMap((s) => s.points.map(([x]) => x))))].sort((a, b) => a - b);
  const width = WIDTH * panels.length;
  const height = HEIGHT + 24 + 14 * Math.max(0, ...panels.map((p) => p.series.length)) + 8;
  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<g transform="translate(0,24)">`,
    ...panels.map((p, i) => panel(p, i * WIDTH, xs.length > 0 ? xs : [1, 10])),
    `</g>`,
    `<text x="${width / 2}" y="16" text-anchor="middle" font-size="13">${escape(title)}</text>`,
    `</svg>`,
    '',
  ].join('\n');
}
