/**
 * The end of the form: the consent line (tiktok-api.md §11 points 2 and 4), one Publish button
 * (disabled with the reason until the form is complete; "Publishing…" with a spinner once pressed),
 * the upload's progress (the share TikTok has accepted), Cancel, Resume after a lost connection,
 * and what went wrong with the way forward.
 */
import { formatBytes } from '@cliprelay/contract';
import { Alert, Anchor, Button, Group, Loader, Progress, Stack, Text, Tooltip } from '@mantine/core';
import { IconAlertTriangle, IconPlayerPlay, IconSend, IconWifiOff } from '@tabler/icons-react';
import { Link } from 'react-router';
import { isBusy, publishBlockers, type PublishState } from '../utils/publish-state.ts';

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
}: {
  state: PublishState;
  onPublish: () => void;
  onCancel: () => void;
  onResume: () => void;
}) {
  const busy = isBusy(state);
  const blockers = busy ? [] : publishBlockers(state);
  const blocked = blockers.length > 0;
  const size = state.source === 'FILE_UPLOAD' ? (state.selectedFile?.size ?? 0) : 0;
  const sent = Math.round((size * state.uploadProgress) / 100);

  const button = (
    <Button
      size="md"
      onClick={onPublish}
      disabled={blocked || busy}
      leftSection={busy ? <Loader size={16} color="gray" aria-hidden /> : <IconSend size={18} aria-hidden />}
      aria-describedby={blocked ? 'publish-blockers' : undefined}
    >
      {busy ? 'Publishing…' : 'Publish'}
    </Button>
  );

  return (
    <Stack gap="sm">
      <ConsentLine brandedContent={state.disclosure && state.brandedContent} />

      {state.publishStatus === 'error' && state.failure && (
        <PublishErrorAlert state={state} onRetry={onPublish} />
      )}

      {state.publishStatus === 'uploading' && state.connectionLostAt !== null && (
        <Alert
          color="yellow"
          title={`Connection lost at ${state.connectionLostAt} %`}
          icon={<IconWifiOff aria-hidden />}
          role="alert"
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
        </Alert>
      )}

      <Group gap="sm">
        {blocked ? (
          <Tooltip label={blockers[0]}>
            <span style={{ display: 'inline-block' }}>{button}</span>
          </Tooltip>
        ) : (
          button
        )}
        {busy && (
          <Button size="md" variant="default" onClick={onCancel}>
            Cancel
          </Button>
        )}
      </Group>

      {blocked && (
        <Text id="publish-blockers" size="xs" c="dimmed">
          To publish: {blockers.map((b) => b.replace(/\.$/, '').toLowerCase()).join('; ')}.
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
  );
}

function PublishErrorAlert({ state, onRetry }: { state: PublishState; onRetry: () => void }) {
  const failure = state.failure;
  if (!failure) return null;
  const canRetry = failure.action === 'retry' || failure.action === 'retry_later';
  return (
    <Alert color="red" title={failure.title} icon={<IconAlertTriangle aria-hidden />} role="alert">
      <Stack gap="xs">
        <Text size="sm">{failure.message}</Text>
        {failure.action === 'retry_later' && failure.retryAfterSec !== null && (
          <Text size="sm">
            TikTok asks to wait about {Math.max(1, Math.ceil(failure.retryAfterSec / 60))} min.
          </Text>
        )}
        <Group gap="sm">
          {canRetry && (
            <Button variant="light" color="red" size="xs" onClick={onRetry}>
              Try again
            </Button>
          )}
          {(failure.action === 'accounts' || failure.action === 'reconnect') && (
            <Button component={Link} to="/accounts" variant="light" color="red" size="xs">
              {failure.action === 'reconnect' ? 'Reconnect on the Accounts screen' : 'Go to Accounts'}
            </Button>
          )}
        </Group>
        {failure.requestId && (
          <Text size="xs" c="dimmed">
            Reference for support: {failure.requestId}
          </Text>
        )}
      </Stack>
    </Alert>
  );
}
