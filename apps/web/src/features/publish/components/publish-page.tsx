/**
 * `/publish`: pick one of your connected TikTok accounts, then the publish form for it. The chosen
 * account lives in the URL (`?account=<id>`), so links from the accounts screen land on it; without
 * one, the account last published from in this browser (or the only one) is chosen. The history's
 * "Try again with the same settings" arrives with the earlier post's settings in the route state.
 */
import type { SocialAccount } from '@cliprelay/contract';
import { Alert, Avatar, Button, Card, Group, Select, Skeleton, Stack, Text, Title } from '@mantine/core';
import { IconArrowUp, IconPlugConnected } from '@tabler/icons-react';
import { useEffect, useState } from 'react';
import { Link, useLocation, useSearchParams } from 'react-router';
import { accountLabel, useSocialAccounts } from '../../../api/social-accounts.ts';
import { describeApiError } from '../../../lib/describe-api-error.ts';
import { readPublishDraft } from '../../../lib/publish-draft.ts';
import { lastPublishAccount, rememberPublishAccount } from '../utils/last-account.ts';
import { PublishForm } from './publish-form.tsx';

export function PublishPage() {
  const [params, setParams] = useSearchParams();
  const location = useLocation();
  const accounts = useSocialAccounts();
  const active = (accounts.data ?? []).filter((a) => a.status === 'active');
  const requested = params.get('account');
  // Without one in the URL: the account last published from in this browser, else the only one.
  const remembered = lastPublishAccount();
  const accountId =
    requested ??
    active.find((a) => a.id === remembered)?.id ??
    (active.length === 1 ? (active[0]?.id ?? null) : null);
  const account = accounts.data?.find((a) => a.id === accountId) ?? null;
  // While a video is on its way, the account cannot change (that would abandon the upload).
  const [busy, setBusy] = useState(false);
  // "Try again with the same settings" from the history: the earlier post's settings.
  const draft = readPublishDraft(location.state);

  const usable = account?.status === 'active' ? account.id : null;
  useEffect(() => {
    if (usable) rememberPublishAccount(usable);
  }, [usable]);

  return (
    <Stack gap="lg" py="md">
      <div>
        <Title order={1} size="h2">
          Publish to TikTok
        </Title>
        <Text c="dimmed" size="sm">
          Choose the account, the video and how it appears on TikTok.
        </Text>
      </div>

      {accounts.isPending ? (
        <Skeleton h={56} radius="md" aria-label="Loading your TikTok accounts" />
      ) : accounts.isError ? (
        <Alert color="red" role="alert" title="Your TikTok accounts could not be loaded">
          <Text size="sm">{describeApiError(accounts.error).message}</Text>
          <Button mt="sm" variant="light" color="red" onClick={() => void accounts.refetch()}>
            Try again
          </Button>
        </Alert>
      ) : accounts.data.length === 0 ? (
        <NoAccounts />
      ) : (
        <>
          <AccountPicker
            accounts={accounts.data}
            value={accountId}
            disabled={busy}
            onChange={(id) => setParams(id ? { account: id } : {}, { replace: true })}
          />
          {accountId && !account && (
            <NotConnected message="This TikTok account is not connected to Cliprelay. Choose another one, or connect it on the Accounts screen." />
          )}
          {account?.status === 'reconnect_required' && (
            <NotConnected
              title={describeApiError('ACCOUNT_RECONNECT_REQUIRED').title}
              message={describeApiError('ACCOUNT_RECONNECT_REQUIRED').message}
            />
          )}
          {!accountId && <ChooseAccountHint count={active.length} />}
          {account?.status === 'active' && (
            <PublishForm key={account.id} account={account} draft={draft} onBusyChange={setBusy} />
          )}
        </>
      )}
    </Stack>
  );
}

function AccountPicker({
  accounts,
  value,
  disabled,
  onChange,
}: {
  accounts: SocialAccount[];
  value: string | null;
  disabled: boolean;
  onChange: (id: string | null) => void;
}) {
  const byId = new Map(accounts.map((a) => [a.id, a]));
  const selected = value ? byId.get(value) : undefined;
  return (
    <Select
      label="TikTok account"
      description="The video is posted to this account."
      placeholder="Choose an account"
      data={accounts.map((a) => ({
        value: a.id,
        label: `${accountLabel(a)}${a.username ? ` (@${a.username})` : ''}${a.status === 'reconnect_required' ? ' — reconnect needed' : ''}`,
      }))}
      value={selected ? value : null}
      onChange={onChange}
      allowDeselect={false}
      disabled={disabled}
      maw={480}
      leftSection={
        selected ? <Avatar src={selected.avatar_url} name={accountLabel(selected)} size={22} /> : undefined
      }
      renderOption={({ option }) => {
        const a = byId.get(option.value);
        return (
          <Group gap="sm" wrap="nowrap">
            <Avatar src={a?.avatar_url} name={a ? accountLabel(a) : ''} size={26} />
            <Text size="sm">{option.label}</Text>
          </Group>
        );
      }}
    />
  );
}

/** Several accounts and none chosen yet: say what to do, where the form will be. */
function ChooseAccountHint({ count }: { count: number }) {
  return (
    <Card>
      <Group gap="sm" wrap="nowrap" align="flex-start">
        <IconArrowUp size={20} aria-hidden style={{ flexShrink: 0, marginTop: 2 }} />
        <Stack gap={4}>
          <Title order={2} size="h4">
            Choose the account to post to
          </Title>
          <Text size="sm" c="dimmed">
            {count > 1
              ? `You have ${count} TikTok accounts connected. Pick one above and the form for it appears here; next time it is chosen for you.`
              : 'Pick an account above and the form for it appears here.'}
          </Text>
        </Stack>
      </Group>
    </Card>
  );
}

function NoAccounts() {
  return (
    <Card>
      <Stack align="flex-start" gap="sm">
        <Title order={2} size="h4">
          Connect a TikTok account to start
        </Title>
        <Text size="sm" c="dimmed">
          Cliprelay posts to TikTok accounts you connect. It takes a minute: you sign in on TikTok and allow
          access.
        </Text>
        <Button component={Link} to="/accounts" leftSection={<IconPlugConnected size={18} aria-hidden />}>
          Connect an account
        </Button>
      </Stack>
    </Card>
  );
}

function NotConnected({
  title = 'TikTok account not connected',
  message,
}: {
  title?: string;
  message: string;
}) {
  return (
    <Alert color="orange" title={title} role="alert">
      <Text size="sm">{message}</Text>
      <Button component={Link} to="/accounts" mt="sm" variant="light" color="orange">
        Go to Accounts
      </Button>
    </Alert>
  );
}
