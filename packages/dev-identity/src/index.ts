export { startDevIdentity, PortInUseError, type RunningDevIdentity } from './server.ts';
export {
  headlessLogin,
  HeadlessLoginError,
  DEFAULT_LOGIN_SCOPE,
  type HeadlessLoginOptions,
  type HeadlessLoginTokens,
} from './headless-login.ts';
export {
  parseDevIdentityOptions,
  webClient,
  DevIdentityConfigError,
  DEFAULT_AUDIENCE,
  DEFAULT_CLIENT_ID,
  DEFAULT_PORT,
  DEFAULT_USERS,
  DEFAULT_WEB_ORIGIN,
  type DevClient,
  type DevIdentityOptions,
  type DevUser,
} from './options.ts';
