/**
 * Adding a video to the media library: a link to a video already on Cliprelay's media server and
 * a title, sent to POST /media. The browser checks only that both are there and the title's length
 * (the contract's limit); the server is the authority on the link, and its refusals appear at the
 * field they are about, in its words.
 */
import { TITLE_MAX_LENGTH, titleLength, type MediaItem } from '@cliprelay/contract';
import { Alert, Button, Group, Stack, TextInput } from '@mantine/core';
import { useForm } from '@mantine/form';
import { IconAlertTriangle, IconLink } from '@tabler/icons-react';
import { mediaFormErrors, useAddMedia } from '../api/add-media.ts';

interface AddMediaValues {
  url: string;
  title: string;
}

export function AddMediaForm({
  onAdded,
  onCancel,
}: {
  onAdded: (media: MediaItem) => void;
  onCancel: () => void;
}) {
  const add = useAddMedia();
  const form = useForm<AddMediaValues>({
    initialValues: { url: '', title: '' },
    validate: {
      url: (value) => (value.trim() ? null : 'Paste the link to the video.'),
      title: (value, values) =>
        !value.trim() && !titleFromUrl(values.url)
          ? 'Give the video a title, so you can find it in the library.'
          : titleLength(value.trim()) > TITLE_MAX_LENGTH
            ? `The title can be at most ${TITLE_MAX_LENGTH} characters.`
            : null,
    },
  });
  // Without a title of the user's own, the file's name: "city-walk.mp4" → "City walk".
  const suggestedTitle = titleFromUrl(form.values.url);
  const formError = add.isError ? mediaFormErrors(add.error).form : null;

  const submit = form.onSubmit((values) => {
    add.mutate(
      { url: values.url.trim(), title: values.title.trim() || (titleFromUrl(values.url) ?? '') },
      {
        onSuccess: (media) => onAdded(media),
        onError: (error) => form.setErrors(mediaFormErrors(error).fields),
      },
    );
  });

  return (
    <form onSubmit={submit} noValidate aria-label="Add a video">
      <Stack gap="md">
        <TextInput
          label="Video link"
          description="The video's address on Cliprelay's media server. TikTok downloads it from there when you publish."
          placeholder="https://…/video.mp4"
          type="url"
          inputMode="url"
          autoComplete="off"
          spellCheck={false}
          required
          data-autofocus
          leftSection={<IconLink size={16} aria-hidden />}
          {...form.getInputProps('url')}
        />
        <TextInput
          label="Title"
          description={
            suggestedTitle
              ? 'How the video is listed in your library. Leave it empty to use the file’s name.'
              : 'How the video is listed in your library.'
          }
          placeholder={suggestedTitle ?? 'e.g. City walk'}
          required={!suggestedTitle}
          maxLength={TITLE_MAX_LENGTH}
          {...form.getInputProps('title')}
        />
        {formError && (
          <Alert color="red" icon={<IconAlertTriangle aria-hidden />} role="alert" p="sm">
            {formError}
          </Alert>
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={onCancel} disabled={add.isPending}>
            Cancel
          </Button>
          <Button type="submit" loading={add.isPending}>
            Add to library
          </Button>
        </Group>
      </Stack>
    </form>
  );
}

/** A readable title from the last part of a link's path, or null when it has none. */
export function titleFromUrl(raw: string): string | null {
  let name: string;
  try {
    name = decodeURIComponent(new URL(raw.trim()).pathname.split('/').pop() ?? '');
  } catch {
    return null;
  }
  const words = name
    .replace(/\.[a-z0-9]{2,4}$/i, '')
    .replace(/[-_.]+/g, ' ')
    .trim();
  if (!words) return null;
  return (words.charAt(0).toUpperCase() + words.slice(1)).slice(0, TITLE_MAX_LENGTH);
}
