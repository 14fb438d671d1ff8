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

function headers(directives: Record<string, string[]>): RequestHandler {
  return helmet({
    contentSecurityPolicy: { useDefaults: false, directives },
    referrerPolicy: { policy: 'no-referrer' },
    xFrameOptions: { action: 'deny' },
    // The web app is another origin of the same site; what it embeds from here stays allowed.
    crossOriginResourcePolicy: { policy: 'same-site' },
    strictTransportSecurity: false,
  });
}

function isDocs(path: string): boolean {
  return path === '/docs' || path.startsWith('/docs/');
}

export function securityHeaders(): RequestHandler {
  const api = headers(API_CSP);
  const docs = headers(DOCS_CSP);
  const hsts = helmet.strictTransportSecurity({ maxAge: 365 * 24 * 60 * 60, includeSubDomains: true });
  return (req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    (isDocs(req.path) ? docs : api)(req, res, (error?: unknown) => {
      if (error) return next(error);
      if (req.secure) hsts(req, res, next);
      else next();
    });
  };
}
