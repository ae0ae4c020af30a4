// Secrets at rest: AES-256-GCM when SECRETS_KEY is configured; plain JSON otherwise.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

export class Sealer {
  private readonly key?: Buffer;

  constructor(secret: string | undefined) {
    this.key = secret ? createHash('sha256').update(secret).digest() : undefined;
  }

  seal(value: unknown): string {
    const plain = JSON.stringify(value);
    if (!this.key) return `plain:${plain}`;
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.key, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return `gcm:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
  }

  open<T>(sealed: string): T {
    if (sealed.startsWith('plain:')) return JSON.parse(sealed.slice(6)) as T;
    if (!this.key) throw new Error('A sealed run spec needs SECRETS_KEY to be opened.');
    const raw = Buffer.from(sealed.slice(4), 'base64');
    const decipher = createDecipheriv('aes-256-gcm', this.key, raw.subarray(0, 12));
    decipher.setAuthTag(raw.subarray(12, 28));
    return JSON.parse(Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8')) as T;
  }
}
