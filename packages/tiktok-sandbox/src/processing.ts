import { createHash, type Hash } from 'node:crypto';
import { type SandboxContext, takeFault } from './context.ts';
import { checkMedia } from './media-check.ts';
import { id19 } from './ids.ts';
import { RawNumber } from './json.ts';
import type { Publish, PublishStatus } from './state.ts';

/** Running sha256 of each publish's assembled bytes (kept out of the plain-data state). */
export const hashes = new WeakMap<Publish, Hash>();

export function hashOf(p: Publish): Hash {
  let hash = hashes.get(p);
  if (!hash) {
    hash = createHash('sha256');
    hashes.set(p, hash);
  }
  return hash;
}

/**
 * The last byte arrived: TikTok starts processing (§2.3, §6.1). The verdict is computed now and
 * revealed processingDelayMs later on the sandbox clock, so tests can move time instead of waiting.
 */
export function completeTransfer(ctx: SandboxContext, p: Publish): void {
  p.completed_at = ctx.clock.now();
  p.sha256 = hashOf(p).digest('hex');
  hashes.delete(p);
  const fault = takeFault(ctx, 'processing', { open_id: p.open_id });
  if (fault?.error_code) {
    p.check_result = fault.error_code;
    return;
  }
  const creator = ctx.state.creators.get(p.open_id);
  const maxDuration = creator?.max_video_post_duration_sec ?? 600;
  checkMedia(p.file_path, maxDuration).then(
    (verdict) => {
      p.check_result = verdict.ok ? null : verdict.fail_reason;
    },
    () => {
      p.check_result = 'internal';
    },
  );
}

export interface StatusView {
  status: PublishStatus;
  fail_reason?: string;
  publicaly_available_post_id: RawNumber[];
  uploaded_bytes?: number;
  downloaded_bytes?: number;
}

/** §2.4 / §6.1: the status TikTok reports now, derived from the publish and the clock. */
export function statusOf(ctx: SandboxContext, p: Publish): StatusView {
  const now = ctx.clock.now();
  const processing: PublishStatus = p.source === 'FILE_UPLOAD' ? 'PROCESSING_UPLOAD' : 'PROCESSING_DOWNLOAD';
  const bytes =
    p.source === 'FILE_UPLOAD'
      ? { uploaded_bytes: p.received_bytes }
      : { downloaded_bytes: p.received_bytes };
  const view = (status: PublishStatus, fail_reason?: string): StatusView => ({
    status,
    ...(fail_reason ? { fail_reason } : {}),
    publicaly_available_post_id: p.post_ids.map((id) => new RawNumber(id)),
    ...bytes,
  });
  if (p.failed) return view('FAILED', p.failed);
  if (p.completed_at === undefined || p.check_result === undefined) return view(processing);
  const processedAt = p.completed_at + ctx.options.processingDelayMs;
  if (now < processedAt) return view(processing);
  if (p.check_result !== null) return view('FAILED', p.check_result);
  // Post ids only for public posts that passed moderation, and only on audited apps (§2.4, §6.1).
  const getsPostId = ctx.options.audited && p.privacy_level === 'PUBLIC_TO_EVERYONE';
  if (getsPostId && p.post_ids.length === 0 && now >= processedAt + ctx.options.moderationDelayMs) {
    p.post_ids.push(id19());
  }
  return view('PUBLISH_COMPLETE');
}
