// Typed wire errors. Decoders throw these internally; every entry point that takes bytes from
// the network catches them and turns them into a counted drop, never an exception that
// reaches the event loop.

export type WireErrorCode =
  | "TRUNCATED" // the bytes end before the value does (a stream reader waits for more)
  | "MALFORMED" // a byte sequence no Go peer can produce
  | "TOO_LARGE" // a declared length or count beyond the configured bound
  | "TOO_DEEP" // nesting beyond the bound
  | "BAD_FIELD" // a struct field of the wrong type
  | "UNKNOWN_TYPE" // a message type byte we do not know
  | "BAD_CRC"
  | "DECRYPT_FAILED" // no key in the keyring opens the packet
  | "NOT_ENCRYPTED" // plain packet while encryption is required
  | "LABEL_MISMATCH"
  | "DECOMPRESS_FAILED";

export class WireError extends Error {
  readonly code: WireErrorCode;
  constructor(code: WireErrorCode, message: string) {
    super(`${code}: ${message}`);
    this.name = "WireError";
    this.code = code;
  }
}

export function isWireError(e: unknown): e is WireError {
  return e instanceof WireError;
}
