/**
 * How the TikTok sandbox's upload host copes with a big FILE_UPLOAD: throughput over loopback and
 * the sandbox process's peak memory. The video is never held whole, by either side: the client
 * sends one reusable chunk buffer again and again, and the sandbox writes chunks to disk.
 *
 *   npm run bench                      # 1 GiB in 10,000,000-byte chunks
 *   BENCH_SIZE_MB=4000 npm run bench   # a 4 GB video (the largest TikTok takes)
 */
import { spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { SandboxControl } from '@cliprelay/tiktok-sandbox/control';

const SIZE = Number(process.env.BENCH_SIZE_MB ?? 1024) * 1024 * 1024;
const CHUNK = 10_000_000;
const BIN = fileURLToPath(new URL('../packages/tiktok-sandbox/bin/tiktok-sandbox.mjs', import.meta.url));

async function peakRssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? NaN);
  return kb / 1024;
}

async function json<T>(res: Response): Promise<T> {
  if (!res.ok && res.status !== 201) throw new Error(`${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function main(): Promise<void> {
  const child = spawn(process.execPath, [BIN, '--port', '0', '--processing-delay-ms', '0'], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      const match = /listening on (\S+)/.exec(out);
      if (match) resolve(match[1]!);
    });
    child.once('exit', () => reject(new Error(`sandbox exited:\n${out}`)));
  });
  try {
    const idleRss = await peakRssMiB(child.pid!);
    const tiktok = new SandboxControl(url);
    const creator = await tiktok.createCreator({ private_account: true, max_video_post_duration_sec: 600 });
    const tokens = await tiktok.issueTokens(creator.open_id);
    const count = Math.floor(SIZE / CHUNK);
    const init = await json<{ data: { publish_id: string; upload_url: string } }>(
      await fetch(`${url}/v2/post/publish/video/init/`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tokens.access_token}`, 'content-type': 'application/json' },
        body: JSON.stringify({
          post_info: { privacy_level: 'SELF_ONLY', title: 'bench' },
          source_info: {
            source: 'FILE_UPLOAD',
            video_size: SIZE,
            chunk_size: CHUNK,
            total_chunk_count: count,
          },
        }),
      }),
    );
    const chunk = Buffer.alloc(CHUNK, 7);
    const last = Buffer.alloc(SIZE - (count - 1) * CHUNK, 7);
    const started = process.hrtime.bigint();
    for (let i = 0; i < count; i++) {
      const body = i === count - 1 ? last : chunk;
      const first = i * CHUNK;
      const res = await fetch(init.data.upload_url, {
        method: 'PUT',
        headers: {
          'content-type': 'video/mp4',
          'content-range': `bytes ${first}-${first + body.length - 1}/${SIZE}`,
        },
        body,
      });
      await res.arrayBuffer();
      if (res.status !== (i === count - 1 ? 201 : 206)) throw new Error(`chunk ${i}: HTTP ${res.status}`);
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const peak = await peakRssMiB(child.pid!);
    const received = await tiktok.publish(init.data.publish_id);
    if (received.received_bytes !== SIZE)
      throw new Error(`sandbox received ${received.received_bytes} of ${SIZE}`);
    const mib = SIZE / 1024 / 1024;
    console.log('sandbox FILE_UPLOAD over loopback');
    console.log(
      `  video            ${mib.toFixed(0)} MiB in ${count} chunks of ${CHUNK.toLocaleString('en-US')} bytes`,
    );
    console.log(`  time             ${seconds.toFixed(2)} s`);
    console.log(`  throughput       ${(mib / seconds).toFixed(1)} MiB/s`);
    console.log(
      `  sandbox RSS      ${idleRss.toFixed(0)} MiB idle, ${peak.toFixed(0)} MiB peak (the video is ${mib.toFixed(0)} MiB)`,
    );
    console.log(`  assembled sha256 ${received.sha256}`);
  } finally {
    child.kill('SIGINT');
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
