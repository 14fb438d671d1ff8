/**
 * The machine-readable summary a reliability suite (fuzz, auth matrix, cross-user matrix) leaves
 * behind: for each category of case, how many were tried and how each was answered. Written to
 * `test-results/reliability/<suite>.json` at the repository's root, from which
 * docs/reliability.md is generated, so that the table says what the last run measured.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const RELIABILITY_DIR = fileURLToPath(
  new URL('../../../../test-results/reliability/', import.meta.url),
);

export interface ReliabilitySummary {
  suite: string;
  generatedAt: string;
  /** Whatever reproduces or qualifies the run: a seed, a wall time. */
  meta: Record<string, unknown>;
  totalCases: number;
  categories: { category: string; cases: number; outcomes: Record<string, number> }[];
}

export class ReliabilityReport {
  private readonly counts = new Map<string, Map<string, number>>();
  readonly meta: Record<string, unknown> = {};

  constructor(readonly suite: string) {}

  /** One case (or `n`) of `category` answered with `outcome`, e.g. "401 UNAUTHENTICATED". */
  record(category: string, outcome: string, n = 1): void {
    const outcomes = this.counts.get(category) ?? new Map<string, number>();
    outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + n);
    this.counts.set(category, outcomes);
  }

  get totalCases(): number {
    let total = 0;
    for (const outcomes of this.counts.values()) for (const n of outcomes.values()) total += n;
    return total;
  }

  summary(): ReliabilitySummary {
    return {
      suite: this.suite,
      generatedAt: new Date().toISOString(),
      meta: this.meta,
      totalCases: this.totalCases,
      categories: [...this.counts].map(([category, outcomes]) => ({
        category,
        cases: [...outcomes.values()].reduce((a, b) => a + b, 0),
        outcomes: Object.fromEntries([...outcomes].sort(([a], [b]) => a.localeCompare(b))),
      })),
    };
  }

  /** Writes the summary; returns the file's path. */
  async write(): Promise<string> {
    await mkdir(RELIABILITY_DIR, { recursive: true });
    const file = join(RELIABILITY_DIR, `${this.suite}.json`);
    await writeFile(file, `${JSON.stringify(this.summary(), null, 2)}\n`);
    return file;
  }
}

/** How an answer is filed: its status and our error code, e.g. "404 NOT_FOUND" or "200". */
export function outcomeOf(status: number, body: unknown): string {
  const code =
    typeof body === 'object' && body !== null && 'code' in body && typeof body.code === 'string'
      ? ` ${body.code}`
      : '';
  return `${status}${code}`;
}
