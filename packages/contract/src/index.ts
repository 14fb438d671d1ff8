export * from './limits.ts';
export * from './error-codes.ts';
export * from './api-types.ts';
export * from './tiktok-errors.ts';
export * from './error-messages.ts';
export * from './format.ts';
export * from './creator-rules.ts';
