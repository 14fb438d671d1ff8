export {
  startDevStack,
  PortInUseError,
  PART_NAMES,
  type DevStackOptions,
  type RunningDevStack,
  type StackPart,
} from './stack.ts';
export {
  startMediaHost,
  sampleVideos,
  MEDIA_DIR,
  type RunningMediaHost,
  type SampleVideo,
} from './media-host.ts';
export {
  buildWebApp,
  startWebHost,
  webAppNeedsBuild,
  WEB_DIST_DIR,
  type RunningWebHost,
  type WebAppConfig,
} from './web-app.ts';
export { signIn, sandboxControl, createCreator, connectAccount, addSampleMedia } from './seed.ts';
