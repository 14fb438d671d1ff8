/**
 * Property-based fuzzing of every endpoint (fast-check): paths, queries, JSON bodies, multipart
 * bodies, resumable-upload headers, webhooks, credentials and headers, generated from one seed.
 * Whatever arrives, the API answers within a few seconds, never with a 5xx, and every error is
 * in our shape ({ statusCode, error, message, code, requestId }).
 *
 * Reproduce a run with FUZZ_SEED=<the printed seed>; FUZZ_RUNS sets the total number of cases.
 * The counts per category and outcome go to test-results/reliability/fuzz.json.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { mp4Bytes } from '@cliprelay/test-kit/videos';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mintToken, newSigningKey, writeDevIdentityKeyFile } from './support/issuer.ts';
import { initBody } from './support/publish.ts';
import { outcomeOf, ReliabilityReport } from './support/reliability.ts';
import { MEDIA_PREFIX, type Stack, startStack } from './support/stack.ts';
import { connectedAccount, connectViaOAuth, createCreator } from './support/tiktok.ts';
import { tusCreate } from './support/tus.ts';

const SEED = Number(process.env.FUZZ_SEED ?? 15_000_015);
const TOTAL_RUNS = Number(process.env.FUZZ_RUNS ?? 10_000);
/** FUZZ_ONLY=<category>: run one category (its share of FUZZ_RUNS), e.g. to reproduce a failure. */
const ONLY = process.env.FUZZ_ONLY;
/** One answer may take this long; longer counts as a hang. */
const ANSWER_TIMEOUT_MS = 10_000;

const report = new ReliabilityReport('fuzz');

interface FuzzRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Uint8Array | string;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Strings that have broken parsers, databases and templates before. */
const NASTY = [
  '\u0000',
  '\ud800',
  '\udfff',
  '\uffff',
  '\ufeff',
  '\u202e',
  '%00',
  '%',
  "'",
  '"',
  '\\',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '../../etc/passwd',
  '__proto__',
  'constructor',
  'null',
  'true',
  '-1',
  '1e999',
  '9'.repeat(40),
  ' ',
  '\r\n',
  '\t',
  '🎬',
  'a'.repeat(5000),
];

const nasty = fc.constantFrom(...NASTY);
const text = fc.oneof(
  fc.string({ maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  nasty,
  fc.tuple(fc.string({ maxLength: 8 }), nasty, fc.string({ maxLength: 8 })).map((p) => p.join('')),
);

/** JSON values of every type, nested a little. */
const jsonish: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    text,
    fc.integer(),
    fc.double(),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map((n) => Number(n)),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(text, tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A JSON text nested `depth` levels deep. */
const deepJson = fc
  .tuple(fc.integer({ min: 20, max: 12_000 }), fc.boolean())
  .map(([depth, arrays]) =>
    arrays ? `${'['.repeat(depth)}${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`,
  );

/** Bytes, percent-encoded (whatever UTF-8 they are or are not). */
const encodedBytes = fc
  .uint8Array({ minLength: 1, maxLength: 40 })
  .map((b) => [...b].map((x) => `%${x.toString(16).padStart(2, '0')}`).join(''));

/** A string as it would appear in a URL (lone surrogates cannot be encoded: their bytes are). */
const urlText = fc.oneof(
  text.map((s) =>
    encodeURIComponent(
      s.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '\ufffd'),
    ),
  ),
  encodedBytes,
  fc.constantFrom('%00', '%ff', '%ed%a0%80', '%c0%80', '%2e%2e', '..', '%2f', 'a%', '%zz', '%25'),
);

/** Characters a header value may carry over HTTP/1.1 (fetch refuses CR, LF and NUL). */
const headerValue = fc.oneof(
  fc.string({
    unit: fc.constantFrom(...Array.from({ length: 95 }, (_, i) => String.fromCharCode(32 + i))),
    maxLength: 80,
  }),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)), maxLength: 20 }),
  fc.constantFrom('', ' ', 'a'.repeat(4000), '1.0.0', '0', '-1', '99999999999999999999', 'application/json'),
);

const b64url = (v: unknown) =>
  Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

