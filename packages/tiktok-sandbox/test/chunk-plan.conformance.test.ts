/**
 * Conformance: the FILE_UPLOAD chunk plan checked at video/init, in the three chunkRules modes.
 * Sources: tiktok-api.md §2.2, §4.1, §4.2, §4.5, §4.6, §12.4; architecture.md §5 (safe bounds);
 * docs/sandbox-decisions-for-helpers.md ("FILE_UPLOAD").
 */
import { describe, expect, it } from 'vitest';
import {
  createCreator,
  issueToken,
  tiktokPost,
  useSandbox,
  type Envelope,
  type HttpResult,
  type TestCreator,
} from './helpers.ts';

const INIT = '/v2/post/publish/video/init/';
const SCOPES = 'user.info.basic,video.publish';
const LOG_ID = /^\d{14}[0-9A-F]{20}$/;

const MiB = 1024 * 1024;
const CHUNK_MSG = 'The chunk size is invalid';
const COUNT_MSG = 'The total chunk count is invalid';
const SIZE_MSG = 'The video size is invalid';
const PLAN_MESSAGES = [CHUNK_MSG, COUNT_MSG, SIZE_MSG];

/** [video_size, chunk_size, total_chunk_count] */
type Plan = readonly [number, number, number];

interface InitData {
  publish_id: string;
  upload_url?: string;
}

/** Caps are raised so that one creator can init many plans in one test; they are not under test here. */
const CAPS = { dailyPostCap: 1000, activeUserCap: 1000 } as const;

/**
 * Inits one FILE_UPLOAD plan with a fresh access token each time (the init rate limit is
 * 6/min per token, §2.2) for a private creator on the unaudited app.
 */
async function initPlan(
  base: string,
  creator: TestCreator,
  sourceInfo: Record<string, unknown>,
): Promise<HttpResult<Envelope<InitData>>> {
  const { access_token } = await issueToken(base, creator.open_id, SCOPES);
  return tiktokPost<Envelope<InitData>>(base, INIT, access_token, {
    post_info: {
      privacy_level: 'SELF_ONLY',
      title: 'chunk plan',
      disable_comment: false,
      disable_duet: false,
      disable_stitch: false,
      brand_content_toggle: false,
      brand_organic_toggle: false,
    },
    source_info: { source: 'FILE_UPLOAD', ...sourceInfo },
  });
}

function planBody([video_size, chunk_size, total_chunk_count]: Plan): Record<string, number> {
  return { video_size, chunk_size, total_chunk_count };
}

async function expectAccepted(base: string, creator: TestCreator, plans: readonly Plan[]): Promise<void> {
  for (const plan of plans) {
    const res = await initPlan(base, creator, planBody(plan));
    expect({
      plan,
      status: res.status,
      code: res.json?.error?.code,
      text: res.status === 200 ? '' : res.text,
    }).toEqual({ plan, status: 200, code: 'ok', text: '' });
    expect(res.json.data?.publish_id).toMatch(/^v_pub_file~v2-1\.\d{19}$/);
    expect(res.json.data?.upload_url).toEqual(expect.stringContaining('upload_id='));
  }
}

/**
 * Every plan must be refused with 400 invalid_params (the plural spelling real responses use,
 * §2.2) and no data member. `message` pins the message when exactly one field is wrong; undefined
 * means one of the three plan messages, null any message (field validation, not the plan).
 */
async function expectRejected(
  base: string,
  creator: TestCreator,
  plans: readonly (Plan | Record<string, unknown>)[],
  message?: string | null,
): Promise<void> {
  for (const plan of plans) {
    const body = Array.isArray(plan) ? planBody(plan as Plan) : (plan as Record<string, unknown>);
    const res = await initPlan(base, creator, body);
    expect({ plan, status: res.status, code: res.json?.error?.code }).toEqual({
      plan,
      status: 400,
      code: 'invalid_params',
    });
    expect(res.json).not.toHaveProperty('data');
    expect(res.json.error.log_id).toMatch(LOG_ID);
    if (message === null) {
      expect(typeof res.json.error.message).toBe('string');
    } else if (message === undefined) {
      expect(PLAN_MESSAGES, JSON.stringify({ plan, message: res.json.error.message })).toContain(
        res.json.error.message,
      );
    } else {
      expect({ plan, message: res.json.error.message }).toEqual({ plan, message });
    }
  }
}

/** The three worked plans of §4.5. */
const WORKED_PLANS: readonly Plan[] = [
  [4_194_304, 4_194_304, 1],
  [50_000_123, 10_000_000, 5],
  [42_991_616, 10_485_760, 4],
];

// =============================================================================================

