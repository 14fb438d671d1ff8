import { describe, expect, it } from 'vitest';

import {
  applyCreatorRules,
  BRANDED_CONTENT_NOT_PRIVATE,
  CREATOR_INTERACTIONS,
  DISCLOSURE_CHOICE_REQUIRED,
  interactionDisabledReason,
  isBrandedContentPrivate,
  isDisclosureChoiceMissing,
  isInteractionDisabledByCreator,
  isPrivacyOffered,
  isWithinMaxDuration,
  privacyChoices,
  privacyNotOfferedReason,
  PRIVACY_LEVELS,
  type CreatorSettings,
  type RequestedPostSettings,
} from '../src/index.ts';

function creator(overrides: Partial<CreatorSettings> = {}): CreatorSettings {
  return {
    privacy_level_options: ['PUBLIC_TO_EVERYONE', 'MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
    comment_disabled: false,
    duet_disabled: false,
    stitch_disabled: false,
    max_video_post_duration_sec: 600,
    ...overrides,
  };
}

function requested(overrides: Partial<RequestedPostSettings> = {}): RequestedPostSettings {
  return {
    title: 'Sunset run',
    privacy_level: 'PUBLIC_TO_EVERYONE',
    brand_organic_toggle: false,
    brand_content_toggle: false,
    is_aigc: false,
    ...overrides,
  };
}

describe('TikTok’s required texts', () => {
  it('are worded as tiktok-api.md §11 quotes them', () => {
    expect(BRANDED_CONTENT_NOT_PRIVATE).toBe('Branded content visibility cannot be set to private.');
    expect(DISCLOSURE_CHOICE_REQUIRED).toBe(
      'You need to indicate if your content promotes yourself, a third party, or both.',
    );
  });
});

describe('isPrivacyOffered', () => {
  it("accepts exactly the creator's options", () => {
    const c = creator({ privacy_level_options: ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'] });
    expect(PRIVACY_LEVELS.filter((level) => isPrivacyOffered(c, level))).toEqual([
      'FOLLOWER_OF_CREATOR',
      'SELF_ONLY',
    ]);
  });

  it('accepts nothing when the creator offers nothing', () => {
    const c = creator({ privacy_level_options: [] });
    expect(PRIVACY_LEVELS.some((level) => isPrivacyOffered(c, level))).toBe(false);
  });
});

describe('isInteractionDisabledByCreator', () => {
  it.each(CREATOR_INTERACTIONS)('reads %s from its own creator flag only', (interaction) => {
    const c = creator({ [`${interaction}_disabled`]: true });
    for (const other of CREATOR_INTERACTIONS) {
      expect(isInteractionDisabledByCreator(c, other), other).toBe(other === interaction);
    }
  });
});

describe('isBrandedContentPrivate', () => {
  it('is true only for branded content with "Only me"', () => {
    expect(isBrandedContentPrivate(true, 'SELF_ONLY')).toBe(true);
    for (const level of PRIVACY_LEVELS.filter((l) => l !== 'SELF_ONLY')) {
      expect(isBrandedContentPrivate(true, level), level).toBe(false);
    }
    expect(isBrandedContentPrivate(false, 'SELF_ONLY')).toBe(false);
    expect(isBrandedContentPrivate(true, null)).toBe(false);
  });
});

describe('privacyChoices', () => {
  it("lists the creator's options in TikTok's order, all choosable without branded content", () => {
    const c = creator({ privacy_level_options: ['SELF_ONLY', 'FOLLOWER_OF_CREATOR', 'PUBLIC_TO_EVERYONE'] });
    expect(privacyChoices(c, false)).toEqual([
      { level: 'PUBLIC_TO_EVERYONE', reason: null },
      { level: 'FOLLOWER_OF_CREATOR', reason: null },
      { level: 'SELF_ONLY', reason: null },
    ]);
  });

  it('keeps "Only me" listed but not choosable while branded content is on, with TikTok’s reason', () => {
    expect(privacyChoices(creator(), true)).toEqual([
      { level: 'PUBLIC_TO_EVERYONE', reason: null },
      { level: 'MUTUAL_FOLLOW_FRIENDS', reason: null },
      { level: 'SELF_ONLY', reason: BRANDED_CONTENT_NOT_PRIVATE },
    ]);
  });

  it('offers nothing the creator does not', () => {
    expect(privacyChoices(creator({ privacy_level_options: ['SELF_ONLY'] }), true)).toEqual([
      { level: 'SELF_ONLY', reason: BRANDED_CONTENT_NOT_PRIVATE },
    ]);
  });
});

describe('isWithinMaxDuration', () => {
  it('allows up to the maximum, inclusive, and refuses any fraction over it', () => {
    expect(isWithinMaxDuration(0, 600)).toBe(true);
    expect(isWithinMaxDuration(600, 600)).toBe(true);
    expect(isWithinMaxDuration(600.01, 600)).toBe(false);
    expect(isWithinMaxDuration(601, 600)).toBe(false);
  });
});

describe('isDisclosureChoiceMissing', () => {
  it.each([
    [false, false, false, false],
    [true, false, false, true],
    [true, true, false, false],
    [true, false, true, false],
    [true, true, true, false],
  ])('disclosure %s, your brand %s, branded content %s → missing %s', (on, yourBrand, branded, missing) => {
    expect(isDisclosureChoiceMissing(on, yourBrand, branded)).toBe(missing);
  });
});

describe('reasons', () => {
  it('name the refused privacy code and every option the creator offers', () => {
    expect(
      privacyNotOfferedReason('PUBLIC_TO_EVERYONE', creator({ privacy_level_options: ['SELF_ONLY'] })),
    ).toBe("This account can't post with privacy PUBLIC_TO_EVERYONE. Choose one of: SELF_ONLY.");
  });

  it.each([
    ['comment', 'Comments'],
    ['duet', 'Duets'],
    ['stitch', 'Stitches'],
  ] as const)('name the %s interaction that is turned off', (interaction, plural) => {
    expect(interactionDisabledReason(interaction)).toBe(
      `${plural} are turned off for this TikTok account, so they can't be allowed on this video.`,
    );
  });
});

describe('applyCreatorRules', () => {
  it('passes allowed settings through unchanged, with every interaction the user set', () => {
    const asked = requested({
      disable_comment: false,
      disable_duet: true,
      disable_stitch: false,
      brand_organic_toggle: true,
      is_aigc: true,
      video_cover_timestamp_ms: 1500,
    });
    expect(applyCreatorRules(asked, creator())).toEqual({ ok: true, settings: asked });
  });

  it("makes omitted interactions follow the creator's settings", () => {
    const result = applyCreatorRules(requested(), creator({ comment_disabled: true, stitch_disabled: true }));
    expect(result).toMatchObject({
      ok: true,
      settings: { disable_comment: true, disable_duet: false, disable_stitch: true },
    });
  });

  it('keeps an interaction off that the user turned off and the creator allows', () => {
    const result = applyCreatorRules(requested({ disable_duet: true, disable_comment: true }), creator());
    expect(result).toMatchObject({ ok: true, settings: { disable_comment: true, disable_duet: true } });
  });

  it('refuses a privacy level the creator does not offer (PRIVACY_LEVEL_NOT_ALLOWED)', () => {
    const c = creator({ privacy_level_options: ['FOLLOWER_OF_CREATOR', 'SELF_ONLY'] });
    expect(applyCreatorRules(requested({ privacy_level: 'PUBLIC_TO_EVERYONE' }), c)).toEqual({
      ok: false,
      violation: {
        rule: 'privacy_not_offered',
        code: 'PRIVACY_LEVEL_NOT_ALLOWED',
        message: privacyNotOfferedReason('PUBLIC_TO_EVERYONE', c),
      },
    });
  });

  it('refuses branded content that is private (VALIDATION_FAILED)', () => {
    expect(
      applyCreatorRules(requested({ privacy_level: 'SELF_ONLY', brand_content_toggle: true }), creator()),
    ).toEqual({
      ok: false,
      violation: {
        rule: 'branded_content_private',
        code: 'VALIDATION_FAILED',
        message: BRANDED_CONTENT_NOT_PRIVATE,
      },
    });
  });

  it('allows "Your brand" alone with "Only me", and branded content with any other audience', () => {
    const yourBrand = requested({ privacy_level: 'SELF_ONLY', brand_organic_toggle: true });
    expect(applyCreatorRules(yourBrand, creator()).ok).toBe(true);
    const branded = requested({ privacy_level: 'MUTUAL_FOLLOW_FRIENDS', brand_content_toggle: true });
    expect(applyCreatorRules(branded, creator()).ok).toBe(true);
  });

  it.each(CREATOR_INTERACTIONS)(
    'refuses to allow %s when the creator turned it off (INTERACTION_DISABLED)',
    (interaction) => {
      const c = creator({ [`${interaction}_disabled`]: true });
      expect(applyCreatorRules(requested({ [`disable_${interaction}`]: false }), c)).toEqual({
        ok: false,
        violation: {
          rule: 'interaction_disabled',
          code: 'INTERACTION_DISABLED',
          message: interactionDisabledReason(interaction),
        },
      });
      // Off, or left to the creator, is fine.
      expect(applyCreatorRules(requested({ [`disable_${interaction}`]: true }), c).ok).toBe(true);
      expect(applyCreatorRules(requested(), c).ok).toBe(true);
    },
  );

  it('reports the first broken rule: privacy, then branded content, then comment, duet, stitch', () => {
    const strict = creator({
      privacy_level_options: ['MUTUAL_FOLLOW_FRIENDS', 'SELF_ONLY'],
      comment_disabled: true,
      duet_disabled: true,
      stitch_disabled: true,
    });
    const all = requested({
      privacy_level: 'PUBLIC_TO_EVERYONE',
      brand_content_toggle: true,
      disable_comment: false,
      disable_duet: false,
      disable_stitch: false,
    });
    const ruleOf = (s: RequestedPostSettings) => {
      const result = applyCreatorRules(s, strict);
      return result.ok ? null : result.violation.message;
    };
    expect(ruleOf(all)).toBe(privacyNotOfferedReason('PUBLIC_TO_EVERYONE', strict));
    expect(ruleOf({ ...all, privacy_level: 'SELF_ONLY' })).toBe(BRANDED_CONTENT_NOT_PRIVATE);
    const friends = { ...all, privacy_level: 'MUTUAL_FOLLOW_FRIENDS' } as const;
    expect(ruleOf(friends)).toBe(interactionDisabledReason('comment'));
    expect(ruleOf({ ...friends, disable_comment: true })).toBe(interactionDisabledReason('duet'));
    expect(ruleOf({ ...friends, disable_comment: true, disable_duet: true })).toBe(
      interactionDisabledReason('stitch'),
    );
  });

  it('does not change the settings it was given', () => {
    const asked = requested();
    const copy = structuredClone(asked);
    applyCreatorRules(asked, creator({ comment_disabled: true }));
    expect(asked).toEqual(copy);
  });
});
