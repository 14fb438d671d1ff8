/**
 * The response headers every API answer carries (helmet): no MIME sniffing, no framing, no
 * Referer, a CSP that lets a JSON answer load nothing (the OpenAPI page at /docs gets what Swagger
 * UI needs), `Cache-Control: no-store` (answers hold a user's accounts and posts; a handler may
 * still set its own), and HSTS only on a request that came over https — directly, or through a
 * proxy the app trusts (`trust proxy`) saying `X-Forwarded-Proto: https`. Over plain http, HSTS
 * means nothing to a browser and would only mislead.
 */
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import helmet from 'helmet';

const API_CSP = { 'default-src': ["'none'"], 'frame-ancestors': ["'none'"] };

/** Swagger UI's page: its own scripts and styles, inline styles, data: logos, the JSON it reads. */
const DOCS_CSP = {
  'default-src': ["'self'"],
  'style-src': ["'self'", "'unsafe-inline'"],
  'img-src': ["'self'", 'data:'],
  'object-src': ["'none'"],
  'base-uri': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
};

/** What a helmet middleware does to a response: the headers it sets and the ones it removes. */
interface HeaderEdits {
  set: [name: string, value: string][];
  remove: string[];
}

/**
 * Runs a helmet middleware once against a recorder: ours take no input from the request (static
 * directives, no nonces), so every answer gets the same edits, applied per request without
 * helmet's chain of a dozen middlewares.
 */
function recordEdits(middleware: RequestHandler): HeaderEdits {
  const edits: HeaderEdits = { set: [], remove: [] };
  const recorder = {
    setHeader: (name: string, value: string | number | readonly string[]) => {
      edits.set.push([name, String(value)]);
    },
    removeHeader: (name: string) => {
      edits.remove.push(name);
    },
  };
  let done = false;
  middleware({} as Request, recorder as unknown as Response, (error?: unknown) => {
    if (error) throw new Error('a helmet middleware refused its options', { cause: error });
    done = true;
  });
  if (!done) throw new Error('a helmet middleware did not answer at once');
  return edits;
}

function headers(directives: Record<string, string[]>): HeaderEdits {
  return recordEdits(
    helmet({
      contentSecurityPolicy: { useDefaults: false, directives },
      referrerPolicy: { policy: 'no-referrer' },
      xFrameOptions: { action: 'deny' },
      // The web app is another origin of the same site; what it embeds from here stays allowed.
      crossOriginResourcePolicy: { policy: 'same-site' },
      strictTransportSecurity: false,
    }),
  );
}

function apply(res: Response, edits: HeaderEdits): void {
  for (const [name, value] of edits.set) res.setHeader(name, value);
  for (const name of edits.remove) res.removeHeader(name);
}

function isDocs(path: string): boolean {
  return path === '/docs' || path.startsWith('/docs/');
}

/**
 * `req.secure` without its cost on most requests: Express asks `trust proxy` (parsing the peer's
 * address) only to read X-Forwarded-Proto, so a request without that header is secure exactly
 * when its own connection is TLS.
 */
function isSecure(req: Request): boolean {
  if (req.headers['x-forwarded-proto'] === undefined)
    return 'encrypted' in req.socket && req.socket.encrypted === true;
  return req.secure;
}

export function securityHeaders(): RequestHandler {
  const api = headers(API_CSP);
  const docs = headers(DOCS_CSP);
  const hsts = recordEdits(
    helmet.strictTransportSecurity({ maxAge: 365 * 24 * 60 * 60, includeSubDomains: true }),
  );
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    apply(res, isDocs(req.path) ? docs : api);
    if (isSecure(req)) apply(res, hsts);
    next();
  };
}
