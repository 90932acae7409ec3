/**
 * The message formats shared by sysv-msg-server and sysv-msg-client, as C
 * would declare them in a common header:
 *
 * ```c
 * #define KEY       0x12345678
 * #define REQUEST   1            // client -> server: please uppercase this
 * #define STOP      2            // client -> server: finish and remove the queue
 * #define CARD      0x7fffffff   // the server's card: its pid, left in the queue
 * struct request { long mtype; pid_t pid; char text[TEXT_MAX]; };
 * struct reply   { long mtype;            char text[TEXT_MAX]; };  // mtype = client's pid
 * struct card    { long mtype; pid_t pid; };                      // mtype = CARD
 * ```
 *
 * Run: not a program; sysv-msg-server.ts and sysv-msg-client.ts import it.
 * Beyond the seeds (seed 003 names SysV message queues).
 *
 * @module
 */

/** The default key (the seeds' 0x12345678; keys are per kind of object). */
export const DEFAULT_KEY = 0x12345678;

/** mtype of a request. */
export const REQUEST = 1;

/** mtype of a stop request; the server reads with msgtyp -STOP, so requests go first. */
export const STOP = 2;

/**
 * mtype of the server's card: one message holding the server's pid (a
 * `struct request` with no text), which the server leaves in its queue for
 * as long as it serves. A System V queue records no creator pid (a segment
 * has `shm_cpid`), so the card is how a new server tells a running server
 * from the leftover queue of a killed one. The type is above any pid
 * (`pid_max` is at most 2^22) and nobody asks for it in passing: the server
 * takes types <= STOP, a client only its own pid.
 */
export const CARD = 0x7fffffff;

/** Longest text in a request or reply, in bytes. */
export const TEXT_MAX = 512;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** `struct request` without its mtype: the client's pid, then the text. */
export function encodeRequest(pid: number, text: string): Uint8Array {
  const bytes = encoder.encode(text);
  if (bytes.length > TEXT_MAX) {
    throw new RangeError(`a request holds at most ${TEXT_MAX} bytes, this one has ${bytes.length}`);
  }
  const body = new Uint8Array(4 + bytes.length);
  new DataView(body.buffer).setInt32(0, pid, true);
  body.set(bytes, 4);
  return body;
}

/** Decode a request body made by {@link encodeRequest}. */
export function decodeRequest(body: Uint8Array): { pid: number; text: string } {
  if (body.length < 4) return { pid: 0, text: "" };
  const pid = new DataView(body.buffer, body.byteOffset, body.length).getInt32(0, true);
  return { pid, text: decoder.decode(body.subarray(4)) };
}

/** A reply body: just the text. */
export function encodeText(text: string): Uint8Array {
  return encoder.encode(text);
}

/** Decode a reply body. */
export function decodeText(body: Uint8Array): string {
  return decoder.decode(body);
}
