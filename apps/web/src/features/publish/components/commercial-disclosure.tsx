/**
 * Commercial content disclosure, as TikTok's app audit requires it (tiktok-api.md §11 points 3–4):
 * off by default; when on, "Your brand" and/or "Branded content" (at least one), the label TikTok
 * will show, and branded content never private.
 */
import { Alert, Checkbox, Stack, Switch, Text, Tooltip } from '@mantine/core';
import { IconInfoCircle } from '@tabler/icons-react';
import {
  BRANDED_CONTENT_NOT_PRIVATE,
  DISCLOSURE_CHOICE_REQUIRED,
  isBrandedContentPrivate,
} from '@cliprelay/contract';
import type { FieldProps } from './post-settings.tsx';

/** The label TikTok puts on the post for the chosen disclosure, or null when none is chosen. */
export function disclosureLabel(yourBrand: boolean, brandedContent: boolean): string | null {
  if (brandedContent) return "Your photo/video will be labeled as 'Paid partnership'";
  if (yourBrand) return "Your photo/video will be labeled as 'Promotional content'";
  return null;
}

export function CommercialDisclosure({ state, dispatch, disabled }: FieldProps) {
  // "Branded content" cannot be added while "Only me" is chosen (tiktok-api.md §11 point 3b).
  const privateChosen = isBrandedContentPrivate(true, state.privacyLevel);
  const label = disclosureLabel(state.yourBrand, state.brandedContent);
  const brandedBox = (
    <Checkbox
      label="Branded content"
      description="You are promoting another brand or a third party."
      checked={state.brandedContent}
      disabled={disabled || (privateChosen && !state.brandedContent)}
      onChange={(e) => dispatch({ type: 'brandedContentChanged', on: e.currentTarget.checked })}
    />
  );
  return (
    <Stack gap="sm">
      <Switch
        label="Content Disclosure Setting"
        description="Turn on if this video promotes yourself, a brand, product or service."
        checked={state.disclosure}
        disabled={disabled}
        onChange={(e) => dispatch({ type: 'disclosureChanged', on: e.currentTarget.checked })}
      />
      {state.disclosure && (
        <Stack gap="sm" pl={{ base: 0, xs: 'xl' }} role="group" aria-label="What this video promotes">
          <Checkbox
            label="Your brand"
            description="You are promoting yourself or your own business."
            checked={state.yourBrand}
            disabled={disabled}
            onChange={(e) => dispatch({ type: 'yourBrandChanged', on: e.currentTarget.checked })}
          />
          {privateChosen && !state.brandedContent ? (
            <Tooltip label={BRANDED_CONTENT_NOT_PRIVATE}>
              <div>
                {brandedBox}
                <Text size="xs" c="dimmed" mt={4} ml={32}>
                  {BRANDED_CONTENT_NOT_PRIVATE} Choose another audience to add it.
                </Text>
              </div>
            </Tooltip>
          ) : (
            brandedBox
          )}
          {label ? (
            <Alert variant="light" color="indigo" icon={<IconInfoCircle aria-hidden />} p="xs">
              <Text size="sm">{label}</Text>
            </Alert>
          ) : (
            <Text size="sm" c="orange">
              {DISCLOSURE_CHOICE_REQUIRED}
            </Text>
          )}
          {state.fieldErrors.disclosure && (
            <Text size="sm" c="red" role="alert">
              {state.fieldErrors.disclosure}
            </Text>
          )}
        </Stack>
      )}
    </Stack>
  );
}