/** Bearer credentials of every broken kind. */
const credential = fc.oneof(
  headerValue,
  headerValue.map((v) => `Bearer ${v}`),
  fc
    .tuple(jsonish, jsonish, fc.string({ maxLength: 40 }))
    .map(([header, payload, sig]) => `Bearer ${b64url(header)}.${b64url(payload)}.${b64url(sig)}`),
  fc
    .tuple(fc.constantFrom('none', 'HS256', 'RS256', 'ES256', 'RS512', ''), jsonish)
    .map(([alg, claims]) => `Bearer ${b64url({ alg, typ: 'JWT' })}.${b64url(claims)}.`),
);

// ---------------------------------------------------------------------------------------------

describe('fuzz: every endpoint, every input', () => {
  let stack: Stack;
  let alice: { token: string; accountId: string; openId: string };
  const real = { publishId: '', uploadPath: '' };
  let templates: { method: string; path: string }[] = [];
  const video = mp4Bytes({ size: 4096 });
  const failures: string[] = [];
  const fuzzed = new Set<string>();
  let startedAt = 0;
  let keyDir = '';
  /**
   * The users the cases are sent as (a case picks one): our per-user write limits (30 publishes a
   * minute) would otherwise answer most cases 429 before their input is even looked at. The first
   * few have a TikTok account of their own; the rest name Alice's (a cross-user 404).
   */
  const users: { token: string; accountId?: string }[] = [];

  beforeAll(async () => {
    // Tokens for as many users as the cases need, signed with the identity provider's own key.
    keyDir = await mkdtemp(join(tmpdir(), 'cliprelay-fuzz-'));
    const key = await newSigningKey('fuzz-identity-key');
    await writeDevIdentityKeyFile(join(keyDir, 'signing-key.json'), key);
    stack = await startStack({ identity: { keyFile: join(keyDir, 'signing-key.json') } });
    const tokenFor = (sub: string) =>
      mintToken(key, { iss: stack.identityIssuer, aud: 'cliprelay-api', sub });
    alice = await connectedAccount(stack, 'dev|alice');
    const started = await stack.call('/tiktok/publish/init', {
      method: 'POST',
      token: alice.token,
      json: initBody(alice.accountId),
    });
    const startedBody = await started.text();
    expect(started.status, startedBody).toBe(200);
    real.publishId = JSON.parse(startedBody).data.publish_id;
    const tus = await tusCreate(stack.apiUrl, alice, video.length);
    real.uploadPath = tus.headers.get('location')!;
    for (let i = 0; i < 8; i++) {
      const token = await tokenFor(`fuzz|owner-${i}`);
      const { accountId } = await connectViaOAuth(stack, token, (await createCreator(stack)).open_id);
      users.push({ token, accountId: accountId! });
    }
    for (let i = 0; i < 150; i++) users.push({ token: await tokenFor(`fuzz|user-${i}`) });
    const doc = await (await stack.call('/docs/openapi.json')).json();
    templates = Object.entries(doc.paths as Record<string, Record<string, unknown>>).flatMap(([path, ops]) =>
      Object.keys(ops)
        .filter((m) => ['get', 'post', 'put', 'patch', 'delete', 'head'].includes(m))
        .map((m) => ({ method: m.toUpperCase(), path })),
    );
    // The tus methods live on one @All route.
    for (const method of ['HEAD', 'PATCH', 'DELETE'])
      templates.push({ method, path: '/tiktok/uploads/{uploadId}' });
    console.log(`fuzz: seed ${SEED}, ${TOTAL_RUNS} cases (reproduce with FUZZ_SEED=${SEED})`);
    report.meta.seed = SEED;
    startedAt = Date.now();
  });
  afterAll(async () => {
    report.meta.wallTimeMs = Date.now() - startedAt;
    report.meta.failures = failures.length;
    await report.write();
    await stack?.close();
    await rm(keyDir, { recursive: true, force: true });
  });

  /** The case as sent by the `n`th user: Alice's token and account become theirs. */
  function asUser(req: FuzzRequest, n: number): FuzzRequest {
    const user = users[n % users.length]!;
    const swap = (v: string) =>
      v.replaceAll(alice.token, user.token).replaceAll(alice.accountId, user.accountId ?? alice.accountId);
    return {
      ...req,
      path: swap(req.path),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, swap(v)])),
      body: typeof req.body === 'string' ? swap(req.body) : req.body,
    };
  }

  /** Sends one case and checks the answer; records it under `category`. Throws on a breach. */
  async function check(category: string, req: FuzzRequest): Promise<void> {
    const what = `${req.method} ${req.path.slice(0, 200)}`;
    let res: Response;
    try {
      res = await fetch(`${stack.apiUrl}${req.path}`, {
        method: req.method,
        headers: req.headers,
        body: req.body,
        redirect: 'manual',
        signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
      });
    } catch (error) {
      // fetch itself refusing the request (an invalid URL or header) is not the API's answer;
      // a network failure ("fetch failed") is.
      if (error instanceof TypeError && error.message !== 'fetch failed') {
        report.record(category, 'not sendable');
        return;
      }
      report.record(category, 'no answer');
      throw breach(category, `${what}: no answer (${String(error)})`, req);
    }
    const raw = await res.text();
    let body: any;
    try {
      body = raw ? JSON.parse(raw) : undefined;
    } catch {
      body = raw;
    }
    report.record(category, outcomeOf(res.status, body));
    if (res.status >= 500) throw breach(category, `${what}: ${res.status} ${raw.slice(0, 300)}`, req);
    if (res.status >= 400 && req.method !== 'HEAD') {
      const shaped =
        typeof body === 'object' &&
        body !== null &&
        body.statusCode === res.status &&
        typeof body.error === 'string' &&
        typeof body.code === 'string' &&
        (typeof body.message === 'string' || Array.isArray(body.message)) &&
        body.requestId === res.headers.get('x-request-id');
      if (!shaped)
        throw breach(category, `${what}: ${res.status} not in our error shape: ${raw.slice(0, 300)}`, req);
    }
  }

  function breach(category: string, message: string, req: FuzzRequest): Error {
    const body =
      typeof req.body === 'string' ? req.body.slice(0, 300) : req.body ? `<${req.body.length} bytes>` : '';
    failures.push(
      `[${category}] ${message}\n  headers: ${JSON.stringify(req.headers).slice(0, 300)}\n  body: ${body}`,
    );
    return new Error(message);
  }

  const auth = () => ({ authorization: `Bearer ${alice.token}` });

  /** Paths with their ids replaced: real ones (but never for a DELETE), well-formed and junk. */
  const pathCase = fc
    .tuple(
      fc.nat(),
      fc.oneof(urlText, fc.uuid().map(String), fc.constant('REAL')),
      fc.constantFrom('GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'),
      fc.boolean(),
      fc.option(urlText, { nil: undefined }),
    )
    .map(([i, id, otherMethod, keepMethod, suffix]) => {
      const t = templates[i % templates.length]!;
      const method = keepMethod ? t.method : otherMethod;
      const realId = t.path.includes('uploads')
        ? real.uploadPath.split('/').pop()!
        : t.path.includes('status')
          ? encodeURIComponent(real.publishId)
          : alice.accountId;
      const idText = id === 'REAL' && method !== 'DELETE' ? realId : id === 'REAL' ? randomUUID() : id;
      fuzzed.add(`${t.method} ${t.path}`);
      const path = t.path.replace(/\{[^}]+\}/g, idText) + (suffix ? `/${suffix}` : '');
      return { method, path, headers: { ...auth(), 'tus-resumable': '1.0.0' } } satisfies FuzzRequest;
    });

  const queryCase = fc
    .tuple(
      fc.constantFrom(
        '/social-accounts',
        '/tiktok/posts',
        '/media',
        '/health',
        '/tiktok/oauth/callback',
        '/tiktok/creator-info/REAL',
        '/tiktok/publish/status/REAL',
      ),
      fc.array(
        fc.tuple(
          fc.oneof(
            fc.constantFrom(
              'limit',
              'state',
              'code',
              'scopes',
              'error',
              'error_description',
              'a[b][c]',
              'a[]',
              '__proto__[x]',
            ),
            urlText,
          ),
          fc.oneof(urlText, fc.constantFrom('0', '-1', '201', '1e9', 'NaN', '', '99999999999999999999')),
        ),
        { maxLength: 6 },
      ),
    )
    .map(([base, pairs]) => {
      const path = base.replace(
        'REAL',
        base.includes('status') ? encodeURIComponent(real.publishId) : alice.accountId,
      );
      const query = pairs.map(([k, v]) => `${k}=${v}`).join('&');
      return { method: 'GET', path: `${path}?${query}`, headers: auth() } satisfies FuzzRequest;
    });

  const INIT_KEYS = Object.keys(
    initBody('x', { title: 't', video_url: 'u', disable_comment: false, is_aigc: false }),
  );
  const MEDIA_KEYS = ['title', 'url', 'size_bytes', 'mime_type', 'duration_sec'];

  /** An object mixing valid fields, wrong-typed ones and unknown ones. */
  const fieldsOf = (keys: string[], valid: () => Record<string, unknown>) =>
    fc
      .tuple(
        fc.subarray(keys),
        fc.array(jsonish, { minLength: keys.length, maxLength: keys.length }),
        fc.array(fc.boolean(), { minLength: keys.length, maxLength: keys.length }),
        fc.dictionary(text, jsonish, { maxKeys: 2 }),
        fc.boolean(),
      )
      .map(([present, values, keepValid, extra, withExtra]) => {
        const good = valid();
        const out: Record<string, unknown> = {};
        present.forEach((k, i) => (out[k] = keepValid[i] ? good[k] : values[i]));
        return withExtra ? { ...out, ...extra } : out;
      });

  const jsonBodyCase = fc
    .tuple(
      fc.constantFrom('/tiktok/publish/init', '/media', '/tiktok/connect', '/tiktok/webhooks'),
      fc.oneof(
        { weight: 6, arbitrary: fc.constant('fields') },
        { weight: 1, arbitrary: jsonish.map((v) => JSON.stringify(v) ?? 'null') },
        { weight: 1, arbitrary: deepJson },
        { weight: 1, arbitrary: fc.string({ maxLength: 100 }) },
        { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }) },
      ),
      fieldsOf(INIT_KEYS, () => initBody(alice.accountId)),
      fieldsOf(MEDIA_KEYS, () => ({
        title: 'Cat',
        url: `${MEDIA_PREFIX}cat.mp4`,
        size_bytes: 1000,
        mime_type: 'video/mp4',
        duration_sec: 5,
      })),
      fc.oneof(
        { weight: 8, arbitrary: fc.constant('application/json') },
        {
          weight: 2,
          arbitrary: fc.constantFrom(
            'application/json; charset=utf-16',
            'application/json; charset=latin1',
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/vnd.api+json',
            'multipart/form-data',
          ),
        },
        { weight: 1, arbitrary: headerValue },
      ),
    )
    .map(([path, kind, init, media, contentType]) => {
      const body = kind === 'fields' ? JSON.stringify(path === '/media' ? media : init) : kind;
      return {
        method: 'POST',
        path,
        headers: {
          ...auth(),
          'content-type': contentType,
          'tiktok-signature': `t=${Math.floor(Date.now() / 1000)},s=00`,
        },
        body,
      } satisfies FuzzRequest;
    });

  const UPLOAD_FIELDS: Record<string, string[]> = {
    title: ['A cat', ''],
    privacy_level: ['SELF_ONLY', 'PUBLIC_TO_EVERYONE'],
    disable_comment: ['true', 'false'],
    disable_duet: ['false'],
    disable_stitch: ['false'],
    brand_organic_toggle: ['false'],
    brand_content_toggle: ['false'],
    is_aigc: ['false'],
    video_cover_timestamp_ms: ['0', '1000'],
    video_size: [String(video.length), '1'],
  };

  const multipartCase = fc
    .tuple(
      fc.array(
        fc.tuple(
          fc.oneof({ weight: 5, arbitrary: fc.constantFrom(...Object.keys(UPLOAD_FIELDS), 'file') }, text),
          fc.oneof(text, fc.constantFrom(...Object.values(UPLOAD_FIELDS).flat())),
        ),
        { maxLength: 8 },
      ),
      fc.option(
        fc.tuple(
          fc.oneof(
            { weight: 4, arbitrary: fc.constant('video/mp4') },
            fc.constantFrom('video/webm', 'text/html', 'application/octet-stream', ''),
            headerValue,
          ),
          fc.oneof(
            fc.constant(video),
            fc.uint8Array({ maxLength: 2000 }),
            fc.constant(Buffer.concat([video.subarray(0, 12), Buffer.alloc(100)])),
          ),
          fc.oneof({ weight: 4, arbitrary: fc.constant('file') }, text),
        ),
        { nil: undefined },
      ),
      fc.nat({ max: 100 }),
      fc.oneof(fc.constant('REAL'), urlText),
      fc.constantFrom('fuzz-boundary', 'x', '"quoted"', 'a'.repeat(80)),
    )
    .map(([fields, file, cutPercent, account, boundary]) => {
      const quote = (s: string) => s.replace(/[\r\n"]/g, '_');
      const b = boundary.replace(/"/g, '');
      const parts: Buffer[] = fields.map(([name, value]) =>
        Buffer.concat([
          Buffer.from(`--${b}\r\nContent-Disposition: form-data; name="${quote(name)}"\r\n\r\n`, 'utf8'),
          Buffer.from(value, 'utf8'),
          Buffer.from('\r\n'),
        ]),
      );
      if (file) {
        const [type, bytes, name] = file;
        parts.push(
          Buffer.from(
            `--${b}\r\nContent-Disposition: form-data; name="${quote(name)}"; filename="v.mp4"\r\nContent-Type: ${type}\r\n\r\n`,
            'utf8',
          ),
          Buffer.from(bytes),
          Buffer.from('\r\n'),
        );
      }
      parts.push(Buffer.from(`--${b}--\r\n`));
      const whole = Buffer.concat(parts);
      // One case in four is cut short.
      const body = cutPercent < 75 ? whole : whole.subarray(0, Math.floor((whole.length * cutPercent) / 100));
      return {
        method: 'POST',
        path: `/tiktok/publish/upload/${account === 'REAL' ? alice.accountId : account}`,
        headers: { ...auth(), 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      } satisfies FuzzRequest;
    });

  const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64');
  const tusCase = fc
    .tuple(
      fc.constantFrom('POST', 'PATCH', 'HEAD', 'DELETE'),
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'social_account_id',
            'filename',
            'title',
            'privacy_level',
            'video_size',
            'disable_comment',
          ),
          text,
        ),
        fc.oneof(text, fc.constantFrom('REAL', 'SELF_ONLY', 'true')),
        { maxKeys: 6 },
      ),
      fc.oneof(headerValue, fc.nat().map(String), fc.constant(String(video.length))),
      fc.oneof(headerValue, fc.constant('0')),
      fc.oneof(fc.constant('1.0.0'), headerValue),
      fc.oneof(fc.constant('REAL'), urlText, fc.uuid().map(String)),
      fc.uint8Array({ maxLength: 600 }),
      fc.boolean(),
    )
    .map(([method, meta, length, offset, version, id, bytes, rawMeta]) => {
      const metadata = rawMeta
        ? Object.entries(meta)
            .map(([k, v]) => `${k} ${v}`.replace(/[^\x20-\x7e]/g, '?'))
            .join(',')
        : Object.entries(meta)
            .map(
              ([k, v]) =>
                `${k.replace(/[^\x21-\x2b\x2d-\x7e]/g, '_') || 'k'} ${b64(v === 'REAL' ? alice.accountId : v)}`,
            )
            .join(',');
      const headers: Record<string, string> = {
        ...auth(),
        'tus-resumable': version,
        'upload-metadata': metadata,
        'upload-length': length,
        'upload-offset': offset,
      };
      if (method === 'PATCH') headers['content-type'] = 'application/offset+octet-stream';
      // A PATCH to the real upload would make it progress: only the DELETE is kept off it.
      const upload =
        id === 'REAL' && method !== 'DELETE'
          ? real.uploadPath
          : `/tiktok/uploads/${id === 'REAL' ? randomUUID() : id}`;
      return {
        method,
        path: method === 'POST' ? '/tiktok/uploads' : upload,
        headers,
        body: method === 'PATCH' || method === 'POST' ? bytes : undefined,
      } satisfies FuzzRequest;
    });

  const FORBIDDEN_HEADERS = new Set([
    'host',
    'content-length',
    'connection',
    'transfer-encoding',
    'keep-alive',
    'upgrade',
    'expect',
    'te',
    'trailer',
  ]);
  const headerCase = fc
    .tuple(
      fc.nat(),
      fc.option(credential, { nil: undefined }),
      fc.dictionary(
        fc.oneof(
          fc.constantFrom(
            'content-type',
            'idempotency-key',
            'x-request-id',
            'accept',
            'accept-encoding',
            'cookie',
            'origin',
            'tiktok-signature',
            'range',
            'if-none-match',
            'x-forwarded-for',
            'x-forwarded-proto',
            'tus-resumable',
            'upload-length',
          ),
          fc.stringMatching(/^[a-z][a-z0-9-]{0,20}$/),
        ),
        headerValue,
        { maxKeys: 5 },
      ),
      fc.boolean(),
    )
    .map(([i, authorization, headers, signedIn]) => {
      const t = templates[i % templates.length]!;
      fuzzed.add(`${t.method} ${t.path}`);
      const out: Record<string, string> = {};
      for (const [k, v] of Object.entries(headers)) if (!FORBIDDEN_HEADERS.has(k)) out[k] = v;
      if (authorization !== undefined) out.authorization = authorization;
      else if (signedIn) Object.assign(out, auth());
      const path = t.path.replace(/\{[^}]+\}/g, randomUUID());
      const body = ['POST', 'PATCH', 'PUT'].includes(t.method) ? '{}' : undefined;
      if (body && !out['content-type']) out['content-type'] = 'application/json';
      return { method: t.method, path, headers: out, body } satisfies FuzzRequest;
    });

  /** Each category's share of the runs. */
  const categories: [string, fc.Arbitrary<FuzzRequest>, number][] = [
    ['path', fc.constant(null).chain(() => pathCase), 0.2],
    ['query', fc.constant(null).chain(() => queryCase), 0.1],
    ['json body', fc.constant(null).chain(() => jsonBodyCase), 0.25],
    ['multipart body', fc.constant(null).chain(() => multipartCase), 0.15],
    ['resumable upload', fc.constant(null).chain(() => tusCase), 0.1],
    ['headers and credentials', fc.constant(null).chain(() => headerCase), 0.2],
  ];

  it(`answers ${TOTAL_RUNS} generated requests with a structured 4xx (or a success), never a 5xx or a hang`, async () => {
    // The categories run side by side (keep-alive connections), each a fast-check property of
    // its own seed, so that a failure shrinks and reports the case that reproduces it.
    const chosen = categories.filter(([name]) => !ONLY || name === ONLY);
    const results = await Promise.allSettled(
      chosen.map(([name, arbitrary, share]) =>
        fc.assert(
          fc.asyncProperty(arbitrary, fc.nat(), (req, user) => check(name, asUser(req, user))),
          {
            seed: SEED + categories.findIndex(([n]) => n === name),
            numRuns: Math.ceil(TOTAL_RUNS * share),
            endOnFailure: true,
          },
        ),
      ),
    );
    const errors = results.flatMap((r, i) =>
      r.status === 'rejected' ? [`${chosen[i]![0]}: ${String(r.reason)}`] : [],
    );
    console.log(`fuzz: ${report.totalCases} cases in ${Date.now() - startedAt} ms`);
    expect(failures.slice(0, 20), errors.join('\n\n').slice(0, 6000)).toEqual([]);
    expect(errors).toEqual([]);
    if (!ONLY) expect(report.totalCases).toBeGreaterThanOrEqual(TOTAL_RUNS);
  }, 300_000);

  it.skipIf(ONLY)('fuzzed every operation of the OpenAPI document', () => {
    const all = templates.map((t) => `${t.method} ${t.path}`);
    expect(all.filter((op) => !fuzzed.has(op))).toEqual([]);
  });
});
