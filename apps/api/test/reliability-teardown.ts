/**
 * After the API's tests: regenerates docs/reliability.md from the summaries the reliability
 * suites wrote (scripts/reliability-report.ts), so that `npm test` leaves the table its run
 * measured. Missing summaries are named in the document; a failure here is reported, never fatal.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export default function setup(): () => void {
  return () => {
    const run = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/reliability-report.ts'], {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 60_000,
    });
    const said = `${run.stdout ?? ''}${run.stderr ?? ''}`.trim();
    if (run.status === 0) console.log(`reliability report: ${said}`);
    else
      console.warn(`reliability report not written (${run.error?.message ?? `exit ${run.status}`}): ${said}`);
  };
}
