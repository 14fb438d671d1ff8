/**
 * What the web app's first visit costs in JavaScript: the scripts `index.html` has the browser
 * fetch before anything runs (its `<script src>` and `<link rel="modulepreload">`), as a host
 * sends them compressed. Screens the router loads later are not counted; they are not fetched
 * until shown. The budget is issue 14's: at most 250 KB gzip (apps/web/README.md, "The first
 * visit").
 */
import { get as httpGet, type IncomingMessage } from 'node:http';
import { get as httpsGet } from 'node:https';
import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Bytes of JavaScript the first visit may fetch, gzip-compressed. */
export const FIRST_VISIT_BUDGET = 250_000;

export interface ScriptSize {
  /** As index.html names it, e.g. `/assets/index-abc.js`. */
  path: string;
  raw: number;
  gzip: number;
  brotli: number;
}

export interface FirstVisitSize {
  scripts: ScriptSize[];
  raw: number;
  gzip: number;
  brotli: number;
}

/** The paths of index.html's scripts and module preloads, in its order, each once. */
export function firstVisitScripts(indexHtml: string): string[] {
  const paths: string[] = [];
  for (const [tag, name = ''] of indexHtml.matchAll(/<(script|link)\b[^>]*>/gi)) {
    const attrs = attributes(tag);
    const path =
      name.toLowerCase() === 'script'
        ? attrs.get('src')
        : attrs.get('rel')?.toLowerCase().split(/\s+/).includes('modulepreload')
          ? attrs.get('href')
          : undefined;
    if (path && !paths.includes(path)) paths.push(path);
  }
  return paths;
}

function attributes(tag: string): Map<string, string> {
  const found = new Map<string, string>();
  for (const [, name = '', double, single, bare] of tag.matchAll(
    /\s([\w-]+)(?:=(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?/g,
  )) {
    found.set(name.toLowerCase(), double ?? single ?? bare ?? '');
  }
  return found;
}

/**
 * From a build on disk: each script and the `.gz` and `.br` the build wrote beside it, which is
 * what the host sends (`packages/dev-stack`'s does); a file too small to have them is sent as it
 * is.
 */
export async function measureBuild(distDir: string): Promise<FirstVisitSize> {
  const indexHtml = await readFile(join(distDir, 'index.html'), 'utf8');
  const sizeOf = async (file: string) => (await stat(file)).size;
  const scripts = await Promise.all(
    firstVisitScripts(indexHtml).map(async (path) => {
      const file = join(distDir, new URL(path, 'http://host/').pathname);
      const raw = await sizeOf(file);
      const beside = (ext: string) => sizeOf(`${file}.${ext}`).catch(() => raw);
      return { path, raw, gzip: await beside('gz'), brotli: await beside('br') };
    }),
  );
  return summed(scripts);
}

/**
 * From a running host (`baseUrl`, e.g. http://localhost:5173): its index.html, and each script
 * as the bytes of the body it answers to `Accept-Encoding: gzip`, to `br`, and to no encoding.
 */
export async function measureHost(baseUrl: string): Promise<FirstVisitSize> {
  const indexHtml = (await fetchBody(new URL('/', baseUrl), 'identity')).toString('utf8');
  const scripts = await Promise.all(
    firstVisitScripts(indexHtml).map(async (path) => {
      const url = new URL(path, baseUrl);
      const [raw, gzip, brotli] = await Promise.all(
        ['identity', 'gzip', 'br'].map(async (encoding) => (await fetchBody(url, encoding)).length),
      );
      return { path, raw: raw!, gzip: gzip!, brotli: brotli! };
    }),
  );
  return summed(scripts);
}

/** The body as sent, not decoded (fetch would decode it). */
function fetchBody(url: URL, encoding: string): Promise<Buffer> {
  const get = url.protocol === 'https:' ? httpsGet : httpGet;
  return new Promise((resolve, reject) => {
    get(url, { headers: { 'accept-encoding': encoding } }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => {
        if (res.statusCode === 200) resolve(Buffer.concat(chunks));
        else reject(new Error(`GET ${url.href}: HTTP ${res.statusCode}`));
      });
    }).on('error', reject);
  });
}

function summed(scripts: ScriptSize[]): FirstVisitSize {
  const total = (key: 'raw' | 'gzip' | 'brotli') => scripts.reduce((sum, s) => sum + s[key], 0);
  return { scripts, raw: total('raw'), gzip: total('gzip'), brotli: total('brotli') };
}
