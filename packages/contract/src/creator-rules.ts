/**
 * TikTok's Direct Post rules over the creator's settings (tiktok-api.md §11 points 1c, 2b, 2c, 3),
 * written once: the web form keeps itself within them and the API refuses what breaks them. Pure
 * functions over plain data (creator_info and the requested post settings), so both sides call
 * the same code and read the same reasons.
 */
import type { CreatorInfoData, PostSettings } from './api-types.ts';
import type { ErrorCode } from './error-codes.ts';
import { PRIVACY_LEVELS, type PrivacyLevel } from './limits.ts';

/** What the rules read of creator_info (the API's TikTok type and `CreatorInfoData` both fit). */
export type CreatorSettings = Pick<
  CreatorInfoData,
  | 'privacy_level_options'
  | 'comment_disabled'
  | 'duet_disabled'
  | 'stitch_disabled'
  | 'max_video_post_duration_sec'
>;

/** The interactions a creator can turn off for all of their videos (§11 point 2c). */
export const CREATOR_INTERACTIONS = ['comment', 'duet', 'stitch'] as const;
export type CreatorInteraction = (typeof CREATOR_INTERACTIONS)[number];

/** TikTok's required hover text for "Only me" while branded content is on (§11 point 3b). */
export const BRANDED_CONTENT_NOT_PRIVATE = 'Branded content visibility cannot be set to private.';

/** TikTok's required text while the disclosure is on and neither box is checked (§11 point 3a). */
export const DISCLOSURE_CHOICE_REQUIRED =
  'You need to indicate if your content promotes yourself, a third party, or both.';

/** Why a privacy level the creator does not offer is refused (the codes, as TikTok names them). */
export function privacyNotOfferedReason(
  level: PrivacyLevel,
  creator: Pick<CreatorSettings, 'privacy_level_options'>,
): string {
  return `This account can't post with privacy ${level}. Choose one of: ${creator.privacy_level_options.join(', ')}.`;
}

const INTERACTION_PLURAL: Record<CreatorInteraction, string> = {
  comment: 'Comments',
  duet: 'Duets',
  stitch: 'Stitches',
};

/** Why an interaction the creator turned off cannot be allowed on a video. */
export function interactionDisabledReason(interaction: CreatorInteraction): string {
  return `${INTERACTION_PLURAL[interaction]} are turned off for this TikTok account, so they can't be allowed on this video.`;
}

/** Privacy must be one of the creator's current `privacy_level_options` (§11 point 2b). */
export function isPrivacyOffered(
  creator: Pick<CreatorSettings, 'privacy_level_options'>,
  level: PrivacyLevel,
): boolean {
  return creator.privacy_level_options.includes(level);
}

/** Whether the creator turned this interaction off: it must stay off (§11 point 2c). */
export function isInteractionDisabledByCreator(
  creator: Pick<CreatorSettings, 'comment_disabled' | 'duet_disabled' | 'stitch_disabled'>,
  interaction: CreatorInteraction,
): boolean {
  return creator[`${interaction}_disabled`];
}

/** Branded content cannot be private: "Only me" (`SELF_ONLY`) and branded content exclude each other (§11 point 3b). */
export function isBrandedContentPrivate(brandedContent: boolean, level: PrivacyLevel | null): boolean {
  return brandedContent && level === 'SELF_ONLY';
}

/** One privacy level the form may show: `reason` says why it cannot be chosen now, or is null. */
export interface PrivacyChoice {
  level: PrivacyLevel;
  reason: string | null;
}

/**
 * The privacy levels to offer: exactly the creator's options, in TikTok's order; with branded
 * content on, "Only me" is shown but cannot be chosen.
 */
export function privacyChoices(
  creator: Pick<CreatorSettings, 'privacy_level_options'>,
  brandedContent: boolean,
): PrivacyChoice[] {
  return PRIVACY_LEVELS.filter((level) => isPrivacyOffered(creator, level)).map((level) => ({
    level,
    reason: isBrandedContentPrivate(brandedContent, level) ? BRANDED_CONTENT_NOT_PRIVATE : null,
  }));
}

/** A video no longer than the creator's `max_video_post_duration_sec` (§11 point 1c). */
export function isWithinMaxDuration(durationSec: number, maxSec: number): boolean {
  return durationSec <= maxSec;
}

/**
 * With the disclosure on, at least one of "Your brand" and "Branded content" must be checked
 * (§11 point 3a): until then Publish is disabled with `DISCLOSURE_CHOICE_REQUIRED`.
 */
export function isDisclosureChoiceMissing(
  disclosure: boolean,
  yourBrand: boolean,
  brandedContent: boolean,
): boolean {
  return disclosure && !yourBrand && !brandedContent;
}

/** Post settings as a request gives them: an omitted interaction switch follows the creator's. */
export type RequestedPostSettings = Omit<
  PostSettings,
  'disable_comment' | 'disable_duet' | 'disable_stitch'
> & {
  disable_comment?: boolean;
  disable_duet?: boolean;
  disable_stitch?: boolean;
};

/** A broken rule: the error code the API answers with, and the reason the user reads. */
export interface CreatorRuleViolation {
  rule: 'privacy_not_offered' | 'branded_content_private' | 'interaction_disabled';
  code: Extract<ErrorCode, 'PRIVACY_LEVEL_NOT_ALLOWED' | 'INTERACTION_DISABLED' | 'VALIDATION_FAILED'>;
  message: string;
}

export type CreatorRulesResult =
  { ok: true; settings: PostSettings } | { ok: false; violation: CreatorRuleViolation };

/**
 * Requested settings checked against the creator's, as the server must before anything reaches
 * TikTok: the first broken rule (privacy offered, branded content not private, then comment,
 * duet, stitch), or the settings with every omitted interaction switch following the creator's.
 */
export function applyCreatorRules(
  requested: RequestedPostSettings,
  creator: CreatorSettings,
): CreatorRulesResult {
  if (!isPrivacyOffered(creator, requested.privacy_level)) {
    return refuse(
      'privacy_not_offered',
      'PRIVACY_LEVEL_NOT_ALLOWED',
      privacyNotOfferedReason(requested.privacy_level, creator),
    );
  }
  if (isBrandedContentPrivate(requested.brand_content_toggle, requested.privacy_level)) {
    return refuse('branded_content_private', 'VALIDATION_FAILED', BRANDED_CONTENT_NOT_PRIVATE);
  }
  const disable: Record<CreatorInteraction, boolean> = { comment: true, duet: true, stitch: true };
  for (const interaction of CREATOR_INTERACTIONS) {
    const off = isInteractionDisabledByCreator(creator, interaction);
    const asked = requested[`disable_${interaction}`];
    if (off && asked === false) {
      return refuse('interaction_disabled', 'INTERACTION_DISABLED', interactionDisabledReason(interaction));
    }
    disable[interaction] = asked ?? off;
  }
  return {
    ok: true,
    settings: {
      ...requested,
      disable_comment: disable.comment,
      disable_duet: disable.duet,
      disable_stitch: disable.stitch,
    },
  };
}

function refuse(
  rule: CreatorRuleViolation['rule'],
  code: CreatorRuleViolation['code'],
  message: string,
): CreatorRulesResult {
  return { ok: false, violation: { rule, code, message } };
}
