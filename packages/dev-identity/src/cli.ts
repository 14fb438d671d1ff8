/**
 * npx dev-identity --port 4020 [--issuer URL] [--web-origin URL] [--key-file PATH]
 * Prints where it listens; Ctrl-C or SIGTERM closes it; a busy port is one line and exit 1.
 */
import { HELP, parseCli } from './cli-options.ts';
import { DevIdentityConfigError } from './options.ts';
import { PortInUseError, startDevIdentity } from './server.ts';

async function main(argv: string[]): Promise<void> {
  const { help, options } = parseCli(argv);
  if (help) {
    console.log(HELP);
    return;
  }
  const idp = await startDevIdentity(options);
  const client = idp.clients[0];
  console.log(`dev identity provider listening on ${idp.url}
  issuer     ${idp.issuer}
  discovery  ${idp.discoveryUrl}
  audience   ${idp.audience}
  client     ${client?.client_id ?? ''} → ${client?.redirect_uris.join(', ') ?? ''}
  users      ${idp.users.map((u) => `${u.sub} (${u.email})`).join(', ')}`);
  const stop = (): void => {
    void idp.close().then(() => process.exit(0));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main(process.argv.slice(2)).catch((error: unknown) => {
  if (error instanceof DevIdentityConfigError) {
    console.error(`dev-identity: ${error.problems.join('; ')}`);
  } else if (error instanceof PortInUseError) {
    console.error(`dev-identity: ${error.message}; pick another with --port.`);
  } else {
    console.error('dev-identity:', error);
  }
  process.exit(1);
});
