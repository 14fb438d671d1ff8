/**
 * startDevIdentity() options: types, defaults and validation. Every bad value is reported at
 * once, each message naming its option, before anything listens.
 */

/** A person who can sign in. `sub` becomes the tokens' subject, like Auth0's `auth0|…`. */
export interface DevUser {
  sub: string;
  name: string;
  email: string;
}

/** A public (PKCE, no secret) client such as the SPA. */
export interface DevClient {
  client_id: string;
  redirect_uris: string[];
  post_logout_redirect_uris?: string[];
  /** Shown on the login page; defaults to client_id. */
  client_name?: string;
}

export interface DevIdentityOptions {
  /** TCP port (default 4020; 0 picks a free one). */
  port?: number;
  /** Interface to bind (default 127.0.0.1). */
  host?: string;
  /** Issuer identifier (default http://localhost:<port>); a trailing slash like Auth0's is kept. */
  issuer?: string;
  /** `aud` of access tokens (default cliprelay-api). */
  audience?: string;
  /** The registered clients (default: the SPA `cliprelay-web` on http://localhost:5173). */
  clients?: DevClient[];
  /** Shortcut for the default client on another origin, e.g. http://localhost:4173. */
  webOrigin?: string;
  /** Who can sign in (default: Alice and Bob). */
  users?: DevUser[];
  /** Access (and ID) token lifetime in seconds (default 3600). */
  accessTokenTtl?: number;
  /** File holding the RSA signing key (JWK); created on first start, reused afterwards. */
  keyFile?: string;
}

export interface ResolvedDevIdentityOptions {
  port: number;
  host: string;
  /** undefined until the port is known: then http://localhost:<port>. */
  issuer: string | undefined;
  audience: string;
  clients: DevClient[];
  users: DevUser[];
  accessTokenTtl: number;
  keyFile: string | undefined;
}

export const DEFAULT_PORT = 4020;
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_AUDIENCE = 'cliprelay-api';
export const DEFAULT_CLIENT_ID = 'cliprelay-web';
export const DEFAULT_WEB_ORIGIN = 'http://localhost:5173';
export const DEFAULT_ACCESS_TOKEN_TTL = 3600;

export const DEFAULT_USERS: readonly DevUser[] = Object.freeze([
  { sub: 'dev|alice', name: 'Alice Example', email: 'alice@example.com' },
  { sub: 'dev|bob', name: 'Bob Example', email: 'bob@example.com' },
]);

/** The SPA client for a web origin: callback at `/` and `/callback`, back to `/` after logout. */
export function webClient(origin: string): DevClient {
  return {
    client_id: DEFAULT_CLIENT_ID,
    client_name: 'Cliprelay',
    redirect_uris: [`${origin}/`, `${origin}/callback`],
    post_logout_redirect_uris: [`${origin}/`],
  };
}

export class DevIdentityConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid dev-identity options: ${problems.join('; ')}`);
    this.name = 'DevIdentityConfigError';
  }
}

const KNOWN = new Set<string>([
  'port',
  'host',
  'issuer',
  'audience',
  'clients',
  'webOrigin',
  'users',
  'accessTokenTtl',
  'keyFile',
]);

export function parseDevIdentityOptions(input: DevIdentityOptions = {}): ResolvedDevIdentityOptions {
  const problems: string[] = [];
  const raw = input as Record<string, unknown>;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) {
    throw new DevIdentityConfigError(['options must be an object']);
  }
  for (const key of Object.keys(raw)) {
    if (!KNOWN.has(key) && raw[key] !== undefined) problems.push(`unknown option "${key}"`);
  }

  const port = raw.port ?? DEFAULT_PORT;
  if (!Number.isInteger(port) || (port as number) < 0 || (port as number) > 65535) {
    problems.push(`port must be an integer from 0 to 65535, got ${show(raw.port)}`);
  }
  const host = raw.host ?? DEFAULT_HOST;
  if (typeof host !== 'string' || host.trim() === '') problems.push('host must be a non-empty string');

  let issuer: string | undefined;
  if (raw.issuer !== undefined) {
    issuer = checkIssuer(raw.issuer, problems);
  }

  const audience = raw.audience ?? DEFAULT_AUDIENCE;
  if (typeof audience !== 'string' || audience.trim() === '' || /\s/.test(audience)) {
    problems.push('audience must be a non-empty string without spaces');
  }

  let clients: DevClient[] = [webClient(DEFAULT_WEB_ORIGIN)];
  if (raw.webOrigin !== undefined && raw.clients !== undefined) {
    problems.push('give either clients or webOrigin, not both');
  } else if (raw.webOrigin !== undefined) {
    const origin = checkOrigin(raw.webOrigin, 'webOrigin', problems);
    if (origin) clients = [webClient(origin)];
  } else if (raw.clients !== undefined) {
    clients = checkClients(raw.clients, problems);
  }

  const users =
    raw.users === undefined ? DEFAULT_USERS.map((u) => ({ ...u })) : checkUsers(raw.users, problems);

  const accessTokenTtl = raw.accessTokenTtl ?? DEFAULT_ACCESS_TOKEN_TTL;
  if (!Number.isInteger(accessTokenTtl) || (accessTokenTtl as number) < 1) {
    problems.push(
      `accessTokenTtl must be a positive whole number of seconds, got ${show(raw.accessTokenTtl)}`,
    );
  }

  const keyFile = raw.keyFile;
  if (keyFile !== undefined && (typeof keyFile !== 'string' || keyFile.trim() === '')) {
    problems.push('keyFile must be a file path');
  }

  if (problems.length > 0) throw new DevIdentityConfigError(problems);
  return {
    port: port as number,
    host: host as string,
    issuer,
    audience: audience as string,
    clients,
    users,
    accessTokenTtl: accessTokenTtl as number,
    keyFile: keyFile as string | undefined,
  };
}

function show(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

function httpUrl(value: unknown): URL | undefined {
  if (typeof value !== 'string') return undefined;
  const url = URL.parse(value);
  return url && (url.protocol === 'http:' || url.protocol === 'https:') ? url : undefined;
}

/** An origin, optionally with a trailing slash (Auth0 writes `https://TENANT.auth0.com/`). */
function checkIssuer(value: unknown, problems: string[]): string | undefined {
  const url = httpUrl(value);
  if (!url || url.pathname !== '/' || url.search !== '' || url.hash !== '' || url.username !== '') {
    problems.push(
      `issuer must be an http(s) origin, optionally with a trailing slash (like https://TENANT.auth0.com/), got ${show(value)}`,
    );
    return undefined;
  }
  return (value as string).endsWith('/') ? `${url.origin}/` : url.origin;
}

