/**
 * The publish use cases as the app wires them, with every repository and the TikTok client faked
 * (fakes.ts): the real PublishService over the real AccountsService, TokenService and
 * CreatorInfoService. Used by the publish and relay unit tests.
 */
import type {
  TikTokInitResult,
  TikTokCreatorInfo,
  TikTokPostInfo,
  TikTokSourceInfo,
} from '../tiktok/tiktok.types.ts';
import { vi } from 'vitest';
import type { SocialAccountRow } from '../db/schema.ts';
import type { Idempotency } from '../publish/idempotency.ts';
import type { PostFollower } from '../publish/post-follower.ts';
import { PublishService, type RequestedSettings } from '../publish/publish.service.ts';
import { AccountsService } from '../tiktok/accounts.service.ts';
import { CreatorInfoService } from '../tiktok/creator-info.ts';
import type { TikTokClient } from '../tiktok/tiktok.client.ts';
import { TokenCipher } from '../tiktok/token-cipher.ts';
import { TokenService } from '../tiktok/token.service.ts';
import {
  FakeAccounts,
  FakeCallBudget,
  FakePosts,
  connectedAccountRow,
  asReal,
  creatorInfo,
  silentLogger,
  testConfig,
} from './fakes.ts';

export const USER = 'user-1';
/** The account's stored access token, as TikTok is handed it. */
export const ACCESS_TOKEN = 'act.stored-access';
export const UPLOAD_URL = 'https://open-upload.example.com/upload/?upload_id=1';
export const VIDEO_URL = 'https://media.example.com/media/dance.mp4';

/** Settings a creator who allows everything accepts. */
export function settings(overrides: Partial<RequestedSettings> = {}): RequestedSettings {
  return {
    title: 'Dance challenge',
    privacy_level: 'SELF_ONLY',
    brand_organic_toggle: false,
    brand_content_toggle: false,
    is_aigc: false,
    ...overrides,
  };
}

export function publishHarness(
  opts: { creator?: Partial<TikTokCreatorInfo>; account?: Partial<SocialAccountRow> } = {},
) {
  const config = testConfig();
  const logger = silentLogger();
  const cipher = new TokenCipher(config);
  const accounts = new FakeAccounts();
  const account = accounts.add(
    connectedAccountRow(
      cipher,
      { access: ACCESS_TOKEN, refresh: 'rft.stored-refresh' },
      { userId: USER, ...opts.account },
    ),
  );
  let creator = creatorInfo(opts.creator);
  let inits = 0;
  const tiktok = {
    creatorInfo: vi.fn((_token: string) => Promise.resolve(creator)),
    initVideo: vi.fn(
      (_token: string, _post: TikTokPostInfo, source: TikTokSourceInfo): Promise<TikTokInitResult> =>
        Promise.resolve({
          publish_id: `v_pub_${source.source === 'FILE_UPLOAD' ? 'file' : 'url'}~v2.${++inits}`,
          ...(source.source === 'FILE_UPLOAD' ? { upload_url: UPLOAD_URL } : {}),
          logId: `log-init-${inits}`,
        }),
    ),
    refresh: vi.fn(() => Promise.reject(new Error('the stored token is fresh: no refresh expected'))),
  };
  const client = asReal<TikTokClient>(tiktok);
  const tokens = new TokenService(asReal(accounts), client, cipher, logger);
  const creators = new CreatorInfoService(asReal(accounts), tokens, client);
  const accountsService = new AccountsService(config, asReal(accounts), asReal({}), client, tokens, logger);
  const posts = new FakePosts();
  const follower = { follow: vi.fn((_postId: string, _delaySec?: number) => Promise.resolve()) };
  const budget = new FakeCallBudget();
  const publish = new PublishService(
    config,
    accountsService,
    tokens,
    client,
    creators,
    asReal(posts),
    asReal<PostFollower>(follower),
    asReal(budget),
    logger,
    // Only initRequested (an Idempotency-Key) reaches it.
    asReal<Idempotency>({}),
  );
  return {
    publish,
    tiktok,
    posts,
    accounts,
    account,
    follower,
    budget,
    config,
    logger,
    /** What TikTok's creator_info answers from now on. */
    creatorBecomes: (overrides: Partial<TikTokCreatorInfo>) => {
      creator = creatorInfo(overrides);
    },
  };
}
