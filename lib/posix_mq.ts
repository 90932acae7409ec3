/**
 * POSIX message queues: `mq_open`, `mq_send`, `mq_receive`, `mq_getattr`,
 * `mq_unlink` (in libc.so.6 since glibc 2.34).
 *
 * A POSIX queue has a *name* (`/something`, one slash), not a key; on Linux
 * it lives in the `mqueue` file system (`/dev/mqueue/something` when that
 * is mounted) until `mq_unlink`. Messages carry a *priority* instead of a
 * type: `mq_receive` always returns the oldest message of the highest
 * priority. The queue's limits are fixed at creation by `struct mq_attr`
 * (four `long`s = 32 bytes; glibc's struct adds 4 reserved longs: 64 bytes):
 * `mq_flags`, `mq_maxmsg`, `mq_msgsize`, `mq_curmsgs`. A receive buffer
 * smaller than `mq_msgsize` fails with EMSGSIZE.
 *
 * On Linux an `mqd_t` is a file descriptor, so `poll` works on it: the
 * async functions here open with `O_NONBLOCK` semantics and wait with
 * {@link waitFor} (signal-friendly) before each attempt.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed, waitFor } from "./fd.ts";
import { cString } from "./cstring.ts";
import { O, POLL } from "./constants.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";
import { IpcObject } from "./ipc_object.ts";
import { ABI } from "./abi.ts";

const ATTR = ABI.struct.mq_attr;

/** `struct mq_attr`, decoded. */
export interface MqAttr {
  /** `mq_flags`: 0 or `O.NONBLOCK`. */
  flags: number;
  /** `mq_maxmsg`: how many messages the queue holds. */
  maxMessages: number;
  /** `mq_msgsize`: the largest message, in bytes. */
  messageSize: number;
  /** `mq_curmsgs`: messages in the queue now. */
  currentMessages: number;
}

/** Size of glibc's `struct mq_attr` (4 longs + 4 reserved longs). */
export const MQ_ATTR_SIZE: number = ATTR.sizeof;

/** `MQ_PRIO_MAX` on Linux: priorities are 0 .. 32767. */
export const MQ_PRIO_MAX: number = ABI.const.MQ_PRIO_MAX;

function encodeAttr(attr: Partial<MqAttr>): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(MQ_ATTR_SIZE);
  const view = new DataView(buf.buffer);
  view.setBigInt64(ATTR.mq_flags, BigInt(attr.flags ?? 0), true);
  view.setBigInt64(ATTR.mq_maxmsg, BigInt(attr.maxMessages ?? 0), true);
  view.setBigInt64(ATTR.mq_msgsize, BigInt(attr.messageSize ?? 0), true);
  view.setBigInt64(ATTR.mq_curmsgs, BigInt(attr.currentMessages ?? 0), true);
  return buf;
}

function decodeAttr(buf: Uint8Array<ArrayBuffer>): MqAttr {
  const view = new DataView(buf.buffer);
  return {
    flags: Number(view.getBigInt64(ATTR.mq_flags, true)),
    maxMessages: Number(view.getBigInt64(ATTR.mq_maxmsg, true)),
    messageSize: Number(view.getBigInt64(ATTR.mq_msgsize, true)),
    currentMessages: Number(view.getBigInt64(ATTR.mq_curmsgs, true)),
  };
}

function oflagText(flags: number): string {
  const names = [["O_RDONLY", "O_WRONLY", "O_RDWR"][flags & 3] ?? "O_ACCMODE"];
  if (flags & O.CREAT) names.push("O_CREAT");
  if (flags & O.EXCL) names.push("O_EXCL");
  if (flags & O.NONBLOCK) names.push("O_NONBLOCK");
  if (flags & O.CLOEXEC) names.push("O_CLOEXEC");
  return names.join("|");
}

/** One received message and its priority. */
export interface MqMessage {
  /** The bytes that were sent. */
  data: Uint8Array;
  /** The priority it was sent with. */
  priority: number;
}

/**
 * Options of {@link PosixMessageQueue.create} and {@link PosixMessageQueue.open}.
 *
 * @example
 * ```ts
 * import type { MqOptions } from "./posix_mq.ts";
 * import { O } from "./constants.ts";
 * const options: MqOptions = { flags: O.WRONLY, attr: { maxMessages: 8, messageSize: 128 } };
 * ```
 */
export interface MqOptions {
  /**
   * `mq_open`'s flags: `O.RDONLY`, `O.WRONLY` or `O.RDWR` (the default),
   * optionally `O.NONBLOCK`; with open also `O.CREAT` as a C program writes it.
   */
  flags?: number;
  /** Permission bits when creating (default 0o600). */
  mode?: number;
  /** `mq_maxmsg` and `mq_msgsize` when creating (default: /proc/sys/fs/mqueue/). */
  attr?: Pick<MqAttr, "maxMessages" | "messageSize">;
}

