import { describe, expect, it } from 'vitest';
import { optionsFromArgs } from './cli-options.ts';
import { SandboxConfigError, parseSandboxOptions } from './options.ts';

describe('CLI flags (architecture §6)', () => {
  it('maps every kept flag name to its option, repeatable ones to lists', () => {
    const options = optionsFromArgs([
      '--port',
      '4011',
      '--client-key',
      'key1',
      '--client-secret',
      'secret1',
      '--redirect-uri',
      'http://localhost:3000/cb',
      '--redirect-uri',
      'https://app.example.com/cb',
      '--verified-prefix',
      'https://media.example.com/',
      '--audited',
      '--allow-http-pull',
      '--access-ttl',
      '60',
      '--refresh-ttl',
      '120',
      '--processing-delay-ms',
      '0',
    ]);
    expect(options).toEqual({
      port: 4011,
      clientKey: 'key1',
      clientSecret: 'secret1',
      redirectUri: ['http://localhost:3000/cb', 'https://app.example.com/cb'],
      verifiedPrefix: ['https://media.example.com/'],
      audited: true,
      allowHttpPull: true,
      accessTtl: 60,
      refreshTtl: 120,
      processingDelayMs: 0,
    });
  });

  it('lets flags win over the config file', () => {
    const options = optionsFromArgs(['--port', '5000'], { port: 4000, clientKey: 'from-file' });
    expect(options).toMatchObject({ port: 5000, clientKey: 'from-file' });
  });

  it('rejects a non-numeric number flag and an unknown flag', () => {
    expect(() => optionsFromArgs(['--access-ttl', 'soon'])).toThrow(SandboxConfigError);
    expect(() => optionsFromArgs(['--no-such-flag'])).toThrow();
  });
});

describe('option validation', () => {
  it('names every bad setting at once', () => {
    let message = '';
    try {
      parseSandboxOptions({
        redirectUri: ['http://evil.example.com/cb', 'https://ok.example.com/cb?x=1'],
        verifiedPrefix: ['https://media.example.com'],
      });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('http://evil.example.com/cb: must be https');
    expect(message).toContain('must have no query or fragment');
    expect(message).toContain('must end with "/"');
  });

  it('rejects unknown keys, as a typo in a config file would be', () => {
    expect(() => parseSandboxOptions({ acessTtl: 5 })).toThrow(/acessTtl|Unrecognized/);
  });
});
