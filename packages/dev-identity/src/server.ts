/**
 * startDevIdentity(): oidc-provider (the certified library) configured the way Cliprelay uses
 * Auth0 — a public SPA client with authorization code + PKCE (S256), RS256 JWT access tokens for
 * one API audience, ID tokens, rotating refresh tokens (offline_access), RP-initiated logout — plus
 * our own login page. Endpoint paths follow Auth0's (/authorize, /oauth/token, /userinfo,
 * /.well-known/jwks.json, /oidc/logout, /v2/logout), though clients should read them from discovery.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider, {
  errors,
  interactionPolicy,
  type Configuration,
  type KoaContextWithOIDC,
} from 'oidc-provider';
import { MemoryStore } from './adapter.ts';
import { handleInteraction, matchInteraction, sendHtml } from './interactions.ts';
import { loadSigningKey } from './keys.ts';
import {
  parseDevIdentityOptions,
  type DevClient,
  type DevIdentityOptions,
  type DevUser,
  type ResolvedDevIdentityOptions,
} from './options.ts';
import {
  contentSecurityPolicy,
  errorPage,
  homePage,
  logoutPage,
  LOGOUT_SCRIPT_HASH,
  signedOutPage,
} from './pages.ts';

export interface RunningDevIdentity {
  /** Where the server answers, e.g. http://localhost:4020 (no trailing slash). */
  url: string;
  /** The issuer identifier, exactly as it appears in `iss` and in discovery. */
  issuer: string;
  /** `aud` of access tokens. */
  audience: string;
  /** `${url}/.well-known/openid-configuration` */
  discoveryUrl: string;
  /** `kid` of the signing key. */
  kid: string;
  clients: readonly DevClient[];
  users: readonly DevUser[];
  close(): Promise<void>;
}

/** The port is taken; `code` stays EADDRINUSE so callers can branch on it. */
export class PortInUseError extends Error {
  readonly code = 'EADDRINUSE';
  constructor(host: string, port: number, options?: ErrorOptions) {
    super(`port ${port} on ${host} is already in use`, options);
    this.name = 'PortInUseError';
  }
}

/** Scopes the SPA asks for; an access token for the API carries those it was granted. */
const API_SCOPE = 'openid profile email offline_access';
const DAY = 24 * 60 * 60;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException): void => {
      reject(error.code === 'EADDRINUSE' ? new PortInUseError(host, port, { cause: error }) : error);
    };
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function urlHost(host: string): string {
  if (['127.0.0.1', '0.0.0.0', '::', '::1', 'localhost'].includes(host)) return 'localhost';
  return host.includes(':') ? `[${host}]` : host;
}

/** Resource indicators must be absolute URIs; an audience such as `cliprelay-api` is not one. */
function resourceIndicatorFor(audience: string): string {
  return /^[a-z][a-z0-9+.-]*:/i.test(audience) ? audience : `urn:dev-identity:audience:${audience}`;
}

export async function startDevIdentity(input: DevIdentityOptions = {}): Promise<RunningDevIdentity> {
  const options = parseDevIdentityOptions(input);
  const key = await loadSigningKey(options.keyFile);
  const server = createServer();
  await listen(server, options.port, options.host);
  const { port } = server.address() as AddressInfo;
  const url = `http://${urlHost(options.host)}:${port}`;
  const issuer = options.issuer ?? url;

  let provider: Provider;
  try {
    provider = createProvider(options, issuer, key);
  } catch (error) {
    server.close();
    throw error;
  }
  const callback = provider.callback();
  const context = { provider, users: options.users, clients: options.clients };
  const endSessionPath = provider.pathFor('end_session');
  const discoveryUrl = `${url}/.well-known/openid-configuration`;

  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    const pathname = (req.url ?? '/').split('?')[0] ?? '/';
    const interaction = matchInteraction(pathname);
    if (interaction) {
      void handleInteraction(context, interaction, req, res);
    } else if (pathname === '/' && (req.method === 'GET' || req.method === 'HEAD')) {
      sendHtml(res, 200, homePage({ ...options, issuer, discoveryUrl }));
    } else if (pathname === '/v2/logout' && req.method === 'GET') {
      auth0Logout(req, res, endSessionPath, options.clients);
    } else {
      void callback(req, res);
    }
  });

  let closing: Promise<void> | undefined;
  return {
    url,
    issuer,
    audience: options.audience,
    discoveryUrl,
    kid: key.kid,
    clients: options.clients,
    users: options.users,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
        setTimeout(() => server.closeAllConnections(), 1000).unref();
      });
      return closing;
    },
  };
}

/**
 * Auth0's logout URL (`/v2/logout?client_id=…&returnTo=…`, what @auth0/auth0-spa-js calls) →
 * the standard end_session endpoint with `post_logout_redirect_uri`.
 */
function auth0Logout(
  req: IncomingMessage,
  res: ServerResponse,
  endSessionPath: string,
  clients: readonly DevClient[],
): void {
  const query = new URL(req.url ?? '/', 'http://localhost').searchParams;
  const target = new URLSearchParams();
  const clientId = query.get('client_id') ?? (clients.length === 1 ? clients[0]?.client_id : undefined);
  if (clientId) target.set('client_id', clientId);
  const returnTo = query.get('returnTo');
  if (returnTo && clientId) target.set('post_logout_redirect_uri', returnTo);
  res.statusCode = 302;
  res.setHeader('location', `${endSessionPath}${target.size ? `?${target.toString()}` : ''}`);
  res.setHeader('cache-control', 'no-store');
  res.end();
}

