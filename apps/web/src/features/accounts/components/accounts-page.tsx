import type { SocialAccount } from '@cliprelay/contract';
import {
  Alert,
  Box,
  Button,
  Card,
  EmptyState,
  Group,
  SimpleGrid,
  Skeleton,
  Stack,
  VisuallyHidden,
} from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { IconBrandTiktok, IconCircleCheck, IconPlus } from '@tabler/icons-react';
import { useState } from 'react';
import { useSocialAccounts } from '../../../api/social-accounts.ts';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { PageHeader } from '../../../components/page-header.tsx';
import { useConnectAccount } from '../api/connect-account.ts';
import { useConnectOutcome } from '../hooks/use-connect-outcome.ts';
import { describeApiError } from '../../../lib/describe-api-error.ts';
import { AccountCard } from './account-card.tsx';
import { ConnectOutcomeAlert } from './connect-outcome-alert.tsx';
import { DisconnectModal, handleOf } from './disconnect-modal.tsx';

/** `/accounts`: the user's TikTok accounts; connect, reconnect and disconnect them. */
export function AccountsPage() {
  const accounts = useSocialAccounts();
  const connect = useConnectAccount();
  const { outcome, dismiss } = useConnectOutcome();
  const [target, setTarget] = useState<SocialAccount | null>(null);
  const [modalOpened, modal] = useDisclosure(false);
  const [disconnected, setDisconnected] = useState<string | null>(null);

  const startConnect = (trigger: string) => connect.mutate({ trigger });
  const connecting = (trigger: string) => connect.isPending && connect.variables.trigger === trigger;
  const connectFailure = connect.isError ? describeApiError(connect.error) : null;
  const list = accounts.data;

  return (
    <Stack gap="lg" py="md">
      <PageHeader
        title="TikTok accounts"
        description="The TikTok accounts Cliprelay can post to. You confirm access on TikTok, and can disconnect at any time."
        actions={
          list && list.length > 0 ? (
            <Button
              leftSection={<IconPlus size={16} aria-hidden />}
              loading={connecting('header')}
              onClick={() => startConnect('header')}
            >
              Connect TikTok account
            </Button>
          ) : null
        }
      />

      {outcome && (
        <ConnectOutcomeAlert
          outcome={outcome}
          accounts={list}
          onDismiss={dismiss}
          onRetry={() => startConnect('outcome')}
          retrying={connecting('outcome')}
        />
      )}

      {connectFailure && (
        <ErrorAlert
          title="Could not start connecting to TikTok"
          message={connectFailure.message}
          onRetry={
            connectFailure.retryable ? () => startConnect(connect.variables?.trigger ?? 'retry') : undefined
          }
          retrying={connect.isPending}
          onClose={() => connect.reset()}
        />
      )}

      <Box aria-live="polite">
        {disconnected && (
          <Alert
            color="teal"
            title="Account disconnected"
            icon={<IconCircleCheck aria-hidden />}
            withCloseButton
            closeButtonLabel="Dismiss"
            onClose={() => setDisconnected(null)}
          >
            Disconnected {disconnected}. Cliprelay can no longer post to it; your publish history stays.
          </Alert>
        )}
      </Box>

      {accounts.isPending ? (
        <AccountsSkeleton />
      ) : accounts.isError ? (
        <ErrorAlert
          title="Could not load your TikTok accounts"
          message={describeApiError(accounts.error).message}
          onRetry={() => void accounts.refetch()}
          retrying={accounts.isFetching}
        />
      ) : accounts.data.length === 0 ? (
        <Card>
          <EmptyState icon={<IconBrandTiktok size={28} aria-hidden />} variant="light" py="lg">
            <EmptyState.Title order={2}>No TikTok account connected yet</EmptyState.Title>
            <EmptyState.Description>
              Connect your TikTok account to publish videos to it. You will confirm on TikTok, then come back
              here.
            </EmptyState.Description>
            <EmptyState.Actions>
              <Button
                leftSection={<IconPlus size={16} aria-hidden />}
                loading={connecting('empty')}
                onClick={() => startConnect('empty')}
              >
                Connect TikTok account
              </Button>
            </EmptyState.Actions>
          </EmptyState>
        </Card>
      ) : (
        <SimpleGrid
          component="ul"
          cols={{ base: 1, sm: 2 }}
          spacing="md"
          p={0}
          m={0}
          aria-label="Your TikTok accounts"
        >
          {accounts.data.map((account) => (
            <AccountCard
              key={account.id}
              account={account}
              onReconnect={() => startConnect(account.id)}
              reconnecting={connecting(account.id)}
              onDisconnect={() => {
                setTarget(account);
                setDisconnected(null);
                modal.open();
              }}
            />
          ))}
        </SimpleGrid>
      )}

      <DisconnectModal
        account={target}
        opened={modalOpened}
        onClose={modal.close}
        onDisconnected={(account) => {
          modal.close();
          setDisconnected(handleOf(account));
        }}
      />
    </Stack>
  );
}

function AccountsSkeleton() {
  return (
    <Box aria-busy="true">
      <VisuallyHidden role="status">Loading your TikTok accounts…</VisuallyHidden>
      <SimpleGrid cols={{ base: 1, sm: 2 }} spacing="md">
        {[0, 1].map((i) => (
          <Card key={i} aria-hidden>
            <Group gap="md" wrap="nowrap" align="flex-start">
              <Skeleton circle height={56} />
              <Stack gap={8} style={{ flex: 1 }}>
                <Skeleton height={18} width="60%" />
                <Skeleton height={12} width="40%" />
                <Skeleton height={18} width={90} radius="xl" />
              </Stack>
            </Group>
            <Skeleton height={12} mt="lg" />
            <Group gap="sm" mt="md">
              <Skeleton height={36} width={110} />
              <Skeleton height={36} width={130} />
            </Group>
          </Card>
        ))}
      </SimpleGrid>
    </Box>
  );
}
