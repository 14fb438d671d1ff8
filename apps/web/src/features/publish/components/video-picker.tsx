/**
 * Choosing the video: from the device (FILE_UPLOAD) or from the media library (PULL_FROM_URL),
 * with a preview (tiktok-api.md §11 point 5a) and the checks of seed §7 shown as they complete.
 */
import { MAX_VIDEO_BYTES, formatBytes, type MediaItem } from '@cliprelay/contract';
import {
  Alert,
  AspectRatio,
  Center,
  FileInput,
  Group,
  Loader,
  SegmentedControl,
  Stack,
  Text,
  Title,
} from '@mantine/core';
import { IconAlertTriangle, IconMovie, IconUpload } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { currentVideo } from '../utils/publish-state.ts';
import { checkFile, formatDuration } from '../utils/video-checks.ts';
import { MediaLibrary } from './media-library.tsx';
import type { FieldProps } from './post-settings.tsx';

export function VideoPicker({ state, dispatch, disabled }: FieldProps) {
  const { chosen, info } = currentVideo(state);
  return (
    <Stack gap="md">
      <div>
        <Title order={2} size="h4">
          Video
        </Title>
        {state.creatorInfo && (
          <Text size="sm" c="dimmed" data-testid="max-duration">
            This account can post videos up to {formatDuration(state.creatorInfo.max_video_post_duration_sec)}{' '}
            long.
          </Text>
        )}
      </div>
      <SegmentedControl
        fullWidth
        value={state.source}
        disabled={disabled}
        onChange={(value) =>
          dispatch({
            type: 'sourceChanged',
            source: value === 'PULL_FROM_URL' ? 'PULL_FROM_URL' : 'FILE_UPLOAD',
          })
        }
        data={[
          { value: 'FILE_UPLOAD', label: 'Your device' },
          { value: 'PULL_FROM_URL', label: 'Media library' },
        ]}
        aria-label="Where the video comes from"
      />

      {state.source === 'FILE_UPLOAD' ? (
        <FileInput
          label="Video file"
          description={`MP4, MOV or WebM, up to ${formatBytes(MAX_VIDEO_BYTES)}`}
          placeholder="Choose a video"
          accept="video/*"
          clearable
          leftSection={<IconUpload size={16} aria-hidden />}
          value={state.selectedFile}
          disabled={disabled}
          onChange={(file) =>
            dispatch({
              type: 'fileSelected',
              file,
              check: file ? checkFile(file) : { problem: null, warning: null },
            })
          }
          error={state.fieldErrors.video}
        />
      ) : (
        <MediaLibrary
          selected={state.selectedMedia}
          disabled={disabled}
          error={state.fieldErrors.video}
          onSelect={(media) => dispatch({ type: 'mediaSelected', media })}
        />
      )}

      {/* No player for a file that turned out not to be a playable video. */}
      {chosen && !(info?.check.problem && info.durationSec === null) && <VideoPreview video={chosen} />}

      {info?.checking && (
        <Group gap="xs" aria-live="polite">
          <Loader size="xs" aria-hidden />
          <Text size="sm" c="dimmed">
            Checking the video…
          </Text>
        </Group>
      )}
      {chosen && info && !info.checking && <VideoFacts video={chosen} durationSec={info.durationSec} />}
      {info?.check.problem && (
        <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert" p="sm">
          <Text size="sm">{info.check.problem}</Text>
        </Alert>
      )}
      {info?.check.warning && !info.check.problem && (
        <Alert color="yellow" p="sm" role="status">
          <Text size="sm">{info.check.warning}</Text>
        </Alert>
      )}
    </Stack>
  );
}

function VideoFacts({ video, durationSec }: { video: File | MediaItem; durationSec: number | null }) {
  const size = video instanceof File ? video.size : video.size_bytes;
  const name = video instanceof File ? video.name : video.title;
  return (
    <Text size="sm" c="dimmed" data-testid="video-facts">
      {name}
      {size !== null ? ` · ${formatBytes(size)}` : ''}
      {durationSec !== null ? ` · ${formatDuration(durationSec)}` : ''}
    </Text>
  );
}

/** A playable preview of the library URL, or of the file through an object URL. */
function VideoPreview({ video }: { video: File | MediaItem }) {
  const name = video instanceof File ? video.name : video.title;
  return (
    <AspectRatio ratio={9 / 16} maw={{ base: 200, sm: 260 }} mx="auto" w="100%">
      <Center bg="dark.8" style={{ borderRadius: 'var(--mantine-radius-md)', overflow: 'hidden' }}>
        {video instanceof File ? (
          <FilePlayer file={video} name={name} />
        ) : (
          <Player src={video.url} name={name} />
        )}
      </Center>
    </AspectRatio>
  );
}

/** Owns the file's object URL: made when the file is shown, revoked when it no longer is. */
function FilePlayer({ file, name }: { file: File; name: string }) {
  const [src, setSrc] = useState<string | null>(null);
  useEffect(() => {
    const url = URL.createObjectURL(file);
    // The object URL is an external resource tied to this effect's lifetime (revoked below).
    // eslint-disable-next-line react-hooks/set-state-in-effect
    setSrc(url);
    return () => URL.revokeObjectURL(url);
  }, [file]);
  return src ? <Player src={src} name={name} /> : <IconMovie size={40} color="white" aria-hidden />;
}

function Player({ src, name }: { src: string; name: string }) {
  return (
    <video
      src={src}
      controls
      muted
      playsInline
      preload="metadata"
      aria-label={`Preview of ${name}`}
      style={{ width: '100%', height: '100%', objectFit: 'contain', background: 'black' }}
    />
  );
}
