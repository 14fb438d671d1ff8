/**
 * Writes docs/reliability.md from the summaries the reliability suites left in
 * test-results/reliability/<suite>.json (apps/api/test/support/reliability.ts): one table of every
 * fault and attack tried, how many cases, and how they were answered — what the last run measured,
 * never written by hand. A missing summary is named in the document, not an error.
 *
 *   npx tsx scripts/reliability-report.ts        (the API tests' global teardown runs it too)
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { format, resolveConfig } from 'prettier';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const SUMMARIES_DIR = join(ROOT, 'test-results', 'reliability');
export const REPORT_FILE = join(ROOT, 'docs', 'reliability.md');

/** The suites issue 15 asks for, in the table's order, with the test file that writes each. */
const SUITES: { suite: string; title: string; file: string }[] = [
  { suite: 'fuzz', title: 'Fuzz (fast-check)', file: 'apps/api/test/fuzz.test.ts' },
  { suite: 'auth-matrix', title: 'Auth matrix', file: 'apps/api/test/auth.test.ts' },
  { suite: 'cross-user', title: 'Cross-user matrix', file: 'apps/api/test/cross-user.test.ts' },
  { suite: 'oauth-csrf', title: 'OAuth CSRF, replay, forgery', file: 'apps/api/test/oauth-csrf.test.ts' },
  { suite: 'rate-limits', title: 'Per-user limits', file: 'apps/api/test/rate-limits.test.ts' },
  { suite: 'faults', title: 'TikTok faults', file: 'apps/api/test/faults.test.ts' },
  { suite: 'secrets', title: 'Secrets', file: 'apps/api/test/secrets.test.ts' },
];

interface Summary {
  suite: string;
  generatedAt: string;
  meta: Record<string, unknown>;
  totalCases: number;
  categories: { category: string; cases: number; outcomes: Record<string, number> }[];
}

const count = (n: number) => n.toLocaleString('en-US');
const show = (value: unknown) => (typeof value === 'string' ? value : JSON.stringify(value));

/** `outcome ×n`, most frequent first; many distinct HTTP answers are grouped by class. */
function describeOutcomes(outcomes: Record<string, number>): string {
  const entries = Object.entries(outcomes).sort(([, a], [, b]) => b - a);
  const http = entries.every(([o]) => /^\d{3}\b/.test(o));
  if (entries.length > 4 && http) {
    const classes = new Map<string, { n: number; codes: Set<string> }>();
    for (const [outcome, n] of entries) {
      const [status = '', code] = outcome.split(' ');
      const key = `${status[0]}xx`;
      const entry = classes.get(key) ?? { n: 0, codes: new Set<string>() };
      entry.n += n;
      if (code) entry.codes.add(code);
      classes.set(key, entry);
    }
    return [...classes]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([key, { n, codes }]) => `${key} ×${count(n)}${codes.size ? ` (${[...codes].join(', ')})` : ''}`)
      .join(', ');
  }
  return entries.map(([o, n]) => (entries.length === 1 ? o : `${o} ×${count(n)}`)).join(', ');
}

/** What a reader checks first: did anything answer a 5xx or not at all? */
function verdict(summary: Summary, outcomes: Record<string, number>): string {
  const bad = Object.keys(outcomes).filter((o) => /^5\d\d\b/.test(o) || o === 'no answer');
  if (bad.length > 0) return `**${bad.join(', ')}**`;
  if (summary.suite === 'faults' || summary.suite === 'secrets') return 'held';
  const statuses = Object.keys(outcomes).filter((o) => /^\d{3}\b/.test(o));
  return statuses.length > 0 ? 'no 5xx' : 'held';
}

/** The faults suite also counts its assertions per fault (meta.cases). */
function assertionsOf(summary: Summary, category: string): string {
  const cases = summary.meta.cases;
  if (!Array.isArray(cases)) return '';
  const n = (cases as { fault?: string; assertions?: number; via?: string }[])
    .filter((c) => c.fault === category)
    .reduce((sum, c) => sum + (c.assertions ?? 0), 0);
  const vias = [
    ...new Set(
      (cases as { fault?: string; via?: string }[]).filter((c) => c.fault === category).map((c) => c.via),
    ),
  ];
  return n > 0 ? ` — ${vias.join(' + ')}, ${n} assertions` : '';
}

