/** Prints a scenario's rows as one aligned table, followed by the ratios the issue's targets are stated in. */
import type { Row } from './measure.ts';

export interface Ratio {
  readonly label: string;
  readonly numerator: string;
  readonly denominator: string;
  /** The target, e.g. `>= 0.85`; shown beside the measured value, never asserted. */
  readonly target?: { readonly atLeast?: number; readonly atMost?: number };
}

/** A single measured value (cold start, idle memory) with its target. */
export interface Fact {
  readonly label: string;
  readonly value: string;
  readonly target?: string;
  readonly met?: boolean;
}

export interface Report {
  readonly title: string;
  readonly rows: readonly Row[];
  readonly facts?: readonly Fact[];
  readonly ratios?: readonly Ratio[];
  readonly notes?: readonly string[];
}

function mb(bytes: number | undefined): string {
  return bytes === undefined ? 'n/a' : `${(bytes / 1024 / 1024).toFixed(0)} MB`;
}

function pad(cells: readonly string[], widths: readonly number[]): string {
  return cells.map((cell, i) => (i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))).join('  ');
}

export function ratioValue(rows: readonly Row[], ratio: Ratio): number | undefined {
  const a = rows.find((r) => r.name === ratio.numerator);
  const b = rows.find((r) => r.name === ratio.denominator);
  if (!a || !b || b.requestsPerSecond === 0) return undefined;
  return a.requestsPerSecond / b.requestsPerSecond;
}

/** The same ratio computed from CPU time per request (denominator's / numerator's: higher is better too). */
export function cpuRatio(rows: readonly Row[], ratio: Ratio): number | undefined {
  const a = rows.find((r) => r.name === ratio.numerator)?.cpuMsPerRequest;
  const b = rows.find((r) => r.name === ratio.denominator)?.cpuMsPerRequest;
  return a === undefined || b === undefined || a === 0 ? undefined : b / a;
}

export function formatReport(report: Report): string {
  const header = ['target', 'req/s', 'p50', 'p99', 'errors', 'peak RSS', 'CPU/req'];
  const body = report.rows.map((r) => [
    r.name,
    r.requestsPerSecond.toFixed(0),
    `${r.p50Ms.toFixed(1)} ms`,
    `${r.p99Ms.toFixed(1)} ms`,
    String(r.errors),
    mb(r.peakRssBytes),
    r.cpuMsPerRequest === undefined ? 'n/a' : `${r.cpuMsPerRequest.toFixed(3)} ms`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((row) => row[i]!.length)));
  const lines = [`\n## ${report.title}`, ''];
  if (report.rows.length > 0) lines.push(pad(header, widths), widths.map((w) => '-'.repeat(w)).join('  '), ...body.map((row) => pad(row, widths)));
  for (const fact of report.facts ?? []) {
    const verdict = fact.met === undefined ? '' : fact.met ? '  met' : '  MISSED';
    lines.push(`${fact.label}: ${fact.value}${fact.target ? ` (target ${fact.target})` : ''}${verdict}`);
  }
  if (report.ratios?.length) lines.push('');
  for (const ratio of report.ratios ?? []) {
    const value = ratioValue(report.rows, ratio);
    const target = ratio.target?.atLeast !== undefined ? ` (target >= ${ratio.target.atLeast})` : ratio.target?.atMost !== undefined ? ` (target <= ${ratio.target.atMost})` : '';
    const verdict = value === undefined || ratio.target === undefined ? '' : (ratio.target.atLeast === undefined || value >= ratio.target.atLeast) && (ratio.target.atMost === undefined || value <= ratio.target.atMost) ? '  met' : '  MISSED';
    const cpu = cpuRatio(report.rows, ratio);
    const efficiency = cpu === undefined ? '' : `; by server CPU per request: ${cpu.toFixed(2)}`;
    lines.push(`${ratio.label}: ${value === undefined ? 'n/a' : value.toFixed(2)}${target}${verdict}${efficiency}`);
  }
  for (const note of report.notes ?? []) lines.push(`note: ${note}`);
  return lines.join('\n');
}