/**
 * oidc-provider drops `offline_access` unless the request says `prompt=consent` (OIDC Core §11).
 * Our clients are first-party and consent is implied, as on Auth0, where an SPA that asks for
 * offline_access gets a refresh token without a consent prompt. This check puts the scope back on
 * the first authorization request (resumed requests keep it); it never asks for an interaction.
 */
function firstPartyOfflineAccess(): interactionPolicy.Prompt {
  const { Prompt, Check } = interactionPolicy;
  return new Prompt(
    { name: 'first_party_offline_access', requestable: false },
    new Check(
      'offline_access_restored',
      'first-party clients get offline_access without prompt=consent',
      (ctx) => {
        const { oidc } = ctx;
        if (oidc.route !== 'authorization') return Check.NO_NEED_TO_PROMPT;
        const raw = ctx.method === 'POST' ? oidc.body : ctx.query;
        const asked = typeof raw?.scope === 'string' && raw.scope.split(' ').includes('offline_access');
        const params = oidc.params as { scope?: string };
        const scopes = params.scope?.split(' ') ?? [];
        if (asked && oidc.client?.grantTypeAllowed('refresh_token') && !scopes.includes('offline_access')) {
          params.scope = [...scopes, 'offline_access'].join(' ');
        }
        return Check.NO_NEED_TO_PROMPT;
      },
    ),
  );
}

function createProvider(options: ResolvedDevIdentityOptions, issuer: string, key: object): Provider {
  const { audience, accessTokenTtl, users, clients } = options;
  const resource = resourceIndicatorFor(audience);
  const usersBySub = new Map(users.map((u) => [u.sub, u]));
  const clientsById = new Map(clients.map((c) => [c.client_id, c]));
  const corsOrigins = new Map(
    clients.map((c) => [
      c.client_id,
      new Set([...c.redirect_uris, ...(c.post_logout_redirect_uris ?? [])].map((u) => new URL(u).origin)),
    ]),
  );
  const store = new MemoryStore();
  const policy = interactionPolicy.base();
  policy.add(firstPartyOfflineAccess(), 0);

  const configuration: Configuration = {
    adapter: store.adapterFor,
    clients: clients.map((c) => ({
      client_id: c.client_id,
      ...(c.client_name ? { client_name: c.client_name } : {}),
      redirect_uris: c.redirect_uris,
      post_logout_redirect_uris: c.post_logout_redirect_uris ?? [],
      application_type: 'web',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
    })),
    jwks: { keys: [key] },
    // Sessions live in memory, so cookie keys only need to outlive this process.
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount(_ctx, sub) {
      const user = usersBySub.get(sub);
      if (!user) return undefined;
      return {
        accountId: user.sub,
        claims: () => ({
          sub: user.sub,
          name: user.name,
          nickname: user.email.split('@')[0],
          email: user.email,
          email_verified: true,
        }),
      };
    },
    scopes: ['openid', 'profile', 'email', 'offline_access'],
    claims: { openid: ['sub'], profile: ['name', 'nickname'], email: ['email', 'email_verified'] },
    pkce: { required: () => true },
    // Auth0's SPA SDK sends `audience`; asking for an API this provider does not serve is an error
    // here as it is there, instead of a token the API would reject later.
    extraParams: {
      audience(_ctx, value) {
        if (value !== undefined && value !== audience) {
          throw new errors.InvalidTarget(`unknown audience "${value}"; this provider serves "${audience}"`);
        }
      },
    },
    clientBasedCORS: (_ctx, origin, client) => corsOrigins.get(client.clientId)?.has(origin) ?? false,
    interactions: { policy, url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    responseTypes: ['code'],
    routes: {
      authorization: '/authorize',
      token: '/oauth/token',
      userinfo: '/userinfo',
      jwks: '/.well-known/jwks.json',
      end_session: '/oidc/logout',
      revocation: '/oauth/revoke',
      pushed_authorization_request: '/oauth/par',
    },
    ttl: {
      AccessToken: accessTokenTtl,
      IdToken: accessTokenTtl,
      AuthorizationCode: 60,
      Interaction: 60 * 60,
      Session: 14 * DAY,
      Grant: 14 * DAY,
      RefreshToken: 14 * DAY,
    },
    features: {
      devInteractions: { enabled: false },
      revocation: { enabled: true },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource(ctx, form) {
          ctx.set('content-security-policy', contentSecurityPolicy(LOGOUT_SCRIPT_HASH));
          ctx.body = logoutPage(form);
        },
        postLogoutSuccessSource(ctx) {
          const clientId = ctx.oidc.client?.clientId;
          ctx.type = 'html';
          ctx.set('content-security-policy', contentSecurityPolicy());
          ctx.body = signedOutPage(
            clientId ? (clientsById.get(clientId)?.client_name ?? clientId) : undefined,
          );
        },
      },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => resource,
        useGrantedResource: () => true,
        getResourceServerInfo(_ctx, indicator) {
          if (indicator !== resource) throw new errors.InvalidTarget(`unknown resource "${indicator}"`);
          return {
            audience,
            scope: API_SCOPE,
            accessTokenFormat: 'jwt',
            accessTokenTTL: accessTokenTtl,
            jwt: { sign: { alg: 'RS256' } },
          };
        },
      },
    },
    renderError(ctx: KoaContextWithOIDC, out) {
      ctx.type = 'html';
      ctx.set('content-security-policy', contentSecurityPolicy());
      ctx.body = errorPage(
        out.error === 'server_error' ? 'Something went wrong' : 'Sign-in failed',
        out.error_description ?? out.error,
        { error: out.error },
      );
    },
  };

  const provider = new Provider(issuer, configuration);
  provider.on('server_error', (_ctx: unknown, error: unknown) => {
    console.error('dev-identity: server error', error);
  });
  return provider;
}