describe('chunk plan at init, strict rules (default)', () => {
  const sb = useSandbox({ ...CAPS });

  it('§4.5 accepts 4,194,304 bytes as one chunk of 4,194,304 (the doc single-chunk example)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[4_194_304, 4_194_304, 1]]);
  });

  it('§4.5 accepts 50,000,123 bytes as 5 chunks of 10,000,000 with a 10,000,123-byte last chunk', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[50_000_123, 10_000_000, 5]]);
  });

  it('§4.5 accepts 41 MiB (42,991,616 bytes) as 4 chunks of 10 MiB (floor of 4.1) with an 11,534,336-byte last chunk', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[42_991_616, 10_485_760, 4]]);
  });

  it('§4.1 §4.6 arch §5 accepts plans at the safe bounds (single ≤ 64,000,000; chunks 5,242,880..64,000,000)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [
      [64_000_000, 64_000_000, 1], // largest single chunk
      [5_242_879, 5_242_879, 1], // just under 5 MiB, whole
      [1, 1, 1], // tiny file, whole
      [12 * MiB, 5 * MiB, 2], // smallest chunk; last 7 MiB
      [10 * MiB, 5 * MiB, 2], // exact multiple
      [128_000_000, 64_000_000, 2], // largest chunk
      [191_999_999, 64_000_000, 2], // last chunk 127,999,999 (> chunk_size, ≤ 128,000,000)
      [99_999_999, 10_000_000, 9], // last chunk 19,999,999 absorbs the rest
    ]);
  });

  it('§4.2 accepts a 4,000,000,000-byte video (10,000,000-byte chunks × 400)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[4_000_000_000, 10_000_000, 400]]);
  });

  it('§4.5 §12.4 rejects ceil instead of floor (50,000,123 / 10,000,000 as 6; 41 MiB / 10 MiB as 5) with "The total chunk count is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        [50_000_123, 10_000_000, 6],
        [42_991_616, 10_485_760, 5],
        [12 * MiB, 5 * MiB, 3],
      ],
      COUNT_MSG,
    );
  });

  it('§4.1.1 rejects a count below floor(video_size / chunk_size) (50,000,123 / 10,000,000 as 4)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        [50_000_123, 10_000_000, 4],
        [42_991_616, 10_485_760, 3],
      ],
      COUNT_MSG,
    );
  });

  it('§4.1.3 §4.5 rejects a single chunk whose chunk_size ≠ video_size (file under 5 MiB)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [
      [4_194_304, 4_194_303, 1],
      [4_194_304, 4_000_000, 1], // floor(4,194,304 / 4,000,000) = 1, but chunk_size must equal video_size
      [4_194_304, 5_242_880, 1], // chunk bigger than the file
      [4_194_304, 64_000_000, 1],
    ]);
  });

  it('§4.5 rejects count 1 with chunk_size ≠ video_size even when chunk_size is in bounds (8,000,000 / 5,242,880 / 1)', async () => {
    // §4.5: "when the file is smaller than two chunks, floor gives count 1 but chunk_size must then equal video_size".
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [
      [8_000_000, 5_242_880, 1],
      [60_000_000, 40_000_000, 1],
    ]);
  });

  it('§4.1.3 rejects a file under 5 MiB sent as several chunks', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [
      [4_194_304, 2_097_152, 2],
      [5_000_000, 2_500_000, 2],
      [5_242_879, 1_048_576, 4], // floor(4.99…) = 4
    ]);
  });

  it('§4.1.4 §4.6 rejects more than 64,000,000 bytes as a single chunk (64,000,001; 64 MiB; 100,000,000 as 1 × 64,000,000)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [
      [64_000_001, 64_000_001, 1],
      [64 * MiB, 64 * MiB, 1],
      [100_000_000, 100_000_000, 1],
      [100_000_000, 64_000_000, 1], // floor is 1, but a video > 64 MB must use several chunks
    ]);
  });

  it('§4.6 arch §5 rejects 5,000,000-byte chunks in strict mode (below 5 MiB) with "The chunk size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        [12_000_000, 5_000_000, 2],
        [12 * MiB, 5 * MiB - 1, 2],
      ],
      CHUNK_MSG,
    );
  });

  it('§4.1.2 rejects chunk_size above 64,000,000 (64,000,001 and 64 MiB) with "The chunk size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        [200_000_000, 64_000_001, 3],
        [200_000_000, 64 * MiB, 2],
      ],
      CHUNK_MSG,
    );
  });

  it('§4.1.5 rejects total_chunk_count above 1000 and a count of 0', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [
      [1001 * 5 * MiB, 5 * MiB, 1001],
      [1001 * 3_000_000, 3_000_000, 1001],
      [4_194_304, 4_194_304, 0],
    ]);
  });

  it('§4.2 rejects a video above 4,000,000,000 bytes in strict mode with "The video size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        [4_000_000_001, 10_000_000, 400],
        [4 * 1024 * MiB, 10_000_000, 429], // 4 GiB
      ],
      SIZE_MSG,
    );
  });

  it('§2.2 rejects missing, zero, negative and fractional plan fields', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        { chunk_size: 4096, total_chunk_count: 1 },
        { video_size: 4096, total_chunk_count: 1 },
        { video_size: 4096, chunk_size: 4096 },
        { video_size: 0, chunk_size: 0, total_chunk_count: 1 },
        { video_size: -4096, chunk_size: -4096, total_chunk_count: 1 },
        { video_size: 4096.5, chunk_size: 4096.5, total_chunk_count: 1 },
        { video_size: 4096, chunk_size: 4096, total_chunk_count: 1.5 },
      ],
      null,
    );
  });

  it('§2.2 a rejected plan creates no publish (the next valid init still succeeds; no upload_url leaks)', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    const bad = await initPlan(sb.url, creator, planBody([50_000_123, 10_000_000, 6]));
    expect(bad.status).toBe(400);
    expect(bad.text).not.toContain('upload_url');
    expect(bad.text).not.toContain('publish_id');
    await expectAccepted(sb.url, creator, [[50_000_123, 10_000_000, 5]]);
  });
});

