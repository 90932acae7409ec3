/**
 * What sem-ping and sem-pong share: the segment's layout, how the lock is
 * described and named, composing and checking messages, and waiting for
 * the other side's stamp without going deaf to signals. The semaphore
 * calls themselves (semget, semctl, semop, sem_open, sem_wait, sem_post,
 * sem_close, sem_unlink) are in sem-ping.ts and sem-pong.ts, by name.
 *
 * The segment (4096 bytes), as a C header would declare it:
 *
 * ```c
 * struct pingpong {
 *   int32_t magic;      //  @0  'PING' once sem-ping has set everything up
 *   int32_t ping_pid;   //  @4
 *   int32_t pong_pid;   //  @8  0 until sem-pong joins
 *   int32_t stamp;      // @12  2*round (ping wrote) or 2*round+1 (pong wrote)
 *   int32_t length;     // @16  bytes of text
 *   uint32_t check;     // @20  FNV-1a of text, written after it
 *   int32_t rounds;     // @24  how many rounds sem-ping asked for
 *   int32_t lock;       // @28  0 none (--no-lock), 1 SysV semaphore, 2 POSIX named
 *   char sem_name[88];  // @32  the POSIX semaphore's name
 *   int32_t read_by_pong; // @120 messages sem-pong has read   (--no-lock: the writer's
 *   int32_t read_by_ping; // @124 replies sem-ping has read     pause waits for these)
 *   char text[];        // @128 the message
 * };
 * ```
 *
 * Run: not a program; sem-ping.ts and sem-pong.ts import it. Beyond the
 * seeds (seed 003 names the semaphore).
 *
 * @module
 */
import {
  type Attachment,
  cStringAt,
  type NamedSemaphore,
  type SemaphoreSet,
  yieldToEventLoop,
} from "../../lib/libc.ts";

/** Default key of both the segment and the semaphore set ("PING"). */
export const DEFAULT_KEY = 0x50494e47;
/** Size of the segment. */
export const SEGMENT_SIZE = 4096;
/** The magic word sem-ping stores last. */
export const MAGIC = 0x474e4950;

/** Byte offsets in the segment. */
export const AT = {
  magic: 0,
  pingPid: 4,
  pongPid: 8,
  stamp: 12,
  length: 16,
  check: 20,
  rounds: 24,
  lock: 28,
  semName: 32,
  readByPong: 120,
  readByPing: 124,
  text: 128,
} as const;

/** Values of the `lock` field. */
export const LOCK_KIND = { none: 0, sysv: 1, posix: 2 } as const;

/** Lines per message: written one at a time, with the event loop running in between. */
export const LINES = 8;

/** With `--no-lock`, the writer pauses after this many lines until the reader has looked. */
export const HALFWAY = LINES / 2;

/**
 * How both programs name the lock they use: the set (`--posix`: the
 * named semaphore) or, with neither, none at all (`--no-lock`).
 */
export function describeLock(set?: SemaphoreSet, named?: NamedSemaphore): string {
  if (set !== undefined) return `SysV semaphore set (semid ${set.id})`;
  if (named !== undefined) return `POSIX named semaphore ${named.name}`;
  return "no lock (--no-lock): the writer stops halfway, the reader reads every message torn";
}

/** The other side has gone (died, or removed the objects). */
export class PeerGone extends Error {}