async function readSummaries(): Promise<Map<string, Summary>> {
  const found = new Map<string, Summary>();
  let names: string[] = [];
  try {
    names = (await readdir(SUMMARIES_DIR)).filter((n) => n.endsWith('.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  for (const name of names.sort()) {
    try {
      const summary = JSON.parse(await readFile(join(SUMMARIES_DIR, name), 'utf8')) as Summary;
      if (summary.suite && Array.isArray(summary.categories)) found.set(summary.suite, summary);
    } catch {
      // An unreadable summary counts as missing.
    }
  }
  return found;
}

const cell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function renderReport(summaries: Map<string, Summary>): string {
  const known = SUITES.filter((s) => summaries.has(s.suite));
  const missing = SUITES.filter((s) => !summaries.has(s.suite));
  const extra = [...summaries.keys()]
    .filter((suite) => !SUITES.some((s) => s.suite === suite))
    .map((suite) => ({ suite, title: suite, file: '' }));
  const shown = [...known, ...extra];
  const all = shown.map((s) => summaries.get(s.suite)!);
  const dates = all.map((s) => s.generatedAt).sort();
  const total = all.reduce((n, s) => n + s.totalCases, 0);
  const seed = summaries.get('fuzz')?.meta.seed;

  const lines = [
    '# Reliability: faults and attacks tried',
    '',
    '<!-- Generated by scripts/reliability-report.ts from test-results/reliability/*.json. Do not edit. -->',
    '',
    'Generated from the last test run, not written by hand: `npm test` (its API tests) regenerates it,',
    'or run the suites, then `npx tsx scripts/reliability-report.ts`.',
    '',
    `- Run: ${dates.length ? `${dates[0]!.slice(0, 10)} (summaries written ${dates[0]} – ${dates.at(-1)})` : 'no summaries found'}`,
    `- Fuzz seed: ${seed === undefined ? 'n/a (no fuzz summary)' : `\`${show(seed)}\` (FUZZ_SEED reproduces it)`}`,
    `- Totals: ${count(total)} cases in ${all.length} suites, ${all.reduce((n, s) => n + s.categories.length, 0)} categories`,
    `- Missing summaries: ${missing.length ? missing.map((s) => `\`${s.suite}\` (${s.file})`).join(', ') : 'none'}`,
    '',
    '| Suite | Fault or attack | Cases | Outcome | Verdict |',
    '| --- | --- | ---: | --- | --- |',
  ];
  for (const { suite, title } of shown) {
    const summary = summaries.get(suite)!;
    for (const c of summary.categories) {
      lines.push(
        `| ${cell(title)} | ${cell(c.category)} | ${count(c.cases)} | ${cell(describeOutcomes(c.outcomes) + assertionsOf(summary, c.category))} | ${verdict(summary, c.outcomes)} |`,
      );
    }
  }
  lines.push('', '## Per suite', '', '| Suite | Cases | Written | Notes |', '| --- | ---: | --- | --- |');
  for (const { suite, title } of shown) {
    const s = summaries.get(suite)!;
    const notes = Object.entries(s.meta)
      .filter(([key]) => key !== 'cases')
      .map(([key, value]) => `${key}: ${show(value)}`)
      .join('; ');
    lines.push(`| ${cell(title)} | ${count(s.totalCases)} | ${s.generatedAt} | ${cell(notes)} |`);
  }
  return `${lines.join('\n')}\n`;
}

export async function writeReliabilityReport(): Promise<{ file: string; missing: string[] }> {
  const summaries = await readSummaries();
  await mkdir(dirname(REPORT_FILE), { recursive: true });
  // Formatted as `npm run lint` checks it (prettier --check), so a regenerated file passes.
  const options = (await resolveConfig(REPORT_FILE)) ?? {};
  await writeFile(REPORT_FILE, await format(renderReport(summaries), { ...options, filepath: REPORT_FILE }));
  return { file: REPORT_FILE, missing: SUITES.filter((s) => !summaries.has(s.suite)).map((s) => s.suite) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { file, missing } = await writeReliabilityReport();
  console.log(`wrote ${file}${missing.length ? ` (missing summaries: ${missing.join(', ')})` : ''}`);
}
