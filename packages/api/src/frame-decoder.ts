/**
 * Splits a stream of concatenated JSON objects (`{...}{...}` or newline separated), the
 * shape of Nomad's `/v1/client/fs/logs` answer, into parsed objects as bytes arrive.
 * Text outside objects and objects that do not parse are dropped and counted, never thrown:
 * the stream comes from the network.
 */
export class JsonObjectStreamDecoder {
  /** Runs of text outside objects plus objects that failed to parse. */
  dropped = 0;
  private readonly text = new TextDecoder("utf-8");
  private buf = "";
  /** Where scanning resumes in `buf`. */
  private pos = 0;
  private depth = 0;
  private inString = false;
  private escaped = false;
  private inGarbage = false;

  constructor(private readonly maxObjectChars = 64 * 1024 * 1024) {}

  /** Feeds bytes (or text); returns every object completed by them, in order. */
  push(chunk: Uint8Array | string): unknown[] {
    this.buf += typeof chunk === "string" ? chunk : this.text.decode(chunk, { stream: true });
    return this.drain();
  }

  /** Signals the end of the stream; a dangling partial object counts as dropped. */
  end(): unknown[] {
    this.buf += this.text.decode();
    const out = this.drain();
    if (this.depth > 0 || this.buf.trim() !== "") this.dropped++;
    this.reset("");
    return out;
  }

  private drain(): unknown[] {
    const out: unknown[] = [];
    let start = this.depth > 0 ? 0 : -1;
    let i = this.pos;
    for (; i < this.buf.length; i++) {
      const c = this.buf.charCodeAt(i);
      if (this.depth === 0) {
        if (c === 0x7b /* { */) {
          this.depth = 1;
          this.inGarbage = false;
          start = i;
        } else if (!isSpace(c) && !this.inGarbage) {
          this.inGarbage = true;
          this.dropped++;
        }
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c /* \ */) this.escaped = true;
        else if (c === 0x22 /* " */) this.inString = false;
        continue;
      }
      if (c === 0x22) this.inString = true;
      else if (c === 0x7b || c === 0x5b) this.depth++;
      else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.depth === 0) {
          const raw = this.buf.slice(start, i + 1);
          try {
            out.push(JSON.parse(raw));
          } catch {
            this.dropped++;
          }
          start = -1;
        }
      }
    }
    // Keep only the unfinished object (if any) so memory stays bounded by one object.
    if (this.depth > 0 && start >= 0) {
      this.buf = this.buf.slice(start);
      this.pos = this.buf.length;
      if (this.buf.length > this.maxObjectChars) {
        this.dropped++;
        this.reset("");
        this.inGarbage = true;
      }
    } else {
      this.buf = "";
      this.pos = 0;
    }
    return out;
  }

  private reset(rest: string): void {
    this.buf = rest;
    this.pos = 0;
    this.depth = 0;
    this.inString = false;
    this.escaped = false;
  }
}

function isSpace(c: number): boolean {
  return c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09;
}
