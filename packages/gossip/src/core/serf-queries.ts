// Serf queries: a query is gossiped like an event (query clock, 512-slot ring de-duplicating
// by (LTime, ID)); each member whose filters match sends an ack and/or a response straight
// to the querier by UDP (optionally also through relays); the querier collects them on a
// handle until the deadline.
import { QueryFlag, encodeSerf, type QueryMsg, type SerfMessage } from "../wire/serf-messages.js";
import { bytesToIp, ipToBytes } from "./addr.js";
import type { LamportClock } from "./lamport.js";
import { randomInt, type Random } from "./prng.js";
import { CONFLICT_QUERY, encodeConflictResponse } from "./serf-conflict.js";
import { encodeQueryFilters, shouldProcessQuery } from "./serf-filters.js";
import { SerfError, type Member, type QueryHandle, type QueryOptions, type SerfEvent } from "./serf-types.js";
import type { Address } from "./types.js";

const QUERY_SIZE_LIMIT = 1024;
const QUERY_RESPONSE_SIZE_LIMIT = 1024;

/** What the query engine needs from the Serf node around it. */
export interface QueryContext {
  readonly name: string;
  readonly clock: LamportClock;
  readonly rng: Random;
  now(): number;
  tags(): Readonly<Record<string, string>>;
  advertiseAddress(): Address;
  sendUser(to: Address, payload: Uint8Array): void;
  /** Addresses of alive members that can relay (PMax >= 5), excluding `not`. */
  relayCandidates(not: readonly string[]): Address[];
  /** The member we know under `name` in any status (for `_serf_conflict` answers). */
  member(name: string): Member | undefined;
  emit(e: SerfEvent): void;
}

type QueryResponse = Extract<SerfMessage, { type: "queryResponse" }>;

export class SerfQueries {
  private readonly ring: ({ ltime: bigint; ids: number[] } | null)[];
  private readonly pending = new Map<bigint, QueryHandle>();

  constructor(
    private readonly ctx: QueryContext,
    ringSize: number,
  ) {
    this.ring = Array<{ ltime: bigint; ids: number[] } | null>(ringSize).fill(null);
  }

  /** Builds and registers a query; returns its handle and the bytes to gossip. */
  start(
    name: string,
    payload: Uint8Array,
    o: QueryOptions,
    timeoutMs: number,
  ): { handle: QueryHandle; raw: Uint8Array } {
    const local = this.ctx.advertiseAddress();
    const q: QueryMsg = {
      type: "query",
      ltime: this.ctx.clock.time(),
      id: randomInt(this.ctx.rng, 0x7fffffff),
      addr: ipToBytes(local.host),
      port: local.port,
      sourceNode: this.ctx.name,
      filters: encodeQueryFilters(o),
      flags: o.requestAck === true ? QueryFlag.ack : 0,
      relayFactor: o.relayFactor ?? 0,
      timeoutNs: BigInt(timeoutMs) * 1_000_000n,
      name,
      payload: payload.length === 0 ? null : payload,
    };
    const raw = encodeSerf(q);
    if (raw.length > QUERY_SIZE_LIMIT) {
      throw new SerfError("QUERY_TOO_LARGE", `query is ${raw.length} bytes, limit ${QUERY_SIZE_LIMIT}`);
    }
    this.ctx.clock.increment();
    const handle: QueryHandle = {
      id: q.id,
      ltime: q.ltime,
      deadlineMs: this.ctx.now() + timeoutMs,
      acks: new Set(),
      responses: new Map(),
      finished: false,
    };
    this.pending.set(q.ltime, handle);
    this.handle(q);
    return { handle, raw };
  }

  nextDeadlineMs(): number {
    let t = Infinity;
    for (const q of this.pending.values()) t = Math.min(t, q.deadlineMs);
    return t;
  }

  /** Closes the handles whose deadline passed. */
  expire(nowMs: number): void {
    for (const [lt, q] of [...this.pending]) {
      if (nowMs >= q.deadlineMs) {
        this.pending.delete(lt);
        q.finished = true;
        q.onFinish?.();
      }
    }
  }

