/**
 * Runs `npm start` the way a user does, in its own process group, on free ports and with its data
 * in a folder of the caller's choosing; stops it the way a terminal's Ctrl-C does (SIGINT to the
 * whole group). The suite's global setup runs the product through it, and the start tests use it
 * to prove a second start keeps the data and a busy port is reported.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import type { StackPart } from '@cliprelay/dev-stack';
import { freePort } from '@cliprelay/test-kit/ports';

const REPO_ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** Each part's port variable of `npm start` (scripts/start.ts). */
const PORT_VARIABLES: Record<StackPart, string> = {
  web: 'WEB_PORT',
  api: 'API_PORT',
  sandbox: 'SANDBOX_PORT',
  identity: 'IDENTITY_PORT',
  media: 'MEDIA_PORT',
};

/** Where the parts of a running product answer, and where it keeps its data. */
export interface ProductUrls {
  web: string;
  api: string;
  sandbox: string;
  identity: string;
  media: string;
  dataDir: string;
}

export interface NpmStart {
  readonly child: ChildProcess;
  readonly ports: Record<StackPart, number>;
  readonly urls: ProductUrls;
  /** Everything it printed so far. */
  output(): string;
  /** Resolves with the exit code (or the signal's name). */
  readonly exited: Promise<number | string>;
  /** Ctrl-C: SIGINT to the process group, then waits for the exit (SIGKILL after `graceMs`). */
  stop(graceMs?: number): Promise<number | string>;
}

export async function freePorts(): Promise<Record<StackPart, number>> {
  const ports = {} as Record<StackPart, number>;
  for (const part of Object.keys(PORT_VARIABLES) as StackPart[]) ports[part] = await freePort();
  return ports;
}

/** Starts `npm start`; `log` also gets its output. Does not wait for it to be ready. */
export function npmStart(options: {
  dataDir: string;
  ports: Record<StackPart, number>;
  log?: string;
  env?: Record<string, string>;
}): NpmStart {
  const { dataDir, ports } = options;
  const env: Record<string, string> = { DATA_DIR: dataDir, ...options.env };
  for (const [part, variable] of Object.entries(PORT_VARIABLES))
    env[variable] = String(ports[part as StackPart]);
  const child = spawn('npm', ['start'], {
    cwd: REPO_ROOT,
    env: { ...process.env, ...env },
    detached: true,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const file = options.log ? createWriteStream(options.log, { flags: 'a' }) : null;
  const keep = (chunk: Buffer) => {
    output += chunk.toString();
    file?.write(chunk);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<number | string>((resolve) =>
    child.once('exit', (code, signal) => {
      file?.end();
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const url = (port: number) => `http://localhost:${port}`;
  return {
    child,
    ports,
    urls: {
      web: url(ports.web),
      api: url(ports.api),
      sandbox: url(ports.sandbox),
      identity: url(ports.identity),
      media: `${url(ports.media)}/media/`,
      dataDir,
    },
    output: () => output,
    exited,
    async stop(graceMs = 30_000) {
      if (child.exitCode === null && child.signalCode === null && child.pid) {
        process.kill(-child.pid, 'SIGINT');
        const timer = setTimeout(() => child.pid && process.kill(-child.pid, 'SIGKILL'), graceMs);
        const code = await exited;
        clearTimeout(timer);
        return code;
      }
      return exited;
    },
  };
}

/** Waits until `npm start` prints the URL to open; throws with its output if it exits first. */
export async function whenReady(start: NpmStart, timeoutMs = 240_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let ended = false;
  void start.exited.then(() => (ended = true));
  while (Date.now() < deadline) {
    const opened = /Cliprelay is running\. Open (\S+)/.exec(start.output());
    if (opened?.[1]) return opened[1];
    if (ended) throw new Error(`npm start exited before it was ready:\n${start.output()}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`npm start was not ready within ${timeoutMs / 1000} s:\n${start.output()}`);
}

/** The ports in `ports` that still accept connections. */
export async function openPorts(ports: Record<StackPart, number>): Promise<number[]> {
  const open: number[] = [];
  for (const port of Object.values(ports)) {
    const accepted = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (accepted) open.push(port);
  }
  return open;
}
