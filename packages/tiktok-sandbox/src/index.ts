export { startSandbox, type RunningSandbox } from './server.ts';
export {
  parseSandboxOptions,
  SandboxConfigError,
  type SandboxOptions,
  type SandboxOptionsInput,
  type CreatorInput,
} from './options.ts';
