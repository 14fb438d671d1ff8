/**
 * The media library as the publish form shows it (PULL_FROM_URL): the user's videos on our media
 * CDN, each with a still of its first frames and its duration (the library's, else what the
 * browser reads from the video), and a way to add one (POST /media).
 */
import { formatBytes, type MediaItem } from '@cliprelay/contract';
import { Alert, Button, Group, Modal, Radio, ScrollArea, Skeleton, Stack, Text } from '@mantine/core';
import { useMediaQuery } from '@mantine/hooks';
import { IconPhoto, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { VideoThumbnail } from '../../../components/video-thumbnail.tsx';
import { useMediaLibrary } from '../api/get-media.ts';
import { describePublishError } from '../utils/describe-publish-error.ts';
import { formatDuration } from '../utils/video-checks.ts';
import { AddMediaForm } from './add-media-form.tsx';

export function MediaLibrary({
  selected,
  onSelect,
  disabled,
  error,
}: {
  selected: MediaItem | null;
  onSelect: (media: MediaItem | null) => void;
  disabled: boolean;
  error: string | undefined;
}) {
  const media = useMediaLibrary(true);
  const [adding, setAdding] = useState(false);
  const phone = useMediaQuery('(max-width: 36em)');

  const addButton = (
    <Button
      variant="light"
      size="sm"
      leftSection={<IconPlus size={16} aria-hidden />}
      onClick={() => setAdding(true)}
      disabled={disabled}
    >
      Add a video
    </Button>
  );
  const addModal = (
    <Modal
      opened={adding}
      onClose={() => setAdding(false)}
      title="Add a video to your library"
      fullScreen={phone}
      centered
    >
      <AddMediaForm
        onCancel={() => setAdding(false)}
        onAdded={(item) => {
          setAdding(false);
          onSelect(item);
        }}
      />
    </Modal>
  );

  if (media.isPending) return <Skeleton h={120} aria-label="Loading your media library" />;
  if (media.isError) {
    return (
      <Alert color="red" role="alert" title="Your media library could not be loaded">
        <Text size="sm">{describePublishError(media.error).message}</Text>
        <Button mt="xs" size="xs" variant="light" color="red" onClick={() => void media.refetch()}>
          Try again
        </Button>
      </Alert>
    );
  }
  if (media.data.length === 0) {
    return (
      <>
        <Alert color="gray" icon={<IconPhoto aria-hidden />} title="Your media library is empty">
          <Stack gap="sm" align="flex-start">
            <Text size="sm">
              Add a video that is on Cliprelay&apos;s media server, or upload one from your device instead.
            </Text>
            {addButton}
          </Stack>
        </Alert>
        {addModal}
      </>
    );
  }
  return (
    <>
      <Radio.Group
        label="Media library"
        description="Videos already on Cliprelay's media server. TikTok downloads the one you choose."
        value={selected?.id ?? null}
        onChange={(id) => onSelect(media.data.find((m) => m.id === id) ?? null)}
        error={error}
      >
        <ScrollArea.Autosize mah={320} mt="xs" type="auto" offsetScrollbars="y">
          <Stack gap="xs">
            {media.data.map((item) => (
              <MediaRow key={item.id} item={item} disabled={disabled} />
            ))}
          </Stack>
        </ScrollArea.Autosize>
      </Radio.Group>
      <Group>{addButton}</Group>
      {addModal}
    </>
  );
}

function MediaRow({ item, disabled }: { item: MediaItem; disabled: boolean }) {
  // The library's duration when it has one; else the browser's reading of the video's metadata
  // (undefined while it reads, null when it could not).
  const [readSec, setReadSec] = useState<number | null | undefined>(undefined);
  const durationSec = item.duration_sec ?? readSec;
  return (
    <Radio.Card value={item.id} disabled={disabled} p="sm" radius="md" data-testid="media-item">
      <Group wrap="nowrap" gap="sm">
        <Radio.Indicator />
        <VideoThumbnail
          src={item.url}
          width={40}
          onDuration={item.duration_sec === null ? setReadSec : undefined}
          data-testid="media-thumbnail"
        />
        <div style={{ minWidth: 0 }}>
          <Text size="sm" fw={500} truncate>
            {item.title}
          </Text>
          <Text size="xs" c="dimmed">
            <span data-testid="media-duration">
              {durationSec === undefined
                ? 'Reading length…'
                : durationSec === null
                  ? 'Length unknown'
                  : formatDuration(durationSec)}
            </span>
            {item.size_bytes !== null ? ` · ${formatBytes(item.size_bytes)}` : ''}
          </Text>
        </div>
      </Group>
    </Radio.Card>
  );
}
