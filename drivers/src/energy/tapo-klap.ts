import { createCipheriv, createDecipheriv, createHash } from 'node:crypto';

/**
 * TP-Link's KLAP transport (v2, Tapo firmware 1.1 and later), the pure part: hashes of the two-step handshake and
 * the per-request AES-128-CBC encryption. The device proves it knows the account first (handshake1), then the
 * client does (handshake2); both derive a key, an IV prefix, a signing key and a sequence number from the two
 * seeds and the account hash.
 */

const sha256 = (...parts: Buffer[]) => createHash('sha256').update(Buffer.concat(parts)).digest();
const sha1 = (b: Buffer) => createHash('sha1').update(b).digest();

/** sha256(sha1(username) + sha1(password)): the account hash both sides know. */
export function klapAuthHash(username: string, password: string): Buffer {
  return sha256(sha1(Buffer.from(username, 'utf8')), sha1(Buffer.from(password, 'utf8')));
}

/** What the device sends after its seed in handshake1. */
export function klapServerProof(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): Buffer {
  return sha256(localSeed, remoteSeed, authHash);
}

/** What the client sends in handshake2. */
export function klapClientProof(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer): Buffer {
  return sha256(remoteSeed, localSeed, authHash);
}

function int32(seq: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeInt32BE(seq);
  return b;
}

/** The encryption of one session; `encrypt` advances the sequence number, as the device expects. */
export class KlapSession {
  private readonly key: Buffer;
  private readonly ivPrefix: Buffer;
  private readonly signingKey: Buffer;
  private seqNumber: number;

  constructor(localSeed: Buffer, remoteSeed: Buffer, authHash: Buffer) {
    this.key = sha256(Buffer.from('lsk'), localSeed, remoteSeed, authHash).subarray(0, 16);
    const iv = sha256(Buffer.from('iv'), localSeed, remoteSeed, authHash);
    this.ivPrefix = iv.subarray(0, 12);
    this.seqNumber = iv.readInt32BE(28);
    this.signingKey = sha256(Buffer.from('ldk'), localSeed, remoteSeed, authHash).subarray(0, 28);
  }

  get seq(): number {
    return this.seqNumber;
  }

  /** Encrypts a request: signature (32 bytes) + ciphertext, under the next sequence number. */
  encrypt(plaintext: string): { body: Buffer; seq: number } {
    // The device keeps the sequence as a signed 32-bit integer.
    this.seqNumber = this.seqNumber === 0x7fffffff ? -0x80000000 : this.seqNumber + 1;
    const seq = this.seqNumber;
    const cipher = createCipheriv('aes-128-cbc', this.key, Buffer.concat([this.ivPrefix, int32(seq)]));
    const ciphertext = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    const signature = sha256(this.signingKey, int32(seq), ciphertext);
    return { body: Buffer.concat([signature, ciphertext]), seq };
  }

  /** Decrypts the answer to the request sent under `seq` (its first 32 bytes are a signature). */
  decrypt(body: Buffer, seq: number): string {
    const decipher = createDecipheriv('aes-128-cbc', this.key, Buffer.concat([this.ivPrefix, int32(seq)]));
    return Buffer.concat([decipher.update(body.subarray(32)), decipher.final()]).toString('utf8');
  }
}
