import type { SocialAccount } from '@cliprelay/contract';
import { Button, Group, Modal, Stack, Text } from '@mantine/core';
import { ErrorAlert } from '../../../components/error-alert.tsx';
import { useDisconnectAccount } from '../api/disconnect-account.ts';
import { describeApiError } from '../../../lib/describe-api-error.ts';

export interface DisconnectModalProps {
  /** The account to disconnect; kept while the modal closes so its text does not vanish. */
  account: SocialAccount | null;
  opened: boolean;
  onClose: () => void;
  onDisconnected: (account: SocialAccount) => void;
}

/** The name the confirmation uses: @username when known, else the nickname. */
export function handleOf(account: Pick<SocialAccount, 'username' | 'display_name'>): string {
  return account.username ? `@${account.username}` : (account.display_name ?? 'this TikTok account');
}

/** Asks before disconnecting; shows why it failed, in place, when it did. */
export function DisconnectModal({ account, opened, onClose, onDisconnected }: DisconnectModalProps) {
  const disconnect = useDisconnectAccount();
  const handle = account ? handleOf(account) : '';
  const close = () => {
    if (disconnect.isPending) return;
    disconnect.reset();
    onClose();
  };
  const confirm = () => {
    if (!account) return;
    disconnect.mutate(account.id, {
      onSuccess: () => {
        disconnect.reset();
        onDisconnected(account);
      },
    });
  };
  const failure = disconnect.isError ? describeApiError(disconnect.error) : null;

  return (
    <Modal opened={opened} onClose={close} title={`Disconnect ${handle}?`} centered>
      <Stack gap="md">
        <Text size="sm">
          Cliprelay will no longer be able to post to this account. Your publish history stays.
        </Text>
        {failure && (
          <ErrorAlert
            title="The account was not disconnected"
            message={
              failure.retryable
                ? failure.message
                : `${failure.message} Close this window to see your up-to-date accounts.`
            }
          />
        )}
        <Group justify="flex-end" gap="sm">
          <Button variant="default" onClick={close} disabled={disconnect.isPending}>
            Cancel
          </Button>
          <Button color="red" onClick={confirm} loading={disconnect.isPending}>
            Disconnect
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
