/**
 * The end of the form: the consent line (tiktok-api.md §11 points 2 and 4), one main button
 * (Publish, disabled with the reason until the form is complete; "Publishing…" with a spinner once
 * pressed; after a failure, the one way on: Try again, or the Accounts screen), the upload's
 * progress (the share TikTok has accepted), Cancel and what it did, Resume after a lost
 * connection, and what went wrong in the server's words. On phones the buttons and the progress
 * sit in a bar fixed at the bottom of the screen, so Publish is always at hand.
 */
import { formatBytes } from '@cliprelay/contract';
import { Alert, Anchor, Box, Button, Group, Loader, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { useElementSize } from '@mantine/hooks';
import {
  IconAlertTriangle,
  IconCircleX,
  IconPlayerPlay,
  IconPlugConnected,
  IconRefresh,
  IconSend,
  IconWifiOff,
} from '@tabler/icons-react';
import { useEffect, useRef, type ReactNode } from 'react';
import { Link } from 'react-router';
import type { PublishFailure } from '../utils/describe-publish-error.ts';
import { isBusy, publishBlockers, type PublishState } from '../utils/publish-state.ts';
import classes from './publish-actions.module.css';

const MUSIC_USAGE_URL = 'https://www.tiktok.com/legal/page/global/music-usage-confirmation/en';
const BRANDED_CONTENT_POLICY_URL = 'https://www.tiktok.com/legal/page/global/bc-policy/en';

export function ConsentLine({ brandedContent }: { brandedContent: boolean }) {
  const music = (
    <Anchor href={MUSIC_USAGE_URL} target="_blank" rel="noopener noreferrer" inherit>
      Music Usage Confirmation
    </Anchor>
  );
  return (
    <Text size="sm" c="dimmed" data-testid="consent-line">
      {brandedContent ? (
        <>
          By posting, you agree to TikTok&apos;s{' '}
          <Anchor href={BRANDED_CONTENT_POLICY_URL} target="_blank" rel="noopener noreferrer" inherit>
            Branded Content Policy
          </Anchor>{' '}
          and {music}.
        </>
      ) : (
        <>By posting, you agree to TikTok&apos;s {music}.</>
      )}
    </Text>
  );
}

export function PublishActions({
  state,
  onPublish,
  onCancel,
  onResume,
  onDismissCancelled,
}: {
  state: PublishState;
  onPublish: () => void;
  onCancel: () => void;
  onResume: () => void;
  onDismissCancelled: () => void;
}) {
  const busy = isBusy(state);
  const blockers = busy ? [] : publishBlockers(state);
  const blocked = blockers.length > 0;
  const size = state.source === 'FILE_UPLOAD' ? (state.selectedFile?.size ?? 0) : 0;
  const sent = Math.round((size * state.uploadProgress) / 100);
  const failure = state.publishStatus === 'error' ? state.failure : null;
  const { ref: barRef, height: barHeight } = useElementSize();

  return (
    <Stack gap="sm">
      <ConsentLine brandedContent={state.disclosure && state.brandedContent} />

      {state.cancelledDuring && !busy && (
        <CancelledNotice during={state.cancelledDuring} onDismiss={onDismissCancelled} />
      )}

      {failure && <PublishErrorAlert failure={failure} />}

      {state.publishStatus === 'uploading' && state.connectionLostAt !== null && (
        <RevealedAlert
          color="yellow"
          title={`Connection lost at ${state.connectionLostAt} %`}
          icon={<IconWifiOff aria-hidden />}
        >
          <Stack gap="xs">
            <Text size="sm">
              What reached us is kept. When you are back online, Resume sends the rest of the video from where
              it stopped.
            </Text>
            <Group gap="sm">
              <Button
                variant="light"
                color="yellow"
                size="xs"
                leftSection={<IconPlayerPlay size={14} aria-hidden />}
                onClick={onResume}
              >
                Resume
              </Button>
            </Group>
          </Stack>
        </RevealedAlert>
      )}

      <div ref={barRef} className={classes.bar} data-testid="publish-bar">
        <Stack gap="xs">
          <Group gap="sm" wrap="nowrap">
            <MainAction state={state} blockers={blockers} failure={failure} onPublish={onPublish} />
            {busy && (
              <Button size="md" variant="default" onClick={onCancel}>
                Cancel
              </Button>
            )}
          </Group>

          {blocked && (
            <Text id="publish-blockers" size="xs" c="dimmed">
              To publish: {blockers.join(' ')}
            </Text>
          )}

          <div aria-live="polite">
            {state.publishStatus === 'uploading' && (
              <Stack gap={6}>
                <Group justify="space-between" gap="xs">
                  <Text size="sm">Uploading your video…</Text>
                  <Text size="sm" c="dimmed">
                    {state.uploadProgress}% · {formatBytes(sent)} of {formatBytes(size)}
                  </Text>
                </Group>
                {/* What TikTok has accepted (solid), within what reached us (light). */}
                <Progress.Root size="lg" transitionDuration={150}>
                  <Progress.Section value={state.tiktokProgress} aria-label="Accepted by TikTok" />
                  <Progress.Section
                    value={Math.max(0, state.uploadProgress - state.tiktokProgress)}
                    color="indigo.2"
                    aria-label="Upload progress"
                    aria-valuenow={state.uploadProgress}
                  />
                </Progress.Root>
                <Text size="xs" c="dimmed">
                  TikTok has {state.tiktokProgress}% of it
                </Text>
              </Stack>
            )}
            {state.publishStatus === 'publishing' && (
              <Group gap="sm" role="status">
                <Loader size="sm" aria-hidden />
                <Text size="sm">Submitting to TikTok…</Text>
              </Group>
            )}
          </div>
        </Stack>
      </div>
      {/* On phones the bar is fixed: this keeps the end of the form from hiding under it. */}
      <Box className={classes.spacer} h={barHeight} aria-hidden />
    </Stack>
  );
}

/**
 * The one button that moves on: Publish; after a failure that trying again can fix, Try again (the
 * same form, sent again); when the account must be connected again, the way to the Accounts screen.
 */
function MainAction({
  state,
  blockers,
  failure,
  onPublish,
}: {
  state: PublishState;
  blockers: string[];
  failure: PublishFailure | null;
  onPublish: () => void;
}) {
  const busy = isBusy(state);
  if (failure && (failure.action === 'accounts' || failure.action === 'reconnect')) {
    return (
      <Button
        size="md"
        component={Link}
        to="/accounts"
        className={classes.main}
        leftSection={<IconPlugConnected size={18} aria-hidden />}
      >
        {failure.action === 'reconnect' ? 'Reconnect on the Accounts screen' : 'Go to Accounts'}
      </Button>
    );
  }
  const retry = failure && (failure.action === 'retry' || failure.action === 'retry_later');
  const blocked = blockers.length > 0;
  const button = (
    <Button
      size="md"
      className={classes.main}
      onClick={onPublish}
      disabled={blocked || busy}
      leftSection={
        busy ? (
          <Loader size={16} color="gray" aria-hidden />
        ) : retry ? (
          <IconRefresh size={18} aria-hidden />
        ) : (
          <IconSend size={18} aria-hidden />
        )
      }
      aria-describedby={blocked ? 'publish-blockers' : undefined}
    >
      {busy ? 'Publishing…' : retry ? 'Try again' : 'Publish'}
    </Button>
  );
  return blocked ? (
    <Tooltip label={blockers[0]}>
      <span className={classes.main} style={{ display: 'inline-block' }}>
        {button}
      </span>
    </Tooltip>
  ) : (
    button
  );
}

/** An alert that scrolls itself into view when it appears (on phones it may be off screen). */
function RevealedAlert({
  children,
  ...props
}: {
  color: string;
  title: string;
  icon: ReactNode;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    ref.current?.scrollIntoView?.({ block: 'nearest', behavior: 'smooth' });
  }, []);
  return (
    <Alert ref={ref} role="alert" {...props}>
      {children}
    </Alert>
  );
}

