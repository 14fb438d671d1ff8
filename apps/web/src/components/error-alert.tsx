import { Alert, Button, Stack, Text } from '@mantine/core';
import { IconAlertCircle, IconRefresh } from '@tabler/icons-react';
import type { ReactNode } from 'react';

export interface ErrorAlertProps {
  title: string;
  /** What happened and what to do, in plain words. */
  message: ReactNode;
  /** Shows a "Try again" button when given (only where retrying can help). */
  onRetry?: () => void;
  retrying?: boolean;
  retryLabel?: string;
  onClose?: () => void;
}

/** A failure, announced to assistive technology (role="alert"), with an optional Try again. */
export function ErrorAlert({
  title,
  message,
  onRetry,
  retrying = false,
  retryLabel = 'Try again',
  onClose,
}: ErrorAlertProps) {
  return (
    <Alert
      color="red"
      role="alert"
      title={title}
      icon={<IconAlertCircle aria-hidden />}
      withCloseButton={Boolean(onClose)}
      onClose={onClose}
      closeButtonLabel="Dismiss"
    >
      <Stack gap="sm" align="flex-start">
        <Text size="sm">{message}</Text>
        {onRetry && (
          <Button
            size="xs"
            variant="white"
            color="red"
            leftSection={<IconRefresh size={14} aria-hidden />}
            loading={retrying}
            onClick={onRetry}
          >
            {retryLabel}
          </Button>
        )}
      </Stack>
    </Alert>
  );
}