describe("chunk plan at init, chunkRules 'binary' (MB = 2^20)", () => {
  const sb = useSandbox({ ...CAPS, chunkRules: 'binary' });

  it('§4.5 binary: the three worked plans are accepted', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, WORKED_PLANS);
  });

  it('§4.6 binary: accepts a 64 MiB (67,108,864-byte) single chunk', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[64 * MiB, 64 * MiB, 1]]);
  });

  it('§4.6 binary: rejects 64 MiB + 1 as a single chunk', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [[64 * MiB + 1, 64 * MiB + 1, 1]]);
  });

  it('§4.6 binary: accepts 64 MiB chunks and 5 MiB chunks', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [
      [200_000_000, 64 * MiB, 2], // last 132,891,136 ≤ 128 MiB
      [12 * MiB, 5 * MiB, 2],
    ]);
  });

  it('§4.6 binary: rejects 5,000,000-byte chunks and chunks of 64 MiB + 1 with "The chunk size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(
      sb.url,
      creator,
      [
        [12_000_000, 5_000_000, 2],
        [200_000_000, 64 * MiB + 1, 2],
      ],
      CHUNK_MSG,
    );
  });

  it('§4.2 §4.6 binary: accepts a 4 GiB video and rejects 4 GiB + 1 with "The video size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[4 * 1024 * MiB, 64 * MiB, 64]]);
    await expectRejected(sb.url, creator, [[4 * 1024 * MiB + 1, 64 * MiB, 64]], SIZE_MSG);
  });

  it('§4.5 binary: ceil instead of floor is still rejected', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [[42_991_616, 10_485_760, 5]], COUNT_MSG);
  });
});

describe("chunk plan at init, chunkRules 'decimal' (MB = 10^6)", () => {
  const sb = useSandbox({ ...CAPS, chunkRules: 'decimal' });

  it('§4.5 decimal: the three worked plans are accepted', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, WORKED_PLANS);
  });

  it('§4.6 decimal: accepts 5,000,000-byte chunks', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [
      [12_000_000, 5_000_000, 2],
      [10_000_000, 5_000_000, 2],
    ]);
  });

  it('§4.6 decimal: rejects 4,999,999-byte chunks with "The chunk size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [[12_000_000, 4_999_999, 2]], CHUNK_MSG);
  });

  it('§4.6 decimal: accepts a 64,000,000-byte single chunk but rejects a 64 MiB one', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[64_000_000, 64_000_000, 1]]);
    await expectRejected(sb.url, creator, [[64 * MiB, 64 * MiB, 1]]);
  });

  it('§4.6 decimal: accepts 64,000,000-byte chunks but rejects 64 MiB chunks with "The chunk size is invalid"', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectAccepted(sb.url, creator, [[200_000_000, 64_000_000, 3]]);
    await expectRejected(sb.url, creator, [[200_000_000, 64 * MiB, 2]], CHUNK_MSG);
  });

  it('§4.1.3 decimal: a file under 5,000,000 bytes must be one chunk', async () => {
    const creator = await createCreator(sb.url, { private_account: true });
    await expectRejected(sb.url, creator, [[4_999_999, 2_000_000, 2]]);
    await expectAccepted(sb.url, creator, [[4_999_999, 4_999_999, 1]]);
  });
});
