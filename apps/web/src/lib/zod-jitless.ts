/**
 * Turns off zod's compiled fast path before any schema exists: zod probes it with `new Function`
 * when a schema is built, and the host's CSP (no 'unsafe-eval') reports that probe as a violation
 * even though zod catches the refusal. Imported first by main.tsx, ahead of every schema module.
 */
import { z } from 'zod';

z.config({ jitless: true });
