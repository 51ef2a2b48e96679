// Transport micro-benchmark: codec cost per message, and throughput between two WsTransports on
// loopback. One JSON line per scenario. Run from the repo root:
//   npx tsx --conditions=@nomad/source packages/raft/bench/transport-bench.ts [--seconds 3]
import { loadavg } from "node:os";
import { performance } from "node:perf_hooks";
import type { Message } from "../src/core/messages.js";
import { decodeMessages, encodeMessage, encodeMessages } from "../src/transport/codec.js";
import { checkMessage } from "../src/transport/validate.js";
import { WsTransport } from "../src/transport/ws-transport.js";
import { sampleAppend } from "../test/transport/arbitraries.js";

const secondsArg = process.argv.indexOf("--seconds");
const seconds = secondsArg > 0 ? Number(process.argv[secondsArg + 1]) : 3;

const heartbeat: Message = sampleAppend(0, 0, "n1", "n2");
const append64: Message = sampleAppend(64, 100, "n1", "n2");

function report(line: Record<string, unknown>): void {
  // The load average tells a reader how shared the machine was during the run.
  process.stdout.write(JSON.stringify({ ...line, loadAverage1m: Number(loadavg()[0]?.toFixed(2)) }) + "\n");
}

/**
 * ns per call of `fn`: the best of 10 rounds of `seconds`/30 each, since on a shared machine
 * the minimum is the figure least disturbed by other processes.
 */
function timeIt(fn: () => void): { nsPerOp: number } {
  for (let i = 0; i < 2000; i++) fn(); // warm up the JIT
  let best = Infinity;
  for (let round = 0; round < 10; round++) {
    let ops = 0;
    const start = performance.now();
    let elapsed = 0;
    while (elapsed < (seconds * 1000) / 30) {
      for (let i = 0; i < 200; i++) fn();
      ops += 200;
      elapsed = performance.now() - start;
    }
    best = Math.min(best, (elapsed * 1e6) / ops);
  }
  return { nsPerOp: Math.round(best) };
}

function codecScenarios(): void {
  for (const [name, message] of [
    ["heartbeat", heartbeat],
    ["append 64x100B", append64],
  ] as const) {
    const frame = encodeMessages([message]);
    let sink = 0;
    const encode = timeIt(() => {
      sink += encodeMessage(message).length;
    });
    const decode = timeIt(() => {
      sink += decodeMessages(frame).messages.length;
    });
    const decoded = decodeMessages(frame).messages[0];
    const validate = timeIt(() => {
      sink += checkMessage(decoded) === undefined ? 1 : 0;
    });
    report({
      scenario: `codec ${name}`,
      frameBytes: frame.length,
      encodeNsPerMsg: encode.nsPerOp,
      decodeAndValidateNsPerMsg: decode.nsPerOp,
      validateOnlyNsPerMsg: validate.nsPerOp,
      roundTripNsPerMsg: encode.nsPerOp + decode.nsPerOp,
      sink: sink > 0,
    });
  }
}

/**
 * Pipelined sends from a to b with at most `window` messages outstanding (sent, not yet
 * received), as Raft's bounded in-flight appends would; counts what b received in `seconds`.
 */
async function wsScenario(name: string, message: Message, window: number): Promise<void> {
  const b = await WsTransport.listen({ id: "n2", address: "127.0.0.1:0" });
  const a = await WsTransport.listen({ id: "n1", address: "127.0.0.1:0" });
  let received = 0;
  b.onMessage(() => {
    received += 1;
  });
  let sent = 0;
  const pump = (): void => {
    while (sent - received < window) {
      a.send("n2", b.localAddress, message);
      sent += 1;
    }
  };
  // Warm up: connect and run briefly.
  pump();
  await new Promise((resolve) => setTimeout(resolve, 300));
  const startReceived = received;
  const startStats = a.stats();
  const start = performance.now();
  const deadline = start + seconds * 1000;
  await new Promise<void>((resolve) => {
    const loop = (): void => {
      if (performance.now() >= deadline) {
        resolve();
        return;
      }
      pump();
      setImmediate(loop);
    };
    loop();
  });
  const elapsed = (performance.now() - start) / 1000;
  const stats = a.stats();
  const messages = received - startReceived;
  const bytes = stats.bytesSent - startStats.bytesSent;
  const frames = stats.framesSent - startStats.framesSent;
  report({
    scenario: `ws ${name}`,
    window,
    seconds: Number(elapsed.toFixed(2)),
    messages,
    messagesPerSec: Math.round(messages / elapsed),
    mbPerSec: Number((bytes / elapsed / 1e6).toFixed(1)),
    messagesPerFrame: Number(((stats.sent - startStats.sent) / Math.max(1, frames)).toFixed(1)),
    // With one message in flight, each send waits for the previous delivery: one-way latency.
    ...(window === 1 ? { oneWayLatencyUs: Math.round((elapsed * 1e6) / Math.max(1, messages)) } : {}),
    droppedSend: stats.droppedSend,
    droppedInvalid: b.stats().droppedInvalid,
  });
  await Promise.all([a.close(), b.close()]);
}

codecScenarios();
await wsScenario("heartbeat", heartbeat, 1024);
await wsScenario("append 64x100B", append64, 128);
await wsScenario("heartbeat unbatched (window 1)", heartbeat, 1);
await wsScenario("append 64x100B unbatched (window 1)", append64, 1);