/** 32-bit FNV-1a of `bytes`. */
export function fnv1a(bytes: Uint8Array): number {
  let h = 0x811c9dc5;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** SHA-256 of `bytes` as 64 hex digits. */
export async function sha256(bytes: Uint8Array): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", bytes as Uint8Array<ArrayBuffer>);
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * The text of `role`'s message in `round`: a first line naming the digest
 * it replies to (`-` for none), then LINES-1 lines whose content changes
 * every round, so that a mix of two messages never hashes right.
 */
export function compose(role: string, round: number, replyTo: string): string[] {
  const lines = [`${role} round ${round} re ${replyTo}`];
  for (let i = 1; i < LINES; i++) {
    const letter = String.fromCharCode(97 + (round * 7 + i * 3) % 26);
    lines.push(`${role} ${round}.${i} ${letter.repeat(60 + (round + i) % 40)}`);
  }
  return lines.map((l) => `${l}\n`);
}

/** Views over the attached segment. */
export class Shared {
  readonly attachment: Attachment;
  constructor(attachment: Attachment) {
    this.attachment = attachment;
  }
  get #i32(): Int32Array {
    const b = this.attachment.bytes;
    return new Int32Array(b.buffer, b.byteOffset, AT.text / 4);
  }
  /** Atomically read an int32 field. */
  load(offset: number): number {
    return Atomics.load(this.#i32, offset / 4);
  }
  /** Atomically write an int32 field. */
  store(offset: number, value: number): void {
    Atomics.store(this.#i32, offset / 4, value | 0);
  }
  /** The POSIX semaphore name in the header. */
  get semName(): string {
    return cStringAt(this.attachment.bytes.subarray(AT.semName, AT.readByPong));
  }
  set semName(name: string) {
    const bytes = encoder.encode(name);
    if (bytes.length >= AT.readByPong - AT.semName) {
      throw new RangeError(`semaphore name too long: ${name}`);
    }
    this.attachment.bytes.fill(0, AT.semName, AT.readByPong);
    this.attachment.bytes.set(bytes, AT.semName);
  }

  /**
   * Write a message the way a program composes one: stamp first (C code
   * would set `shm->stamp = n;` then `sprintf` the text), then the text a
   * line at a time with the event loop running in between, then its check.
   * Under the lock nobody can look meanwhile; without it, anyone can.
   * `halfway`, if given, is awaited after {@link HALFWAY} lines (`--no-lock`:
   * wait there until the reader has looked).
   */
  async write(
    stamp: number,
    lines: string[],
    halfway?: () => Promise<void>,
  ): Promise<Uint8Array> {
    const text = encoder.encode(lines.join(""));
    if (AT.text + text.length > SEGMENT_SIZE) throw new RangeError("message too long");
    this.store(AT.stamp, stamp);
    this.store(AT.length, text.length);
    let offset = AT.text;
    for (const [i, line] of lines.entries()) {
      if (i === HALFWAY && halfway !== undefined) await halfway();
      const bytes = encoder.encode(line);
      this.attachment.bytes.set(bytes, offset);
      offset += bytes.length;
      await yieldToEventLoop();
    }
    this.store(AT.check, fnv1a(text));
    return text;
  }

  /** Copy the current message out: its text and whether it matches its check. */
  read(): { text: Uint8Array; intact: boolean; check: number; actual: number } {
    const length = Math.max(0, Math.min(this.load(AT.length), SEGMENT_SIZE - AT.text));
    const text = this.attachment.bytes.slice(AT.text, AT.text + length);
    const check = this.load(AT.check) >>> 0;
    const actual = fnv1a(text);
    return { text, intact: check === actual, check, actual };
  }

  /**
   * Wait until the stamp reaches `stamp` (the other side has started its
   * message), yielding to the event loop between looks; `check()` throws
   * when the other side is gone.
   */
  waitForStamp(stamp: number, check: () => void): Promise<void> {
    return this.waitUntil(AT.stamp, stamp, check);
  }

  /**
   * Wait until the int32 field at `offset` reaches `value`, yielding to the
   * event loop between looks; `check()` throws when the other side is gone.
   */
  async waitUntil(offset: number, value: number, check: () => void): Promise<void> {
    while (this.load(offset) < value) {
      check();
      await yieldToEventLoop();
    }
  }
}

/** The `re` digest a message's first line carries, or undefined. */
export function replyDigest(text: Uint8Array): string | undefined {
  const first = decoder.decode(text.subarray(0, 200)).split("\n")[0];
  return /^\w+ round \d+ re ([0-9a-f]{64}|-)$/.exec(first)?.[1];
}

/** Short form of a digest for the printed lines. */
export function short(digest: string | undefined): string {
  return digest === undefined ? "(none)" : digest.slice(0, 16);
}
