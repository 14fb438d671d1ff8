/**
 * One PostgreSQL server for the API's whole run (embedded, or TEST_DATABASE_URL); each suite makes
 * a database of its own on it (support/stack.ts).
 */
import { startTestPostgres } from '@cliprelay/test-kit/postgres';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    postgresAdminUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const postgres = await startTestPostgres();
  console.log(`api tests: ${postgres.description}`);
  project.provide('postgresAdminUrl', postgres.adminUrl);
  return () => postgres.stop();
}