/**
 * An open POSIX message queue descriptor (`mqd_t`, an fd on Linux). It
 * follows the rules of every IPC object handle (ipc_object.ts):
 * `create`/`open`, `owned`, `keep()`/`own()`, `remove()` (`mq_unlink`),
 * `close()` (`mq_close`); dispose closes, then removes while owned.
 *
 * @example
 * ```ts
 * import { PosixMessageQueue } from "./posix_mq.ts";
 * using q = PosixMessageQueue.create("/demo-queue", {
 *   attr: { maxMessages: 4, messageSize: 64 },
 * });                                               // mq_open(O_RDWR|O_CREAT|O_EXCL)
 * q.send(new TextEncoder().encode("hi"), 5);        // mq_send
 * console.log(q.receive(64).priority); // 5         // mq_receive
 * q.close();                                        // mq_close
 * q.remove();                                       // mq_unlink
 * ```
 */
export class PosixMessageQueue extends IpcObject {
  /** The queue's name, e.g. `/demo-queue`. */
  readonly name: string;
  #mqd: number;

  private constructor(name: string, mqd: number, owned: boolean) {
    super(owned);
    this.name = name;
    this.#mqd = mqd;
  }

  /**
   * A new queue: `mq_open(name, O_RDWR|O_CREAT|O_EXCL, mode, attr)` (EEXIST
   * if there is one; `flags` gives another access mode, `O.NONBLOCK`). Owned.
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * using q = PosixMessageQueue.create("/demo-queue", { mode: 0o600 });
   * ```
   */
  static create(name: string, options: MqOptions = {}): PosixMessageQueue {
    const flags = (options.flags ?? O.RDWR) | O.CREAT | O.EXCL;
    return new PosixMessageQueue(
      name,
      mqOpen(name, flags, options.mode ?? 0o600, options.attr),
      true,
    );
  }

  /**
   * `mq_open(name, flags, mode, attr)` as a C program writes it (default
   * `O_RDWR`): the existing queue, or with `O.CREAT` one made if missing.
   * Owned only with `O.CREAT|O.EXCL`. ENOENT without O_CREAT if there is
   * none; a name without its leading slash gives EINVAL.
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * import { O } from "./constants.ts";
   * using q = PosixMessageQueue.open("/demo-queue", { flags: O.WRONLY });
   * ```
   */
  static open(name: string, options: MqOptions = {}): PosixMessageQueue {
    const flags = options.flags ?? O.RDWR;
    const owned = (flags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL);
    return new PosixMessageQueue(
      name,
      mqOpen(name, flags, options.mode ?? 0o600, options.attr),
      owned,
    );
  }

  /** `mq_unlink(name)`. */
  protected removeCall(): void {
    mqUnlink(this.name);
  }

  /** Closes the descriptor (dispose). */
  protected override closeHandle(): void {
    this.close();
  }

