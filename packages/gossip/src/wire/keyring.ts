// AES-GCM as memberlist frames it, with a keyring: the first key encrypts, every key is
// tried on receive (keys rotate through Serf's install-key / use-key / remove-key queries).
// Version byte 1 = plain GCM (what every peer at protocol >= 2 sends); version 0 = the
// legacy form with PKCS7 padding inside GCM, accepted on receive only.
import { WireError } from "./errors.js";

/** node:crypto, loaded on first use: an agent without keys never pays its ~2 MiB of RSS. */
const nodeCrypto = () => process.getBuiltinModule("node:crypto");

export const ENCRYPTION_VERSION = 1;
const NONCE_SIZE = 12;
const TAG_SIZE = 16;
/** Bytes added to a packet by encryption: version + nonce + tag. */
export const ENCRYPTION_OVERHEAD = 1 + NONCE_SIZE + TAG_SIZE;

export type NonceSource = (n: number) => Uint8Array;

export class Keyring {
  private keys: Uint8Array[];
  constructor(keys: readonly Uint8Array[]) {
    for (const k of keys) Keyring.check(k);
    this.keys = keys.map((k) => Uint8Array.from(k));
  }
  static check(key: Uint8Array): void {
    if (key.length !== 16 && key.length !== 24 && key.length !== 32) {
      throw new RangeError(`key size must be 16, 24 or 32 bytes, got ${key.length}`);
    }
  }
  static fromBase64(keys: readonly string[]): Keyring {
    return new Keyring(keys.map((k) => Buffer.from(k, "base64")));
  }
  get primary(): Uint8Array | undefined {
    return this.keys[0];
  }
  all(): readonly Uint8Array[] {
    return this.keys;
  }
  /** Adds a key (not primary). No-op when present. */
  install(key: Uint8Array): void {
    Keyring.check(key);
    if (!this.keys.some((k) => equal(k, key))) this.keys.push(Uint8Array.from(key));
  }
  use(key: Uint8Array): boolean {
    const i = this.keys.findIndex((k) => equal(k, key));
    if (i < 0) return false;
    const [k] = this.keys.splice(i, 1);
    this.keys.unshift(k as Uint8Array);
    return true;
  }
  /** Removes a non-primary key; refuses the primary (Serf's rule). */
  remove(key: Uint8Array): boolean {
    const i = this.keys.findIndex((k) => equal(k, key));
    if (i <= 0) return false;
    this.keys.splice(i, 1);
    return true;
  }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function algo(key: Uint8Array): "aes-128-gcm" | "aes-192-gcm" | "aes-256-gcm" {
  return key.length === 16 ? "aes-128-gcm" : key.length === 24 ? "aes-192-gcm" : "aes-256-gcm";
}

/** [vsn=1][nonce][ciphertext ‖ tag] under the primary key. */
export function encrypt(
  key: Uint8Array,
  plain: Uint8Array,
  aad: Uint8Array,
  nonce: Uint8Array = nodeCrypto().randomBytes(NONCE_SIZE),
): Uint8Array {
  const c = nodeCrypto().createCipheriv(algo(key), key, nonce);
  if (aad.length > 0) c.setAAD(aad);
  const body = c.update(plain);
  c.final();
  const out = new Uint8Array(ENCRYPTION_OVERHEAD + plain.length);
  out[0] = ENCRYPTION_VERSION;
  out.set(nonce, 1);
  out.set(body, 1 + NONCE_SIZE);
  out.set(c.getAuthTag(), 1 + NONCE_SIZE + body.length);
  return out;
}

/** Tries every key; DECRYPT_FAILED when none authenticates. */
export function decrypt(keys: readonly Uint8Array[], data: Uint8Array, aad: Uint8Array): Uint8Array {
  if (data.length < ENCRYPTION_OVERHEAD) throw new WireError("DECRYPT_FAILED", "payload too small");
  const vsn = data[0];
  if (vsn !== 0 && vsn !== 1) throw new WireError("DECRYPT_FAILED", `unknown encryption version ${vsn}`);
  const nonce = data.subarray(1, 1 + NONCE_SIZE);
  const ct = data.subarray(1 + NONCE_SIZE, data.length - TAG_SIZE);
  const tag = data.subarray(data.length - TAG_SIZE);
  for (const key of keys) {
    try {
      const d = nodeCrypto().createDecipheriv(algo(key), key, nonce);
      d.setAuthTag(tag);
      if (aad.length > 0) d.setAAD(aad);
      const a = d.update(ct);
      const b = d.final();
      const plain = b.length > 0 ? Buffer.concat([a, b]) : a;
      return vsn === 0 ? unpad(plain) : new Uint8Array(plain.buffer, plain.byteOffset, plain.length);
    } catch {
      // wrong key: try the next one
    }
  }
  throw new WireError("DECRYPT_FAILED", "no installed key opens the message");
}

function unpad(b: Uint8Array): Uint8Array {
  const n = b[b.length - 1];
  if (n === undefined || n === 0 || n > 16 || n > b.length)
    throw new WireError("DECRYPT_FAILED", "bad padding");
  return b.subarray(0, b.length - n);
}
