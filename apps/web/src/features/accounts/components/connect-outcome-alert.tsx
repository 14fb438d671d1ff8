import type { OAuthOutcome, SocialAccount } from '@cliprelay/contract';
import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconCircleCheck, IconUpload } from '@tabler/icons-react';
import { Link } from 'react-router';
import { accountLabel } from '../../../api/social-accounts.ts';
import { connectErrorMessage } from '../utils/describe-error.ts';
import { ErrorAlert } from '../../../components/error-alert.tsx';

export interface ConnectOutcomeAlertProps {
  outcome: OAuthOutcome;
  /** The user's accounts once loaded, to name the one just connected. */
  accounts: SocialAccount[] | undefined;
  onDismiss: () => void;
  onRetry: () => void;
  retrying: boolean;
}

/** How TikTok's consent round trip ended: the account now connected, or why not and a Try again. */
export function ConnectOutcomeAlert({
  outcome,
  accounts,
  onDismiss,
  onRetry,
  retrying,
}: ConnectOutcomeAlertProps) {
  if (outcome.tiktok_connect === 'success') {
    const account = accounts?.find((a) => a.id === outcome.account);
    return (
      <Alert
        color="teal"
        role="status"
        title="TikTok account connected"
        icon={<IconCircleCheck aria-hidden />}
        withCloseButton
        closeButtonLabel="Dismiss"
        onClose={onDismiss}
      >
        <Stack gap="sm" align="flex-start">
          <Text size="sm">
            {account ? `Connected ${accountLabel(account)}.` : 'Your TikTok account is connected.'} You can
            publish from it now.
          </Text>
          <Button
            component={Link}
            to={`/publish?account=${encodeURIComponent(outcome.account)}`}
            size="xs"
            color="teal"
            leftSection={<IconUpload size={14} aria-hidden />}
          >
            Publish a video
          </Button>
        </Stack>
      </Alert>
    );
  }
  return (
    <ErrorAlert
      title="Your TikTok account was not connected"
      message={connectErrorMessage(outcome.code)}
      onRetry={onRetry}
      retrying={retrying}
      onClose={onDismiss}
    />
  );
}
