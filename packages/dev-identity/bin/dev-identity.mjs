#!/usr/bin/env node
// Runs the TypeScript CLI through tsx, so the dev identity provider needs no build step.
import { register } from 'tsx/esm/api';

// oidc-provider 9 prints "Unsupported runtime" when imported on Node 20. The project runs on
// Node 20 by decision and this package's tests cover the flows there, so the CLI drops that one
// line (and only it) while the modules load; every other warning gets through.
const warn = console.warn;
console.warn = (...args) => {
  if (typeof args[0] === 'string' && args[0].includes('oidc-provider WARNING: Unsupported runtime')) return;
  warn(...args);
};
register();
try {
  await import('../src/cli.ts');
} finally {
  console.warn = warn;
}
