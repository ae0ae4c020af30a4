// Secrets at rest: AES-256-GCM when SECRETS_KEY is configured; plain JSON otherwise.
// Rotation: values sealed with SECRETS_KEY_PREVIOUS still open; every write seals with SECRETS_KEY.
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';

const keyOf = (secret: string) => createHash('sha256').update(secret).digest();

export class Sealer {
  private readonly key?: Buffer;
  private readonly previous?: Buffer;

  constructor(secret: string | undefined, previousSecret?: string) {
    this.key = secret ? keyOf(secret) : undefined;
    this.previous = previousSecret ? keyOf(previousSecret) : undefined;
  }

  /** True when values are encrypted (SECRETS_KEY set). */
  get sealing(): boolean {
    return this.key !== undefined;
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
    if (!this.key && !this.previous) throw new Error('A sealed value needs SECRETS_KEY to be opened.');
    const raw = Buffer.from(sealed.slice(4), 'base64');
    for (const key of [this.key, this.previous]) {
      if (!key) continue;
      try {
        return JSON.parse(decrypt(key, raw)) as T;
      } catch {
        // GCM authentication failed: not this key; try the next one.
      }
    }
    throw new Error('A sealed value opens with neither SECRETS_KEY nor SECRETS_KEY_PREVIOUS.');
  }
}

function decrypt(key: Buffer, raw: Buffer): string {
  const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
  decipher.setAuthTag(raw.subarray(12, 28));
  return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
}
