/** Command-line flags → startDevIdentity() options. */
import { parseArgs } from 'node:util';
import { DevIdentityConfigError, type DevIdentityOptions } from './options.ts';

export const HELP = `dev-identity — a local OpenID Connect provider standing in for Auth0

Usage: dev-identity [--port 4020] [--issuer URL] [--web-origin URL] [--key-file PATH]

  --port N                port to listen on (default 4020; 0 = any free port)
  --host H                interface to bind (default 127.0.0.1)
  --issuer URL            issuer identifier (default http://localhost:<port>);
                          a trailing slash like Auth0's https://TENANT.auth0.com/ is kept
  --web-origin URL        origin of the SPA (default http://localhost:5173): the client
                          cliprelay-web may redirect to <origin>/ and <origin>/callback
  --audience A            aud of access tokens (default cliprelay-api)
  --access-token-ttl SEC  access and ID token lifetime (default 3600)
  --key-file PATH         keep the RSA signing key (JWK) in this file, so tokens
                          stay valid across restarts (default: a new key per start)
  --help                  this text

Dev users: dev|alice (Alice Example), dev|bob (Bob Example). See the package README.`;

export interface CliCommand {
  help: boolean;
  options: DevIdentityOptions;
}

export function parseCli(args: string[]): CliCommand {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        issuer: { type: 'string' },
        'web-origin': { type: 'string' },
        audience: { type: 'string' },
        'access-token-ttl': { type: 'string' },
        'key-file': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new DevIdentityConfigError([(error as Error).message]);
  }
  const number = (flag: string, value: string | undefined): number | undefined => {
    if (value === undefined) return undefined;
    const n = Number(value);
    if (value.trim() === '' || !Number.isInteger(n)) {
      throw new DevIdentityConfigError([`--${flag} must be a whole number, got "${value}"`]);
    }
    return n;
  };
  const options: DevIdentityOptions = {};
  const port = number('port', values.port);
  if (port !== undefined) options.port = port;
  const ttl = number('access-token-ttl', values['access-token-ttl']);
  if (ttl !== undefined) options.accessTokenTtl = ttl;
  if (values.host !== undefined) options.host = values.host;
  if (values.issuer !== undefined) options.issuer = values.issuer;
  if (values['web-origin'] !== undefined) options.webOrigin = values['web-origin'];
  if (values.audience !== undefined) options.audience = values.audience;
  if (values['key-file'] !== undefined) options.keyFile = values['key-file'];
  return { help: values.help === true, options };
}
