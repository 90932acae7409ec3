/**
 * The small protocol shared by fifo-server.ts and fifo-client.ts: a
 * sequence-number service in the style of TLPI's `fifo_seqnum_server.c`,
 * for seed 000's "Borularla Client-Server Haberleşmesi".
 *
 * Run: not a program; fifo-server.ts and fifo-client.ts import it (run
 * `deno task fifo-server`, then `deno task fifo-client`).
 *
 * - Request (client → server, on the one well-known FIFO): one line
 *   `"<pid> <count>\n"`, at most PIPE_BUF bytes, written with ONE `write`
 *   call. POSIX promises that a write of at most PIPE_BUF bytes to a pipe
 *   or FIFO is atomic: it is never interleaved with other writers' data.
 *   That is what makes one shared request FIFO safe for many clients: the
 *   server may get several requests in one `read`, or a request split
 *   across two reads, but never the bytes of two requests mixed.
 * - Reply (server → client, on the client's own FIFO `seqnum_cl.<pid>`
 *   next to the request FIFO): one line, `"<first>\n"` (the client owns
 *   `first .. first+count-1`) or `"error: <why>\n"`.
 *
 * @module
 */

/** Default name of the well-known request FIFO (TLPI: /tmp/seqnum_sv). */
export const SERVER_FIFO = "seqnum_sv";

/** The largest count one request may ask for. */
export const MAX_COUNT = 1_000_000;

/**
 * The reply FIFO of client `pid`: `seqnum_cl.<pid>` in the request FIFO's
 * directory (TLPI: /tmp/seqnum_cl.<pid>).
 */
export function replyFifoPath(requestFifo: string, pid: number): string {
  const slash = requestFifo.lastIndexOf("/");
  const dir = slash === -1 ? "" : requestFifo.slice(0, slash + 1);
  return `${dir}seqnum_cl.${pid}`;
}

/** The request line a client sends. */
export function formatRequest(pid: number, count: number): string {
  return `${pid} ${count}\n`;
}

/** A request as the server understood it. */
export type ParsedRequest =
  | { ok: true; pid: number; count: number }
  | { ok: false; pid?: number; why: string };

/**
 * Parse one request line (without its newline). A line whose pid can be
 * read but whose count is bad gets `pid`, so the server can send an error
 * reply; without a pid there is nobody to answer.
 */
export function parseRequest(line: string): ParsedRequest {
  const m = /^([1-9]\d{0,9}) (.*)$/.exec(line);
  if (!m) return { ok: false, why: "not `<pid> <count>`" };
  const pid = Number(m[1]);
  if (pid > 0x7fffffff) return { ok: false, why: `pid ${m[1]} out of range` };
  if (!/^[1-9]\d{0,6}$/.test(m[2]) || Number(m[2]) > MAX_COUNT) {
    return { ok: false, pid, why: `count must be 1..${MAX_COUNT}, got ${JSON.stringify(m[2])}` };
  }
  return { ok: true, pid, count: Number(m[2]) };
}
