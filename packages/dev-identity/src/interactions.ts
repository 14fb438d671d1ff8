/**
 * The provider's interaction pages (oidc-provider leaves them to the deployment):
 *   GET  /interaction/:uid        login prompt → the login page; consent prompt → granted at once
 *   POST /interaction/:uid/login  `sub` of a dev user → signed in (unknown → the page again, 400)
 *   POST /interaction/:uid/abort  → back to the app with error=access_denied
 * Consent is automatic because every registered client is our own first-party app.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type Provider from 'oidc-provider';
import { errors } from 'oidc-provider';
import type { DevClient, DevUser } from './options.ts';
import { contentSecurityPolicy, errorPage, loginPage } from './pages.ts';

const ROUTE = /^\/interaction\/([A-Za-z0-9_-]+)(?:\/(login|abort))?$/;
const MAX_BODY = 16 * 1024;

export interface InteractionContext {
  provider: Provider;
  users: readonly DevUser[];
  clients: readonly DevClient[];
}

export interface InteractionRoute {
  uid: string;
  action: 'show' | 'login' | 'abort';
}

export function matchInteraction(pathname: string): InteractionRoute | undefined {
  const match = ROUTE.exec(pathname);
  if (!match?.[1]) return undefined;
  return { uid: match[1], action: (match[2] as 'login' | 'abort' | undefined) ?? 'show' };
}

export function sendHtml(res: ServerResponse, status: number, body: string, scriptHash?: string): void {
  res.statusCode = status;
  res.setHeader('content-type', 'text/html; charset=utf-8');
  res.setHeader('cache-control', 'no-store');
  res.setHeader('content-security-policy', contentSecurityPolicy(scriptHash));
  res.setHeader('x-content-type-options', 'nosniff');
  res.setHeader('referrer-policy', 'no-referrer');
  res.end(body);
}

class BadRequest extends Error {}

async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const type = (req.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
  if (type !== 'application/x-www-form-urlencoded') {
    throw new BadRequest('Send the form as application/x-www-form-urlencoded.');
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY) throw new BadRequest('The form is too large.');
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function handleInteraction(
  context: InteractionContext,
  route: InteractionRoute,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const method = req.method ?? 'GET';
  const allowed = route.action === 'show' ? ['GET', 'HEAD'] : ['POST'];
  if (!allowed.includes(method)) {
    res.setHeader('allow', allowed.join(', '));
    sendHtml(res, 405, errorPage('Method not allowed', `Use ${allowed.join(' or ')} here.`));
    return;
  }
  try {
    await dispatch(context, route, req, res);
  } catch (error) {
    if (error instanceof errors.SessionNotFound) {
      sendHtml(
        res,
        400,
        errorPage(
          'This sign-in has expired',
          'The sign-in attempt is over or its cookie is missing. Go back to the app and sign in again.',
        ),
      );
    } else if (error instanceof BadRequest) {
      sendHtml(res, 400, errorPage('Bad request', error.message));
    } else {
      console.error('dev-identity: interaction failed', error);
      if (!res.headersSent) {
        sendHtml(
          res,
          500,
          errorPage('Something went wrong', 'The dev identity provider failed; see its log.'),
        );
      } else {
        res.end();
      }
    }
  }
}

async function dispatch(
  context: InteractionContext,
  route: InteractionRoute,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { provider, users } = context;
  const interaction = await provider.interactionDetails(req, res);
  if (interaction.uid !== route.uid)
    throw new errors.SessionNotFound('interaction session id cookie not found');
  const { prompt, params } = interaction;

  const render = (status: number, error?: string): void => {
    const clientId = str(params.client_id) ?? '';
    const client = context.clients.find((c) => c.client_id === clientId);
    sendHtml(
      res,
      status,
      loginPage({
        uid: interaction.uid,
        users,
        clientName: client?.client_name ?? clientId,
        appOrigin: URL.parse(str(params.redirect_uri) ?? '')?.origin,
        hint: str(params.login_hint),
        ...(error ? { error } : {}),
      }),
    );
  };

  if (route.action === 'abort') {
    await provider.interactionFinished(
      req,
      res,
      { error: 'access_denied', error_description: 'The user cancelled the sign-in.' },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  if (prompt.name === 'login') {
    if (route.action === 'show') {
      render(200);
      return;
    }
    const sub = (await readForm(req)).get('sub') ?? '';
    const user = users.find((u) => u.sub === sub);
    if (!user) {
      render(400, sub ? `There is no dev user "${sub}". Pick one of these.` : 'Pick a user to sign in.');
      return;
    }
    await provider.interactionFinished(
      req,
      res,
      { login: { accountId: user.sub } },
      { mergeWithLastSubmission: false },
    );
    return;
  }

  if (prompt.name === 'consent') {
    await grantConsent(provider, interaction, req, res);
    return;
  }

  sendHtml(
    res,
    400,
    errorPage('Unsupported step', `This provider cannot handle the "${prompt.name}" prompt.`, {
      reasons: prompt.reasons.join(', '),
    }),
  );
}

type Interaction = Awaited<ReturnType<Provider['interactionDetails']>>;

/** What oidc-provider's example consent page grants on "Authorize", without the page. */
async function grantConsent(
  provider: Provider,
  interaction: Interaction,
  req: IncomingMessage,
  res: ServerResponse,
): Promise<void> {
  const { prompt, params, session } = interaction;
  const details = prompt.details as {
    missingOIDCScope?: string[];
    missingOIDCClaims?: string[];
    missingResourceScopes?: Record<string, string[]>;
  };
  const grant = interaction.grantId
    ? await provider.Grant.find(interaction.grantId)
    : new provider.Grant({ accountId: session?.accountId, clientId: str(params.client_id) });
  if (!grant) throw new errors.SessionNotFound('grant not found');
  if (details.missingOIDCScope) grant.addOIDCScope(details.missingOIDCScope.join(' '));
  if (details.missingOIDCClaims) grant.addOIDCClaims(details.missingOIDCClaims);
  for (const [resource, scopes] of Object.entries(details.missingResourceScopes ?? {})) {
    grant.addResourceScope(resource, scopes.join(' '));
  }
  const grantId = await grant.save();
  await provider.interactionFinished(
    req,
    res,
    { consent: interaction.grantId ? {} : { grantId } },
    { mergeWithLastSubmission: true },
  );
}
