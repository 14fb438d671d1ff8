import { Injectable } from '@nestjs/common';
import { messageFor } from '@cliprelay/contract';
import { createRemoteJWKSet, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import { LRUCache } from 'lru-cache';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';
import { AppError } from '../common/app-error.ts';
import { isStorableText } from '../common/validation.ts';

const CLOCK_TOLERANCE_SEC = 5;

interface Discovery {
  issuer: string;
  jwks_uri: string;
}

/**
 * Verifies our API's bearer tokens against the issuer's JWKS, found by OIDC discovery: RS256
 * only; iss and aud checked; exp required and checked, nbf and iat refused in the future (5 s of
 * clock tolerance); the claims we store (sub, email, name) must be text the database can hold. jose caches the keys and refetches once (with a cooldown) when a
 * token names an unknown `kid`. Works unchanged against Auth0: the expected `iss` is the one the
 * discovery document states (Auth0's ends with a slash), and `aud` may be an array.
 */
@Injectable()
export class JwtVerifier {
  private discovery: Promise<{ issuer: string; jwks: ReturnType<typeof createRemoteJWKSet> }> | undefined;
  /**
   * Tokens already verified (a browser sends the same one for an hour): a token's signature and
   * claims never change, so it is checked once, and remembered until its `exp`.
   */
  private readonly verified = new LRUCache<string, JWTPayload & { sub: string }>({ max: 10_000 });

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  async verify(token: string): Promise<JWTPayload & { sub: string }> {
    const known = this.verified.get(token);
    if (known) return known;
    const payload = await this.verifySignature(token);
    const ttl = ((payload.exp ?? 0) + CLOCK_TOLERANCE_SEC) * 1000 - Date.now();
    if (ttl > 0) this.verified.set(token, payload, { ttl });
    return payload;
  }

  private async verifySignature(token: string): Promise<JWTPayload & { sub: string }> {
    const { issuer, jwks } = await this.discover();
    try {
      const { payload } = await jwtVerify(token, jwks, {
        issuer,
        audience: this.config.auth.audience,
        algorithms: ['RS256'],
        clockTolerance: CLOCK_TOLERANCE_SEC,
        // A token without an expiry would be good forever (jose checks nbf when present).
        requiredClaims: ['exp'],
      });
      if (typeof payload.iat === 'number' && payload.iat > Date.now() / 1000 + CLOCK_TOLERANCE_SEC) {
        throw new AppError('UNAUTHENTICATED', 'The access token is not valid for this API.');
      }
      if (typeof payload.sub !== 'string' || payload.sub.length === 0) {
        throw new AppError('UNAUTHENTICATED', 'The access token has no subject.');
      }
      // The user row stores these: text PostgreSQL cannot hold would fail the request with a 500.
      const stored = [payload.sub, payload.email, payload.name].filter((c) => typeof c === 'string');
      if (!stored.every(isStorableText)) {
        throw new AppError('UNAUTHENTICATED', 'The access token is not valid for this API.');
      }
      return payload as JWTPayload & { sub: string };
    } catch (err) {
      if (err instanceof AppError) throw err;
      // The identity provider's keys could not be fetched in time: not the client's fault.
      if (err instanceof joseErrors.JWKSTimeout) throw signInUnreachable(err);
      if (err instanceof joseErrors.JWTExpired) {
        throw new AppError('UNAUTHENTICATED', messageFor('UNAUTHENTICATED'));
      }
      if (err instanceof joseErrors.JOSEError) {
        throw new AppError('UNAUTHENTICATED', 'The access token is not valid for this API.');
      }
      throw err;
    }
  }

  private discover() {
    this.discovery ??= this.fetchDiscovery().catch((err: unknown) => {
      // Do not cache a failure: the identity provider may just be starting.
      this.discovery = undefined;
      throw err;
    });
    return this.discovery;
  }

  private async fetchDiscovery() {
    const base = this.config.auth.issuerUrl.replace(/\/+$/, '');
    const url = `${base}/.well-known/openid-configuration`;
    let doc: Discovery;
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(10_000) });
      if (!res.ok) throw new Error(`HTTP ${res.status}`);
      doc = (await res.json()) as Discovery;
    } catch (cause) {
      throw signInUnreachable(new Error(`OIDC discovery failed at ${url}`, { cause }));
    }
    if (typeof doc.issuer !== 'string' || typeof doc.jwks_uri !== 'string') {
      throw new AppError('INTERNAL', 'The sign-in service is misconfigured.', {
        cause: new Error(`discovery document at ${url} lacks issuer or jwks_uri`),
      });
    }
    // jose's default is 5 s: a busy machine's first key fetch can take longer.
    const jwks = createRemoteJWKSet(new URL(doc.jwks_uri), { timeoutDuration: 15_000 });
    return { issuer: doc.issuer, jwks };
  }
}

function signInUnreachable(cause: unknown): AppError {
  return new AppError('INTERNAL', 'The sign-in service cannot be reached right now. Please try again.', {
    retryable: true,
    cause,
  });
}
