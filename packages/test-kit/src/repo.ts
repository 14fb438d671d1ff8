import { fileURLToPath } from 'node:url';

/** The repository's root, where `apps/` and `packages/` live. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
