import type { SocialAccount } from '@cliprelay/contract';
import { Avatar, Badge, Button, Card, Group, Stack, Text, Title } from '@mantine/core';
import {
  IconAlertTriangle,
  IconCircleCheck,
  IconPlugConnectedX,
  IconRefresh,
  IconUpload,
} from '@tabler/icons-react';
import { Link } from 'react-router';
import { accountLabel } from '../../../api/social-accounts.ts';
import { describeApiError } from '../../../lib/describe-api-error.ts';

export interface AccountCardProps {
  account: SocialAccount;
  onReconnect: () => void;
  reconnecting: boolean;
  onDisconnect: () => void;
}

/** One linked TikTok account: who it is, whether it can post, and what the user can do with it. */
export function AccountCard({ account, onReconnect, reconnecting, onDisconnect }: AccountCardProps) {
  const label = accountLabel(account);
  const active = account.status === 'active';
  const titleId = `account-${account.id}-name`;

  return (
    <Card component="li" aria-labelledby={titleId} style={{ listStyle: 'none' }}>
      <Stack gap="md" h="100%">
        <Group gap="md" wrap="nowrap" align="flex-start">
          <Avatar
            src={account.avatar_url}
            alt=""
            name={account.display_name ?? account.username ?? 'TikTok'}
            color="initials"
            size={56}
          />
          <Stack gap={4} style={{ minWidth: 0 }}>
            <Title id={titleId} order={2} size="h4" lineClamp={2} style={{ overflowWrap: 'anywhere' }}>
              {label}
            </Title>
            {account.username && account.display_name && (
              <Text size="sm" c="dimmed" truncate>
                @{account.username}
              </Text>
            )}
            <Group gap="xs">
              {active ? (
                <Badge color="teal" variant="light" leftSection={<IconCircleCheck size={12} aria-hidden />}>
                  Connected
                </Badge>
              ) : (
                <Badge
                  color="orange"
                  variant="light"
                  leftSection={<IconAlertTriangle size={12} aria-hidden />}
                >
                  Reconnect needed
                </Badge>
              )}
            </Group>
          </Stack>
        </Group>

        <Text size="sm" c="dimmed" style={{ flexGrow: 1 }}>
          {active
            ? 'Ready to publish. Cliprelay can post videos to this account.'
            : describeApiError('ACCOUNT_RECONNECT_REQUIRED').message}
        </Text>

        <Group gap="sm">
          {active ? (
            <Button
              component={Link}
              to={`/publish?account=${encodeURIComponent(account.id)}`}
              leftSection={<IconUpload size={16} aria-hidden />}
              aria-label={`Publish to ${label}`}
            >
              Publish
            </Button>
          ) : (
            <Button
              leftSection={<IconRefresh size={16} aria-hidden />}
              loading={reconnecting}
              onClick={onReconnect}
              aria-label={`Reconnect ${label}`}
            >
              Reconnect
            </Button>
          )}
          <Button
            variant="default"
            c="red.7"
            leftSection={<IconPlugConnectedX size={16} aria-hidden />}
            onClick={onDisconnect}
            aria-label={`Disconnect ${label}`}
          >
            Disconnect
          </Button>
        </Group>
      </Stack>
    </Card>
  );
}