function checkOrigin(value: unknown, name: string, problems: string[]): string | undefined {
  const url = httpUrl(value);
  if (!url || url.pathname !== '/' || url.search !== '' || url.hash !== '') {
    problems.push(`${name} must be an http(s) origin such as http://localhost:5173, got ${show(value)}`);
    return undefined;
  }
  return url.origin;
}

function checkUriList(value: unknown, name: string, problems: string[], required: boolean): string[] {
  if (value === undefined && !required) return [];
  if (!Array.isArray(value) || (required && value.length === 0)) {
    problems.push(`${name} must be ${required ? 'a non-empty' : 'an'} array of URLs`);
    return [];
  }
  const out: string[] = [];
  for (const item of value) {
    const url = httpUrl(item);
    if (!url || url.hash !== '')
      problems.push(`${name}: ${show(item)} is not an http(s) URL without a fragment`);
    else out.push(item as string);
  }
  return out;
}

function checkClients(value: unknown, problems: string[]): DevClient[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push('clients must be a non-empty array');
    return [];
  }
  const seen = new Set<string>();
  return value.map((item: unknown, i): DevClient => {
    const c = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const where = `clients[${i}]`;
    for (const key of Object.keys(c)) {
      if (!['client_id', 'redirect_uris', 'post_logout_redirect_uris', 'client_name'].includes(key)) {
        problems.push(`${where}: unknown field "${key}"`);
      }
    }
    const id = c.client_id;
    if (typeof id !== 'string' || id.trim() === '')
      problems.push(`${where}.client_id must be a non-empty string`);
    else if (seen.has(id)) problems.push(`${where}.client_id "${id}" is used twice`);
    else seen.add(id);
    if (c.client_name !== undefined && typeof c.client_name !== 'string') {
      problems.push(`${where}.client_name must be a string`);
    }
    return {
      client_id: String(id),
      redirect_uris: checkUriList(c.redirect_uris, `${where}.redirect_uris`, problems, true),
      post_logout_redirect_uris: checkUriList(
        c.post_logout_redirect_uris,
        `${where}.post_logout_redirect_uris`,
        problems,
        false,
      ),
      ...(typeof c.client_name === 'string' ? { client_name: c.client_name } : {}),
    };
  });
}

function checkUsers(value: unknown, problems: string[]): DevUser[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.push('users must be a non-empty array');
    return [];
  }
  const seen = new Set<string>();
  return value.map((item: unknown, i): DevUser => {
    const u = (typeof item === 'object' && item !== null ? item : {}) as Record<string, unknown>;
    const where = `users[${i}]`;
    const { sub, name, email } = u;
    if (typeof sub !== 'string' || sub.trim() === '')
      problems.push(`${where}.sub must be a non-empty string`);
    else if (seen.has(sub)) problems.push(`${where}.sub "${sub}" is used twice`);
    else seen.add(sub);
    if (typeof name !== 'string' || name.trim() === '')
      problems.push(`${where}.name must be a non-empty string`);
    if (typeof email !== 'string' || !/^[^\s@]+@[^\s@]+$/.test(email)) {
      problems.push(`${where}.email must be an email address`);
    }
    return { sub: String(sub), name: String(name), email: String(email) };
  });
}