/** Cancel did something: say what, and whether anything can have reached TikTok. */
function CancelledNotice({
  during,
  onDismiss,
}: {
  during: 'uploading' | 'publishing';
  onDismiss: () => void;
}) {
  return (
    <Alert
      color="gray"
      role="status"
      icon={<IconCircleX aria-hidden />}
      title={during === 'uploading' ? 'Upload cancelled — nothing was posted' : 'Publishing cancelled'}
      withCloseButton
      closeButtonLabel="Dismiss"
      onClose={onDismiss}
    >
      <Text size="sm">
        {during === 'uploading'
          ? 'Your video and settings are still here: Publish sends them again when you are ready.'
          : 'TikTok may already have the video and post it anyway: look at your history before publishing it again.'}
      </Text>
    </Alert>
  );
}

function PublishErrorAlert({ failure }: { failure: PublishFailure }) {
  // A message already shown at its field is not repeated here: the alert says where to look.
  const atField = Object.values(failure.fieldErrors).includes(failure.message);
  return (
    <RevealedAlert color="red" title={failure.title} icon={<IconAlertTriangle aria-hidden />}>
      <Stack gap="xs">
        <Text size="sm">
          {atField ? 'Change what is marked in the form, then publish again.' : failure.message}
        </Text>
        {failure.action === 'retry_later' && failure.retryAfterSec !== null && (
          <Text size="sm">
            TikTok asks to wait about {Math.max(1, Math.ceil(failure.retryAfterSec / 60))} min.
          </Text>
        )}
        {failure.requestId && (
          <Text size="xs" c="dimmed">
            Reference for support: {failure.requestId}
          </Text>
        )}
      </Stack>
    </RevealedAlert>
  );
}
