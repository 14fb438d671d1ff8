/**
 * `npm run size --workspace apps/web`: the JavaScript of the web app's first visit — index.html's
 * scripts and module preloads, as the host sends them gzip- and brotli-compressed — per file and
 * in total, against issue 14's budget (apps/web/README.md, "The first visit"). Builds apps/web/dist
 * first when its sources changed, as `npm start` does; `--dist DIR` measures another build as it
 * is. Exits 1 when the gzip total is over the budget.
 */
import { parseArgs } from 'node:util';
import { buildIfChanged, WEB_BUILD } from '@cliprelay/test-kit/builds';
import { FIRST_VISIT_BUDGET, measureBuild } from '@cliprelay/test-kit/first-visit';

const { values } = parseArgs({ options: { dist: { type: 'string' } } });
if (!values.dist && (await buildIfChanged(WEB_BUILD))) console.error('built the web app (apps/web/dist)');

const size = await measureBuild(values.dist ?? WEB_BUILD.outDir);
const bytes = (n: number) => n.toLocaleString('en-US').padStart(10);
console.log(`${'file'.padEnd(44)}${'raw'.padStart(10)}${'gzip'.padStart(10)}${'brotli'.padStart(10)}`);
for (const s of size.scripts)
  console.log(`${s.path.padEnd(44)}${bytes(s.raw)}${bytes(s.gzip)}${bytes(s.brotli)}`);
console.log(`${'first visit'.padEnd(44)}${bytes(size.raw)}${bytes(size.gzip)}${bytes(size.brotli)}`);

const within = size.gzip <= FIRST_VISIT_BUDGET;
console.log(
  `${within ? 'within' : 'OVER'} the budget of ${FIRST_VISIT_BUDGET.toLocaleString('en-US')} B gzip` +
    ` (${Math.round((size.gzip / FIRST_VISIT_BUDGET) * 100)} %)`,
);
if (!within) process.exitCode = 1;
