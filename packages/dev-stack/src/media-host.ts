/**
 * The dev media host: stands in for Cliprelay's media CDN in development and tests. It serves the
 * small real MP4s in `media/` under `/media/<file>` (with Range, as a CDN does) so that
 * PULL_FROM_URL has something TikTok's sandbox can download from a verified prefix.
 */
import { createServer, type Server } from 'node:http';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import express from 'express';

/** The folder of bundled sample videos. */
export const MEDIA_DIR = fileURLToPath(new URL('../media/', import.meta.url));

export interface SampleVideo {
  /** File name under MEDIA_DIR, e.g. `sunset-timelapse.mp4`. */
  file: string;
  title: string;
  duration_sec: number;
  size_bytes: number;
}

/**
 * The bundled sample videos (listed in `media/videos.json`): 360×640 H.264 MP4s of a few seconds,
 * made with ffmpeg's test sources, small enough to commit and real enough for Chromium to play
 * and for the sandbox's container and duration checks to pass.
 */
export function sampleVideos(): SampleVideo[] {
  const list = JSON.parse(readFileSync(join(MEDIA_DIR, 'videos.json'), 'utf8')) as Omit<
    SampleVideo,
    'size_bytes'
  >[];
  return list.map((v) => ({ ...v, size_bytes: statSync(join(MEDIA_DIR, v.file)).size }));
}

export interface RunningMediaHost {
  /** e.g. http://localhost:4030 */
  readonly url: string;
  /** The verified prefix to give TikTok and the API: `<url>/media/`. */
  readonly prefix: string;
  close(): Promise<void>;
}

export async function startMediaHost(port: number, host = '127.0.0.1'): Promise<RunningMediaHost> {
  const app = express();
  app.disable('x-powered-by');
  app.use(
    '/media',
    express.static(MEDIA_DIR, {
      index: false,
      fallthrough: false,
      maxAge: '1h',
      // Public media, readable from any page (the web app's tests fetch samples as device files).
      setHeaders: (res) => res.setHeader('Access-Control-Allow-Origin', '*'),
    }),
  );
  const server = createServer(app);
  await listen(server, port, host);
  const address = server.address();
  const actual = typeof address === 'object' && address ? address.port : port;
  const url = `http://localhost:${actual}`;
  return {
    url,
    prefix: `${url}/media/`,
    close: () => closeServer(server),
  };
}

export function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });
}
