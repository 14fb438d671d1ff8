/**
 * npx tiktok-sandbox --port 4010 [--config file.json] [flags]
 * Flags and config-file keys are the same words (kebab-case / camelCase); flags win.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { optionsFromArgs } from './cli-options.ts';
import { SandboxConfigError } from './options.ts';
import { startSandbox } from './server.ts';

const HELP = `tiktok-sandbox — a local emulator of TikTok's Open API v2 for tests and development

Usage: tiktok-sandbox [--port 4010] [--config file.json] [flags]

  --port N                   port to listen on (default 4010; 0 = any free port)
  --host H                   interface to bind (default 127.0.0.1)
  --public-url URL           base URL written into upload_url and avatar URLs
  --client-key K             the app's client_key (default sbawcliprelaydev0)
  --client-secret S          the app's client_secret
  --redirect-uri URI         a registered redirect URI (repeatable)
  --scope S                  a scope the app is approved for (repeatable; default all)
  --verified-prefix URL      a verified URL prefix for PULL_FROM_URL (repeatable)
  --audited                  the app passed TikTok's audit (public posts allowed)
  --allow-http-pull          allow http:// verified prefixes (a local dev media host)
  --access-ttl SEC           access token lifetime (default 7200)
  --refresh-ttl SEC          refresh token lifetime (default 15552000)
  --code-ttl SEC             authorization code lifetime (default 600)
  --upload-url-ttl SEC       upload_url lifetime (default 3600)
  --processing-delay-ms MS   delay from the last byte to the outcome (default 2000)
  --moderation-delay-ms MS   extra delay before public posts get a post id (default 5000)
  --chunk-rules R            strict | binary | decimal (default strict)
  --daily-post-cap N         posts per creator per 24 h (default 15)
  --active-user-cap N        posting creators per 24 h (default 5 when unaudited)
  --pull-max-bytes N         largest PULL_FROM_URL download
  --pull-timeout-ms MS       PULL_FROM_URL download window (default 3600000)
  --oauth-error-status N     HTTP status of OAuth error bodies (default 400)
  --error-data               error envelopes carry "data": {}
  --data-dir DIR             where videos are assembled (default: a temp dir)
  --state-file FILE          keep creators, tokens and posts across restarts (videos beside it)
  --log-requests             one line per request on stderr
  --config FILE              JSON file with the same settings in camelCase (plus "creators")
  --help                     this text

Control API and dashboard: <url>/_sandbox/ (see the package README).`;

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    strict: false,
    options: { config: { type: 'string' }, help: { type: 'boolean' } },
  });
  if (values.help) {
    console.log(HELP);
    return;
  }
  let fileOptions: Record<string, unknown> = {};
  if (typeof values.config === 'string') {
    try {
      fileOptions = JSON.parse(await readFile(values.config, 'utf8')) as Record<string, unknown>;
    } catch (error) {
      throw new SandboxConfigError(`--config ${values.config}: ${(error as Error).message}`);
    }
  }
  const sandbox = await startSandbox(optionsFromArgs(argv, fileOptions));
  const o = sandbox.options;
  console.log(`TikTok sandbox listening on ${sandbox.url}
  dashboard      ${sandbox.url}/_sandbox/
  authorize      ${sandbox.url}/v2/auth/authorize/
  client_key     ${o.clientKey}
  redirect URIs  ${o.redirectUri.join(', ')}
  app            ${o.audited ? 'audited' : 'unaudited (SELF_ONLY to private accounts only)'}`);
  const stop = (): void => {
    void sandbox.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof SandboxConfigError || (error instanceof TypeError && 'code' in error)) {
    console.error(`tiktok-sandbox: ${error.message}`);
  } else if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
    console.error(`tiktok-sandbox: the port is already in use (${error.message}). Pick another with --port.`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
