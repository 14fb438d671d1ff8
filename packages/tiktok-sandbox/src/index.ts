export { startSandbox, type RunningSandbox } from './server.ts';
export {
  parseSandboxOptions,
  SandboxConfigError,
  type SandboxOptions,
  type SandboxOptionsInput,
  type CreatorInput,
} from './options.ts';
export {
  SandboxControl,
  SandboxControlError,
  type SandboxClockInput,
  type SandboxConsentInput,
  type SandboxConsentResult,
  type SandboxCreator,
  type SandboxCreatorInput,
  type SandboxCreatorUpdate,
  type SandboxPublish,
  type SandboxFault,
  type SandboxFaultInput,
  type SandboxToken,
  type SandboxTokenIssueInput,
  type SandboxTokenResponse,
  type SandboxWebhookDelivery,
  type SandboxDeauthorizeInput,
  type SandboxCalls,
} from './control-client.ts';
export { signWebhook } from './webhooks.ts';
