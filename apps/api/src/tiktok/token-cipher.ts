import { Injectable } from '@nestjs/common';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { AppConfig } from '../config/config.ts';
import { InjectConfig } from '../config/config.module.ts';

const VERSION = 'v1';
const AAD = Buffer.from('cliprelay:tiktok-token:v1');

/**
 * AES-256-GCM for TikTok tokens at rest: `v1.<iv>.<tag>.<ciphertext>` (base64url). The one place
 * tokens are encrypted and decrypted; a wrong key or a tampered value fails loudly.
 */
@Injectable()
export class TokenCipher {
  private readonly key: Buffer;

  constructor(@InjectConfig() config: AppConfig) {
    this.key = config.tokenEncryptionKey;
  }

  encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    cipher.setAAD(AAD);
    const ct = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return [VERSION, iv, cipher.getAuthTag(), ct]
      .map((p) => (typeof p === 'string' ? p : p.toString('base64url')))
      .join('.');
  }

  decrypt(sealed: string): string {
    const [version, iv, tag, ct] = sealed.split('.');
    if (version !== VERSION || !iv || !tag || ct === undefined)
      throw new Error('unreadable token ciphertext');
    const decipher = createDecipheriv('aes-256-gcm', this.key, Buffer.from(iv, 'base64url'));
    decipher.setAAD(AAD);
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ct, 'base64url')), decipher.final()]).toString('utf8');
  }
}
