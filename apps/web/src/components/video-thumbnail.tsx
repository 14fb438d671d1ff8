/**
 * A small still of a video on the media CDN: a muted `<video preload="metadata">` showing a frame
 * half a second in (the API keeps no cover image), which also reports the video's duration as the
 * browser reads it. Without a URL, or when the video does not load, a neutral placeholder.
 */
import { Box, Center } from '@mantine/core';
import { IconMovie } from '@tabler/icons-react';
import { useState, type ReactNode } from 'react';

export interface VideoThumbnailProps {
  /** The video's URL; null for a video the browser cannot fetch (a device file already sent). */
  src: string | null;
  width: number;
  /** Height over width; 16/9 (portrait, as TikTok videos are) unless said otherwise. */
  ratio?: number;
  /** Called once with the duration in seconds the browser read, or null when it read none. */
  onDuration?: (seconds: number | null) => void;
  /** Drawn over the picture, e.g. a duration badge. */
  children?: ReactNode;
  'data-testid'?: string;
}

export function VideoThumbnail({
  src,
  width,
  ratio = 16 / 9,
  onDuration,
  children,
  'data-testid': testId = 'video-thumbnail',
}: VideoThumbnailProps) {
  const [failed, setFailed] = useState<string | null>(null);
  const url = src && failed !== src ? src : null;
  return (
    <Box
      w={width}
      h={Math.round(width * ratio)}
      data-testid={testId}
      data-loaded={url ? undefined : 'placeholder'}
      pos="relative"
      style={{
        flexShrink: 0,
        borderRadius: 'var(--mantine-radius-sm)',
        overflow: 'hidden',
        background: 'var(--mantine-color-default-hover)',
        border: '1px solid var(--mantine-color-default-border)',
      }}
    >
      {url ? (
        <video
          // The media fragment makes the browser fetch and show the frame at 0.5 s, past a black start.
          src={`${url}#t=0.5`}
          preload="metadata"
          muted
          playsInline
          tabIndex={-1}
          aria-hidden
          onLoadedMetadata={(e) => {
            const seconds = e.currentTarget.duration;
            onDuration?.(Number.isFinite(seconds) ? seconds : null);
          }}
          onError={() => {
            setFailed(url);
            onDuration?.(null);
          }}
          style={{ width: '100%', height: '100%', objectFit: 'cover', display: 'block' }}
        />
      ) : (
        <Center h="100%" c="dimmed">
          <IconMovie size={Math.round(Math.min(width, width * ratio) / 2)} stroke={1.5} aria-hidden />
        </Center>
      )}
      {children}
    </Box>
  );
}
