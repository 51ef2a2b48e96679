// Small helpers around `ws` sockets shared by the inbound and outbound sides.
import WebSocket from "ws";

/** ws hands binary messages over as Buffer, ArrayBuffer or fragments depending on binaryType. */
export function toBytes(data: WebSocket.RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}

/** Close reasons are limited to 123 bytes by the websocket protocol. */
export function closeReason(reason: string): string {
  const bytes = Buffer.from(reason);
  return bytes.length <= 123 ? reason : bytes.subarray(0, 120).toString() + "...";
}

/**
 * Closes `socket` cleanly and resolves once it is closed; a peer that does not answer the close
 * handshake within `timeoutMs` has its socket destroyed, so shutdown is bounded.
 */
export function closeSocket(
  socket: WebSocket,
  code: number,
  reason: string,
  timeoutMs: number,
): Promise<void> {
  if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
  return new Promise((resolve) => {
    // After the timeout the socket is destroyed and we stop waiting even if 'close' never comes.
    const timer = setTimeout(() => {
      socket.terminate();
      resolve();
    }, timeoutMs);
    socket.once("close", () => {
      clearTimeout(timer);
      resolve();
    });
    if (socket.readyState === WebSocket.CONNECTING) socket.terminate();
    else if (socket.readyState === WebSocket.OPEN) socket.close(code, closeReason(reason));
  });
}
