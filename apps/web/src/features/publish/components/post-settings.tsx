/**
 * Caption, privacy and the interaction switches, driven by the creator's live settings
 * (seed §3 step 2 and §7; tiktok-api.md §11 point 2).
 */
import {
  BRANDED_CONTENT_NOT_PRIVATE,
  TITLE_MAX_LENGTH,
  privacyChoices,
  titleLength,
} from '@cliprelay/contract';
import { Select, Stack, Switch, Text, Textarea, Tooltip } from '@mantine/core';
import type { Dispatch } from 'react';
import {
  creatorDisabled,
  type Interaction,
  type PublishAction,
  type PublishState,
} from '../utils/publish-state.ts';
import { PRIVACY_LABELS } from '../utils/privacy.ts';

export interface FieldProps {
  state: PublishState;
  dispatch: Dispatch<PublishAction>;
  disabled: boolean;
}

export function CaptionField({ state, dispatch, disabled }: FieldProps) {
  const length = titleLength(state.title);
  const over = length > TITLE_MAX_LENGTH;
  return (
    <Stack gap={4}>
      <Textarea
        label="Caption"
        description="Shown with your video on TikTok. Hashtags and @mentions are fine."
        placeholder="Say something about your video"
        autosize
        minRows={3}
        maxRows={8}
        value={state.title}
        disabled={disabled}
        error={
          state.fieldErrors.title ??
          (over ? `Keep the caption to ${TITLE_MAX_LENGTH} characters or fewer.` : undefined)
        }
        onChange={(e) => dispatch({ type: 'titleChanged', title: e.currentTarget.value })}
        aria-describedby="caption-counter"
      />
      <Text id="caption-counter" size="xs" c={over ? 'red' : 'dimmed'} ta="right" aria-live="polite">
        {length} / {TITLE_MAX_LENGTH}
      </Text>
    </Stack>
  );
}

export function PrivacySelect({ state, dispatch, disabled }: FieldProps) {
  // Only what the creator allows, in TikTok's order; never a value TikTok would refuse.
  const choices = state.creatorInfo
    ? privacyChoices(state.creatorInfo, state.disclosure && state.brandedContent)
    : [];
  const data = choices.map((c) => ({
    value: c.level,
    label: PRIVACY_LABELS[c.level],
    disabled: c.reason !== null,
  }));
  const reason = choices.find((c) => c.reason !== null)?.reason;
  return (
    <Select
      label="Who can view this video"
      placeholder="Choose who can view"
      description={reason}
      data={data}
      value={state.privacyLevel}
      onChange={(value) => dispatch({ type: 'privacyChanged', privacyLevel: value })}
      disabled={disabled}
      required
      allowDeselect={false}
      error={state.fieldErrors.privacy}
      comboboxProps={{ withinPortal: true }}
      renderOption={({ option }) =>
        option.disabled ? (
          <Tooltip label={BRANDED_CONTENT_NOT_PRIVATE} position="left">
            <Text size="sm" c="dimmed">
              {option.label}
            </Text>
          </Tooltip>
        ) : (
          <Text size="sm">{option.label}</Text>
        )
      }
    />
  );
}

const INTERACTIONS: { key: Interaction; label: string; disabledHint: string; field: keyof PublishState }[] = [
  {
    key: 'comment',
    label: 'Allow comments',
    disabledHint: 'Comments are disabled on your TikTok account.',
    field: 'disableComment',
  },
  {
    key: 'duet',
    label: 'Allow Duet',
    disabledHint: 'Duet is disabled on your TikTok account.',
    field: 'disableDuet',
  },
  {
    key: 'stitch',
    label: 'Allow Stitch',
    disabledHint: 'Stitch is disabled on your TikTok account.',
    field: 'disableStitch',
  },
];

export function InteractionSwitches({ state, dispatch, disabled }: FieldProps) {
  return (
    <Stack gap="xs" role="group" aria-labelledby="interactions-label">
      <Text id="interactions-label" size="sm" fw={500}>
        Let viewers
      </Text>
      <Stack gap="sm">
        {INTERACTIONS.map((item) => {
          const offByCreator = creatorDisabled(state.creatorInfo, item.key);
          const toggle = (
            <Switch
              label={item.label}
              checked={!offByCreator && state[item.field] === false}
              disabled={disabled || offByCreator}
              onChange={(e) =>
                dispatch({
                  type: 'interactionChanged',
                  interaction: item.key,
                  allowed: e.currentTarget.checked,
                })
              }
              description={offByCreator ? 'Turned off in your TikTok settings' : undefined}
            />
          );
          return offByCreator ? (
            <Tooltip key={item.key} label={item.disabledHint}>
              <div tabIndex={0} aria-label={`${item.label}: ${item.disabledHint}`}>
                {toggle}
              </div>
            </Tooltip>
          ) : (
            <div key={item.key}>{toggle}</div>
          );
        })}
      </Stack>
      {state.fieldErrors.interactions && (
        <Text size="sm" c="red" role="alert">
          {state.fieldErrors.interactions}
        </Text>
      )}
    </Stack>
  );
}