  /** The descriptor; throws once closed. */
  get mqd(): number {
    if (this.#mqd === -1) throw new Error(`message queue ${this.name} is closed`);
    return this.#mqd;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.#mqd === -1;
  }

  /**
   * {@link mqGetattr} of this queue.
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * import { O } from "./constants.ts";
   * using q = PosixMessageQueue.open("/demo-queue", { flags: O.RDONLY });
   * console.log(q.attributes().currentMessages);
   * ```
   */
  attributes(): MqAttr {
    return mqGetattr(this.mqd);
  }

  /**
   * {@link mqSend} on this queue.
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * import { O } from "./constants.ts";
   * using q = PosixMessageQueue.open("/demo-queue", { flags: O.WRONLY });
   * q.send(new TextEncoder().encode("urgent"), 10);
   * ```
   */
  send(data: Uint8Array, priority = 0): void {
    mqSend(this.mqd, data, priority);
  }

  /**
   * {@link mqSendAsync} on this queue (`check` runs while the queue stays full).
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * import { O } from "./constants.ts";
   * using q = PosixMessageQueue.open("/demo-queue", { flags: O.WRONLY | O.NONBLOCK });
   * await q.sendAsync(new TextEncoder().encode("later"), 1);
   * ```
   */
  sendAsync(
    data: Uint8Array,
    priority = 0,
    options: { check?: () => void } = {},
  ): Promise<void> {
    return mqSendAsync(this.mqd, data, priority, options);
  }

  /**
   * {@link mqReceive} on this queue, into a buffer of `maxSize` bytes (at
   * least the queue's `mq_msgsize`, which `attributes()` tells: EMSGSIZE otherwise).
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * import { O } from "./constants.ts";
   * using q = PosixMessageQueue.open("/demo-queue", { flags: O.RDONLY | O.NONBLOCK });
   * const { data, priority } = q.receive(q.attributes().messageSize); // EAGAIN when empty
   * ```
   */
  receive(maxSize: number): MqMessage {
    return mqReceive(this.mqd, maxSize);
  }

  /**
   * {@link mqReceiveAsync} on this queue (buffer of `maxSize` bytes, as for
   * `receive`); `null` after `timeoutMs`.
   *
   * @example
   * ```ts
   * import { PosixMessageQueue } from "./posix_mq.ts";
   * import { O } from "./constants.ts";
   * using q = PosixMessageQueue.open("/demo-queue", { flags: O.RDONLY | O.NONBLOCK });
   * const message = await q.receiveAsync(8192);
   * ```
   */
  receiveAsync(
    maxSize: number,
    options: { timeoutMs?: number } = {},
  ): Promise<MqMessage | null> {
    return mqReceiveAsync(this.mqd, maxSize, options);
  }

  /** `mq_close(3)`; a second call does nothing. */
  close(): void {
    if (this.#mqd === -1) return;
    const mqd = this.#mqd;
    this.#mqd = -1;
    if (libc.mq_close(mqd) === -1) failed("mq_close", `mq_close(${mqd})`);
    if (TRACING) traceLine(`mq_close(${mqd})`, "0");
  }
}

/** `mq_open(3)`: the descriptor; errors name the queue. */
function mqOpen(
  name: string,
  oflag: number,
  mode: number,
  attr?: Pick<MqAttr, "maxMessages" | "messageSize">,
): number {
  const attrText = attr === undefined
    ? "NULL"
    : `{mq_maxmsg=${attr.maxMessages}, mq_msgsize=${attr.messageSize}}`;
  const shown = `mq_open(${quoted(name)}, ${oflagText(oflag)}${
    oflag & O.CREAT ? `, 0${mode.toString(8)}, ${attrText}` : ""
  })`;
  const mqd = libc.mq_open(
    cString(name),
    oflag,
    mode,
    attr === undefined ? null : encodeAttr(attr),
  );
  if (mqd === -1) failed("mq_open", shown, name);
  if (TRACING) traceLine(shown, String(mqd));
  return mqd;
}

/**
 * `mq_getattr(3)`.
 *
 * @example
 * ```ts
 * import { mqGetattr, PosixMessageQueue } from "./posix_mq.ts";
 * import { O } from "./constants.ts";
 * using q = PosixMessageQueue.open("/demo-queue", { flags: O.RDONLY });
 * console.log(mqGetattr(q.mqd)); // { flags: 0, maxMessages: 10, messageSize: 8192, ... }
 * ```
 */
export function mqGetattr(mqd: number): MqAttr {
  const buf = new Uint8Array(MQ_ATTR_SIZE);
  const shown = `mq_getattr(${mqd}, ...)`;
  if (libc.mq_getattr(mqd, buf) === -1) failed("mq_getattr", shown);
  const attr = decodeAttr(buf);
  if (TRACING) {
    traceLine(
      `mq_getattr(${mqd}, {mq_flags=${attr.flags}, mq_maxmsg=${attr.maxMessages}, ` +
        `mq_msgsize=${attr.messageSize}, mq_curmsgs=${attr.currentMessages}})`,
      "0",
    );
  }
  return attr;
}

/**
 * `mq_send(3)`: queue `data` with `priority` (0 .. 32767). A full queue
 * blocks, or with `O_NONBLOCK` fails with EAGAIN; a message longer than
 * `mq_msgsize` fails with EMSGSIZE.
 *
 * @example
 * ```ts
 * import { PosixMessageQueue, mqSend } from "./posix_mq.ts";
 * import { O } from "./constants.ts";
 * using q = PosixMessageQueue.open("/demo-queue", { flags: O.WRONLY });
 * mqSend(q.mqd, new TextEncoder().encode("hello"), 3);
 * ```
 */
export function mqSend(mqd: number, data: Uint8Array, priority = 0): void {
  const shown = `mq_send(${mqd}, <${data.length} bytes>, ${data.length}, ${priority})`;
  // `as Uint8Array<ArrayBuffer>`: Deno 2.5 to 2.8.2 type FFI buffers as ArrayBuffer-backed only.
  const bytes = data as Uint8Array<ArrayBuffer>;
  if (libc.mq_send(mqd, bytes, BigInt(data.length), priority) === -1) failed("mq_send", shown);
  if (TRACING) traceLine(shown, "0");
}

/**
 * `mq_receive(3)`: the oldest message of the highest priority, and that
 * priority. `maxSize` must be at least the queue's `mq_msgsize` (EMSGSIZE
 * otherwise). An empty queue opened with `O_NONBLOCK` throws a
 * {@link LibcError} with code `EAGAIN`.
 *
 * @example
 * ```ts
 * import { PosixMessageQueue, mqReceive } from "./posix_mq.ts";
 * import { O } from "./constants.ts";
 * using q = PosixMessageQueue.open("/demo-queue", { flags: O.RDONLY | O.NONBLOCK });
 * const { data, priority } = mqReceive(q.mqd, q.attributes().messageSize);
 * ```
 */
export function mqReceive(mqd: number, maxSize: number): MqMessage {
  const buf = new Uint8Array(maxSize);
  const prio = new Uint32Array(1);
  const shown = `mq_receive(${mqd}, ..., ${maxSize}, ...)`;
  const n = Number(
    libc.mq_receive(mqd, buf, BigInt(maxSize), new Uint8Array(prio.buffer)),
  );
  if (n === -1) failed("mq_receive", shown);
  if (TRACING) traceLine(`mq_receive(${mqd}, ..., ${maxSize}, [prio=${prio[0]}])`, String(n));
  return { data: buf.slice(0, n), priority: prio[0] };
}

/**
 * Receive without freezing the runtime: wait (signal-friendly, see
 * {@link waitFor}) until the queue descriptor is readable, then
 * {@link mqReceive}. Open the queue with `O.NONBLOCK` so that losing a race
 * to another reader gives EAGAIN (retried) instead of blocking. Returns
 * `null` when `timeoutMs` passes first.
 *
 * @example
 * ```ts
 * import { PosixMessageQueue, mqReceiveAsync } from "./posix_mq.ts";
 * import { O } from "./constants.ts";
 * using q = PosixMessageQueue.open("/demo-queue", { flags: O.RDONLY | O.NONBLOCK });
 * const message = await mqReceiveAsync(q.mqd, q.attributes().messageSize, { timeoutMs: 500 });
 * ```
 */
export async function mqReceiveAsync(
  mqd: number,
  maxSize: number,
  options: { timeoutMs?: number } = {},
): Promise<MqMessage | null> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const left = deadline - Date.now();
    if (left <= 0) return null;
    const ready = await waitFor(mqd, POLL.IN, {
      timeoutMs: left === Infinity ? undefined : left,
    });
    if (ready === 0) return null;
    try {
      return mqReceive(mqd, maxSize);
    } catch (e) {
      if (e instanceof LibcError && (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR)) {
        continue;
      }
      throw e;
    }
  }
}