  /** A query arrived (or we started one); returns whether to re-gossip it. */
  handle(q: QueryMsg): boolean {
    this.ctx.clock.witness(q.ltime);
    const size = BigInt(this.ring.length);
    const cur = this.ctx.clock.time();
    if (cur > size && q.ltime < cur - size) return false;
    const idx = Number(q.ltime % size);
    let seen = this.ring[idx] ?? null;
    if (seen !== null && seen.ltime === q.ltime) {
      if (seen.ids.includes(q.id)) return false;
    } else {
      seen = { ltime: q.ltime, ids: [] };
      this.ring[idx] = seen;
    }
    seen.ids.push(q.id);
    const rebroadcast = (q.flags & QueryFlag.noBroadcast) === 0;
    if (!shouldProcessQuery(q.filters, this.ctx.name, this.ctx.tags())) return rebroadcast;
    const to: Address = { host: bytesToIp(q.addr), port: q.port };
    const reply = (flags: number, payload: Uint8Array | null): QueryResponse => ({
      type: "queryResponse",
      ltime: q.ltime,
      id: q.id,
      from: this.ctx.name,
      flags,
      payload,
    });
    if ((q.flags & QueryFlag.ack) !== 0) this.send(q, to, reply(QueryFlag.ack, null));
    let responded = false;
    const respond = (payload: Uint8Array): void => {
      if (responded) return;
      const msg = reply(0, payload);
      if (encodeSerf(msg).length > QUERY_RESPONSE_SIZE_LIMIT) {
        throw new SerfError("RESPONSE_TOO_LARGE", "query response over 1024 bytes");
      }
      responded = true;
      this.send(q, to, msg);
    };
    // _serf_ping needs only the ack. _serf_conflict is answered here, as Serf does: with the
    // member we know under the payload's name (nil if none), except about ourselves (the
    // vote is about which claimant others know, so a claimant does not vote).
    if (q.name === CONFLICT_QUERY) {
      const name = new TextDecoder().decode(q.payload ?? new Uint8Array(0));
      if (name !== this.ctx.name) respond(encodeConflictResponse(this.ctx.member(name)));
      return rebroadcast;
    }
    // Other internal queries (key management) and user queries go to the event handler,
    // which may respond.
    if (q.name !== "_serf_ping") {
      this.ctx.emit({
        type: "query",
        name: q.name,
        payload: q.payload ?? new Uint8Array(0),
        ltime: q.ltime,
        id: q.id,
        sourceNode: q.sourceNode,
        respond,
      });
    }
    return rebroadcast;
  }

  private send(q: QueryMsg, to: Address, msg: QueryResponse): void {
    if (q.sourceNode === this.ctx.name) {
      // our own query: no network round trip
      this.response(msg.ltime, msg.id, msg.from, msg.flags, msg.payload);
      return;
    }
    const raw = encodeSerf(msg);
    this.ctx.sendUser(to, raw);
    if (q.relayFactor > 0) {
      const relays = this.ctx.relayCandidates([this.ctx.name, q.sourceNode]);
      for (let i = 0; i < q.relayFactor && relays.length > 0; i++) {
        const r = relays.splice(randomInt(this.ctx.rng, relays.length), 1)[0] as Address;
        const relay = encodeSerf({
          type: "relay",
          destAddr: q.addr,
          destPort: q.port,
          destName: q.sourceNode,
          inner: raw,
        });
        this.ctx.sendUser(r, relay);
      }
    }
  }

  /** An ack or response to one of our queries. */
  response(ltime: bigint, id: number, from: string, flags: number, payload: Uint8Array | null): void {
    const q = this.pending.get(ltime);
    if (q === undefined || q.id !== id || q.finished) return;
    if ((flags & QueryFlag.ack) !== 0) {
      if (q.acks.has(from)) return;
      q.acks.add(from);
      q.onAck?.(from);
    } else {
      if (q.responses.has(from)) return;
      const p = payload ?? new Uint8Array(0);
      q.responses.set(from, p);
      q.onResponse?.(from, p);
    }
  }
}
