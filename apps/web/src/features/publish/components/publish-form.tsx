/**
 * The publish form for one account: creator info first (skeleton while it loads, a stop with the
 * reason when the creator cannot post now), then the video, the caption and the settings TikTok
 * requires, the consent line and one Publish button; after success, the live status.
 */
import type { SocialAccount } from '@cliprelay/contract';
import { Alert, Button, Card, Grid, Group, Skeleton, Stack, Switch, Text } from '@mantine/core';
import { IconClockPause, IconRepeat } from '@tabler/icons-react';
import { Link } from 'react-router';
import type { PublishDraft } from '../../../lib/publish-draft.ts';
import { usePublishFlow } from '../hooks/use-publish-flow.ts';
import { isBusy, type PublishState } from '../utils/publish-state.ts';
import { CommercialDisclosure } from './commercial-disclosure.tsx';
import { CreatorHeader } from './creator-header.tsx';
import { CaptionField, InteractionSwitches, PrivacySelect } from './post-settings.tsx';
import { PublishActions } from './publish-actions.tsx';
import { PublishResult } from './publish-result.tsx';
import { VideoPicker } from './video-picker.tsx';
import { useEffect } from 'react';

export function PublishForm({
  account,
  draft = null,
  onBusyChange,
}: {
  account: SocialAccount;
  /** An earlier post's settings to start from ("Try again with the same settings"). */
  draft?: PublishDraft | null;
  /** Told when a publish starts and ends, so the page can lock what would abandon it. */
  onBusyChange?: (busy: boolean) => void;
}) {
  const flow = usePublishFlow(account.id, draft);
  const { state, dispatch } = flow;
  const locked = isBusy(state);
  useEffect(() => onBusyChange?.(locked), [locked, onBusyChange]);

  // A skeleton only on entry: a later refresh of creator info keeps the form on screen.
  if (!state.creatorInfo && !state.creatorInfoError) {
    return <FormSkeleton />;
  }
  if (!state.creatorInfo) {
    const failure = state.creatorInfoError;
    const accountsLink = failure?.action === 'accounts' || failure?.action === 'reconnect';
    return (
      <Alert
        color="orange"
        role="alert"
        icon={<IconClockPause aria-hidden />}
        title={accountsLink ? failure.title : "You can't post to TikTok right now"}
      >
        <Text size="sm">{failure?.message}</Text>
        <Group mt="sm">
          {accountsLink ? (
            <Button component={Link} to="/accounts" variant="light" color="orange">
              Go to Accounts
            </Button>
          ) : (
            <Button variant="light" color="orange" onClick={() => flow.reloadCreatorInfo()}>
              Try again
            </Button>
          )}
        </Group>
      </Alert>
    );
  }

  if (state.publishStatus === 'success' && state.publishId) {
    return (
      <PublishResult
        publishId={state.publishId}
        creator={state.creatorInfo}
        state={state}
        onPublishAnother={flow.startOver}
      />
    );
  }

  return (
    <Stack gap="lg">
      {state.prefilledFrom && <PrefilledNotice from={state.prefilledFrom} />}
      <Grid gap="lg" align="flex-start">
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Card>
            <VideoPicker state={state} dispatch={dispatch} disabled={locked} />
          </Card>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Card>
            <Stack gap="lg">
              <CreatorHeader creator={state.creatorInfo} />
              <CaptionField state={state} dispatch={dispatch} disabled={locked} />
              <PrivacySelect state={state} dispatch={dispatch} disabled={locked} />
              <InteractionSwitches state={state} dispatch={dispatch} disabled={locked} />
              <CommercialDisclosure state={state} dispatch={dispatch} disabled={locked} />
              <Switch
                label="AI-generated content"
                description="Label this video as made or significantly edited with AI."
                checked={state.isAigc}
                disabled={locked}
                onChange={(e) => dispatch({ type: 'aigcChanged', on: e.currentTarget.checked })}
              />
              <PublishActions
                state={state}
                onPublish={flow.publish}
                onCancel={flow.cancel}
                onResume={flow.resume}
                onDismissCancelled={flow.dismissCancelNotice}
              />
            </Stack>
          </Card>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

/** The form holds an earlier post's settings: say so, and what the user still has to do. */
function PrefilledNotice({ from }: { from: NonNullable<PublishState['prefilledFrom']> }) {
  return (
    <Alert color="indigo" icon={<IconRepeat aria-hidden />} title="Same settings as your earlier post">
      <Text size="sm">
        {from.videoUrl
          ? 'The caption and settings are filled in, with the same video from your media library when it is still there. Check them, then publish.'
          : `The caption and settings are filled in. Choose the video file again${from.fileName ? ` (it was “${from.fileName}”)` : ''}: the browser cannot pick it for you. Then publish.`}
      </Text>
    </Alert>
  );
}

function FormSkeleton() {
  return (
    <Grid gap="lg" aria-busy="true" aria-label="Loading what this account can post">
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Card>
          <Skeleton h={28} w="60%" mb="md" />
          <Skeleton h={260} />
        </Card>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Card>
          <Stack gap="lg">
            <Group>
              <Skeleton h={48} w={48} circle />
              <Skeleton h={20} w={180} />
            </Group>
            <Skeleton h={90} />
            <Skeleton h={40} />
            <Skeleton h={80} />
            <Skeleton h={40} w={160} />
          </Stack>
        </Card>
      </Grid.Col>
    </Grid>
  );
}