/** How often {@link mqSendAsync} calls its `check` while the queue stays full, in ms. */
export const MQ_CHECK_EVERY_MS = 250;

/**
 * Send without freezing the runtime: wait (signal-friendly) until the queue
 * has room (`POLLOUT`), then {@link mqSend}. Open with `O.NONBLOCK`. While
 * the queue stays full, `check()` runs every {@link MQ_CHECK_EVERY_MS} ms
 * and may throw to give up (e.g. when the queue's name is gone: nobody will
 * ever make room).
 *
 * @example
 * ```ts
 * import { PosixMessageQueue, mqSendAsync } from "./posix_mq.ts";
 * import { O } from "./constants.ts";
 * using q = PosixMessageQueue.open("/demo-queue", { flags: O.WRONLY | O.NONBLOCK });
 * await mqSendAsync(q.mqd, new TextEncoder().encode("hi"), 0);
 * ```
 */
export async function mqSendAsync(
  mqd: number,
  data: Uint8Array,
  priority = 0,
  options: { check?: () => void } = {},
): Promise<void> {
  for (;;) {
    if (options.check === undefined) {
      await waitFor(mqd, POLL.OUT);
    } else if (await waitFor(mqd, POLL.OUT, { timeoutMs: MQ_CHECK_EVERY_MS }) === 0) {
      options.check();
      continue;
    }
    try {
      return mqSend(mqd, data, priority);
    } catch (e) {
      if (e instanceof LibcError && (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR)) {
        continue;
      }
      throw e;
    }
  }
}

/**
 * `mq_unlink(3)`: remove the name; the queue itself goes when the last
 * descriptor is closed. ENOENT when there is no such queue.
 *
 * @example
 * ```ts
 * import { mqUnlink } from "./posix_mq.ts";
 * mqUnlink("/demo-queue");
 * ```
 */
export function mqUnlink(name: string): void {
  const shown = `mq_unlink(${quoted(name)})`;
  if (libc.mq_unlink(cString(name)) === -1) failed("mq_unlink", shown, name);
  if (TRACING) traceLine(shown, "0");
}
