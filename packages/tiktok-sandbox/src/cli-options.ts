/** Command-line flags → startSandbox() options; flags win over the config file's keys. */
import { parseArgs } from 'node:util';
import { SandboxConfigError, type SandboxOptionsInput } from './options.ts';

const NUMBER_FLAGS = [
  'port',
  'access-ttl',
  'refresh-ttl',
  'code-ttl',
  'upload-url-ttl',
  'processing-delay-ms',
  'moderation-delay-ms',
  'daily-post-cap',
  'active-user-cap',
  'pull-max-bytes',
  'pull-timeout-ms',
  'oauth-error-status',
  'webhook-retry-base-ms',
  'webhook-retry-for-ms',
  'webhook-timeout-ms',
] as const;
const STRING_FLAGS = [
  'state-file',
  'host',
  'public-url',
  'client-key',
  'client-secret',
  'chunk-rules',
  'data-dir',
  'webhook-url',
] as const;
const LIST_FLAGS = {
  'redirect-uri': 'redirectUri',
  'verified-prefix': 'verifiedPrefix',
  scope: 'scopes',
} as const;
const BOOLEAN_FLAGS = ['audited', 'allow-http-pull', 'error-data', 'log-requests'] as const;

function camel(flag: string): string {
  return flag.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

export function optionsFromArgs(
  args: string[],
  fileOptions: Record<string, unknown> = {},
): SandboxOptionsInput {
  const { values } = parseArgs({
    args,
    strict: true,
    options: {
      ...Object.fromEntries([...NUMBER_FLAGS, ...STRING_FLAGS].map((f) => [f, { type: 'string' as const }])),
      ...Object.fromEntries(
        Object.keys(LIST_FLAGS).map((f) => [f, { type: 'string' as const, multiple: true }]),
      ),
      ...Object.fromEntries(BOOLEAN_FLAGS.map((f) => [f, { type: 'boolean' as const }])),
      config: { type: 'string' },
      help: { type: 'boolean' },
    },
  });
  const flags = values as Record<string, string | string[] | boolean | undefined>;
  const options: Record<string, unknown> = { ...fileOptions };
  for (const flag of NUMBER_FLAGS) {
    const value = flags[flag];
    if (typeof value !== 'string') continue;
    const n = Number(value);
    if (!Number.isFinite(n)) throw new SandboxConfigError(`--${flag} must be a number, got "${value}"`);
    options[camel(flag)] = n;
  }
  for (const flag of STRING_FLAGS) if (typeof flags[flag] === 'string') options[camel(flag)] = flags[flag];
  for (const [flag, key] of Object.entries(LIST_FLAGS)) {
    const list = flags[flag];
    if (Array.isArray(list) && list.length > 0) options[key] = list;
  }
  for (const flag of BOOLEAN_FLAGS) if (flags[flag] === true) options[camel(flag)] = true;
  return options;
}
