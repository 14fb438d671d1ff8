import { ConfigError, loadConfig } from './config/config.ts';
import { startApi } from './app.ts';

/**
 * `npm run start:api`: the API alone, configured by its environment (architecture.md §3).
 * SIGINT/SIGTERM close it in order — HTTP server, database pool, then the embedded PostgreSQL if
 * it started one — and exit 0. (Nest's own shutdown hooks are off: they re-raise the signal once
 * Nest has closed, which ends the process before the database is stopped.)
 */
try {
  const api = await startApi(loadConfig());
  const stop = () => {
    api.close().then(
      () => process.exit(0),
      (err: unknown) => {
        console.error('Cliprelay API did not close cleanly:', err instanceof Error ? err.message : err);
        process.exit(1);
      },
    );
  };
  // `on`, not `once`: a second signal while closing must not fall back to Node's default (exit at once).
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
} catch (err) {
  if (err instanceof ConfigError) {
    console.error(err.message);
  } else {
    console.error('Cliprelay API failed to start:', err instanceof Error ? err.message : err);
  }
  process.exit(1);
}
