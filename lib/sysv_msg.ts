/**
 * System V message queues: `msgget`, `msgsnd`, `msgrcv`, `msgctl`.
 *
 * A queue is a kernel list of *typed* messages. Each message is a C
 * `struct msgbuf { long mtype; char mtext[]; }`: an 8-byte `long` type
 * (must be > 0) followed by the bytes. `msgsnd`'s size argument counts only
 * the bytes, not the type. `msgrcv(type)` chooses which message comes out:
 * `0` the first of any type, `> 0` the first of exactly that type, `< 0` the
 * first of the lowest type `<= |type|` (a priority queue). That is what lets
 * one queue carry requests (type 1) and each client's replies (type = the
 * client's pid) at the same time.
 *
 * Waits stay signal-friendly: the async variants call with `IPC_NOWAIT` and
 * retry after a short async sleep, so Ctrl+C works while a program waits.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed } from "./fd.ts";
import { traceLine, TRACING } from "./trace.ts";
import { IPC, ipcFlagText, type IpcPerm, readIpcPerm } from "./sysv_ipc.ts";
import { keyText } from "./keys.ts";
import { IpcObject } from "./ipc_object.ts";
import { ABI } from "./abi.ts";

/** `msgrcv` flags from `<sys/msg.h>` (beyond `IPC.NOWAIT`). */
export const MSG = {
  /** Truncate a message longer than the buffer instead of failing with E2BIG. */
  NOERROR: ABI.const.MSG_NOERROR,
  /** With a type > 0: take the first message *not* of that type. */
  EXCEPT: ABI.const.MSG_EXCEPT,
} as const;

/** Size of the `long mtype` that starts every `struct msgbuf`. */
export const MTYPE_SIZE: number = ABI.struct.msgbuf.mtext;

/** One message: its type and its bytes. */
export interface Message {
  /** `mtype`, a positive number. */
  type: number;
  /** `mtext`, exactly the bytes that were sent. */
  data: Uint8Array;
}

function flagText(flags: number): string {
  const names: string[] = [];
  if (flags & IPC.NOWAIT) names.push("IPC_NOWAIT");
  if (flags & MSG.NOERROR) names.push("MSG_NOERROR");
  if (flags & MSG.EXCEPT) names.push("MSG_EXCEPT");
  const rest = flags & ~(IPC.NOWAIT | MSG.NOERROR | MSG.EXCEPT);
  if (rest !== 0 || names.length === 0) names.push(String(rest));
  return names.join("|");
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Longest pause between two attempts of an async retry loop, in ms. */
export const RETRY_MAX_MS = 20;

/**
 * `msgget(2)`: the id of the queue with `key`, creating it when `flags` has
 * `IPC.CREAT`. Errors name the key: `msgget 0x12345678: ENOENT (...)`.
 *
 * @example
 * ```ts
 * import { msgget } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = msgget(IPC.PRIVATE, IPC.CREAT | 0o600);
 * ```
 */
export function msgget(key: number, flags: number): number {
  const shown = `msgget(${keyText(key)}, ${ipcFlagText(flags)})`;
  const id = libc.msgget(key, flags);
  if (id === -1) failed("msgget", shown, keyText(key));
  if (TRACING) traceLine(shown, String(id));
  return id;
}

/**
 * `msgsnd(2)`: append a message of `type` (> 0) with `data` to the queue.
 * With `IPC.NOWAIT` a full queue fails with EAGAIN instead of blocking.
 *
 * @example
 * ```ts
 * import { msgget, msgsnd } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = msgget(IPC.PRIVATE, IPC.CREAT | 0o600);
 * msgsnd(id, 1, new TextEncoder().encode("hello"), IPC.NOWAIT);
 * ```
 */
export function msgsnd(msqid: number, type: number, data: Uint8Array, flags = 0): void {
  if (!Number.isSafeInteger(type) || type <= 0) {
    throw new RangeError(`msgsnd: the message type must be a positive integer, not ${type}`);
  }
  // struct msgbuf { long mtype; char mtext[data.length]; }
  const buf = new Uint8Array(MTYPE_SIZE + data.length);
  new DataView(buf.buffer).setBigInt64(ABI.struct.msgbuf.mtype, BigInt(type), true);
  buf.set(data, MTYPE_SIZE);
  const shown = `msgsnd(${msqid}, {mtype=${type}, <${data.length} bytes>}, ${data.length}, ${
    flagText(flags)
  })`;
  if (libc.msgsnd(msqid, buf, BigInt(data.length), flags) === -1) failed("msgsnd", shown);
  if (TRACING) traceLine(shown, "0");
}

/**
 * `msgrcv(2)`: take one message out of the queue: with `type` 0 the first
 * one, > 0 the first of that type, < 0 the first of the lowest type
 * `<= -type`. At most `maxSize` bytes (a longer message fails with E2BIG
 * unless `MSG.NOERROR`). With `IPC.NOWAIT` and no matching message it
 * throws a {@link LibcError} with code `ENOMSG`.
 *
 * @example
 * ```ts
 * import { msgget, msgrcv, msgsnd } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = msgget(IPC.PRIVATE, IPC.CREAT | 0o600);
 * msgsnd(id, 2, new Uint8Array([2]));
 * msgsnd(id, 1, new Uint8Array([1]));
 * msgrcv(id, 64, 1, IPC.NOWAIT); // { type: 1, data: [1] }: type 1 overtakes
 * ```
 */
export function msgrcv(msqid: number, maxSize: number, type = 0, flags = 0): Message {
  const buf = new Uint8Array(MTYPE_SIZE + maxSize);
  const shown = `msgrcv(${msqid}, ..., ${maxSize}, ${type}, ${flagText(flags)})`;
  const n = Number(libc.msgrcv(msqid, buf, BigInt(maxSize), BigInt(type), flags));
  if (n === -1) failed("msgrcv", shown);
  const mtype = Number(new DataView(buf.buffer).getBigInt64(ABI.struct.msgbuf.mtype, true));
  if (TRACING) traceLine(shown, `${n} {mtype=${mtype}}`);
  return { type: mtype, data: buf.slice(MTYPE_SIZE, MTYPE_SIZE + n) };
}

/**
 * {@link msgrcv} that waits without blocking the event loop: it tries with
 * `IPC.NOWAIT` and, while the answer is ENOMSG, sleeps a few ms (up to
 * {@link RETRY_MAX_MS}) and tries again, so signal listeners keep running.
 * Returns `null` when `timeoutMs` passes first. A queue removed while we
 * wait throws `EIDRM` (or `EINVAL`).
 *
 * @example
 * ```ts
 * import { msgget, msgrcvAsync } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = msgget(IPC.PRIVATE, IPC.CREAT | 0o600);
 * const reply = await msgrcvAsync(id, 256, 1, { timeoutMs: 100 }); // null: nothing came
 * ```
 */
export async function msgrcvAsync(
  msqid: number,
  maxSize: number,
  type = 0,
  options: { flags?: number; timeoutMs?: number } = {},
): Promise<Message | null> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  const flags = (options.flags ?? 0) | IPC.NOWAIT;
  let pause = 1;
  for (;;) {
    try {
      return msgrcv(msqid, maxSize, type, flags);
    } catch (e) {
      if (!(e instanceof LibcError) || (e.errno !== Errno.ENOMSG && e.errno !== Errno.EINTR)) {
        throw e;
      }
    }
    if (Date.now() >= deadline) return null;
    await sleep(Math.min(pause, Math.max(0, deadline - Date.now())));
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
}

/**
 * {@link msgsnd} that waits, signal-friendly, while the queue is full
 * (EAGAIN with `IPC.NOWAIT`), retrying after short async sleeps.
 *
 * @example
 * ```ts
 * import { msgget, msgsndAsync } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = msgget(IPC.PRIVATE, IPC.CREAT | 0o600);
 * await msgsndAsync(id, 1, new TextEncoder().encode("hi"));
 * ```
 */
export async function msgsndAsync(msqid: number, type: number, data: Uint8Array): Promise<void> {
  let pause = 1;
  for (;;) {
    try {
      return msgsnd(msqid, type, data, IPC.NOWAIT);
    } catch (e) {
      if (!(e instanceof LibcError) || (e.errno !== Errno.EAGAIN && e.errno !== Errno.EINTR)) {
        throw e;
      }
    }
    await sleep(pause);
    pause = Math.min(pause * 2, RETRY_MAX_MS);
  }
}

/** `struct msqid_ds` (120 bytes on x86_64/aarch64 glibc), decoded. */
export interface MsqidDs {
  /** Owner, creator and mode. */
  perm: IpcPerm;
  /** Bytes currently in the queue (`__msg_cbytes`). */
  bytes: number;
  /** Messages currently in the queue (`msg_qnum`). */
  messages: number;
  /** Maximum bytes the queue may hold (`msg_qbytes`). */
  maxBytes: number;
  /** Pid of the last `msgsnd` (`msg_lspid`). */
  lastSendPid: number;
  /** Pid of the last `msgrcv` (`msg_lrpid`). */
  lastReceivePid: number;
}

/** Byte offsets in `struct msqid_ds` (from lib/abi.ts). */
const MSQID_DS = {
  size: ABI.struct.msqid_ds.sizeof,
  cbytes: ABI.struct.msqid_ds.__msg_cbytes,
  qnum: ABI.struct.msqid_ds.msg_qnum,
  qbytes: ABI.struct.msqid_ds.msg_qbytes,
  lspid: ABI.struct.msqid_ds.msg_lspid,
  lrpid: ABI.struct.msqid_ds.msg_lrpid,
} as const;

/**
 * `msgctl(IPC_STAT)`: the queue's status (how many messages, bytes, pids).
 *
 * @example
 * ```ts
 * import { msgget, msgStat } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = msgget(IPC.PRIVATE, IPC.CREAT | 0o600);
 * console.log(msgStat(id).messages); // 0
 * ```
 */
export function msgStat(msqid: number): MsqidDs {
  const buf = new Uint8Array(MSQID_DS.size);
  const shown = `msgctl(${msqid}, IPC_STAT, ...)`;
  if (libc.msgctl(msqid, IPC.STAT, buf) === -1) failed("msgctl", shown);
  if (TRACING) traceLine(shown, "0");
  const view = new DataView(buf.buffer);
  return {
    perm: readIpcPerm(view),
    bytes: Number(view.getBigUint64(MSQID_DS.cbytes, true)),
    messages: Number(view.getBigUint64(MSQID_DS.qnum, true)),
    maxBytes: Number(view.getBigUint64(MSQID_DS.qbytes, true)),
    lastSendPid: view.getInt32(MSQID_DS.lspid, true),
    lastReceivePid: view.getInt32(MSQID_DS.lrpid, true),
  };
}

/**
 * `msgctl(IPC_RMID)`: remove the queue at once. Messages in it are lost,
 * and every process waiting in `msgrcv`/`msgsnd` wakes with EIDRM.
 *
 * @example
 * ```ts
 * import { msgget, msgRemove } from "./sysv_msg.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * msgRemove(msgget(IPC.PRIVATE, IPC.CREAT | 0o600));
 * ```
 */
export function msgRemove(msqid: number): void {
  const shown = `msgctl(${msqid}, IPC_RMID, NULL)`;
  if (libc.msgctl(msqid, IPC.RMID, null) === -1) failed("msgctl", shown);
  if (TRACING) traceLine(shown, "0");
}

/**
 * Options of {@link MessageQueue.create} and {@link MessageQueue.get}.
 *
 * @example
 * ```ts
 * import type { MessageQueueOptions } from "./sysv_msg.ts";
 * const options: MessageQueueOptions = { mode: 0o620 };
 * ```
 */
export interface MessageQueueOptions {
  /** Permission bits when creating (default 0o600). */
  mode?: number;
}

/**
 * A SysV message queue by id. It follows the rules of every IPC object
 * handle (ipc_object.ts): `create`/`open`/`get`, `owned`, `keep()`/`own()`,
 * `remove()` (IPC_RMID), dispose removes it only while owned.
 *
 * @example
 * ```ts
 * import { MessageQueue } from "./sysv_msg.ts";
 * using q = MessageQueue.create(0x1234abcd, { mode: 0o600 }); // msgget(IPC_CREAT|IPC_EXCL)
 * q.send(1, new TextEncoder().encode("ping"));                 // msgsnd
 * console.log(q.receive(64).type); // 1                        // msgrcv
 * q.remove();                                                  // msgctl(IPC_RMID)
 * ```
 */
export class MessageQueue extends IpcObject {
  /** The key it was found by (`IPC.PRIVATE` for 0). */
  readonly key: number;
  /** The msqid. */
  readonly id: number;

  private constructor(key: number, id: number, owned: boolean) {
    super(owned);
    this.key = key;
    this.id = id;
  }

  /** `msgctl(id, IPC_RMID)`. */
  protected removeCall(): void {
    msgRemove(this.id);
  }

  /**
   * A new queue for `key`: `msgget(key, IPC_CREAT|IPC_EXCL|mode)` (EEXIST
   * if the key already has one). Owned.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "./sysv_msg.ts";
   * using q = MessageQueue.create(0x1234abcd, { mode: 0o600 });
   * ```
   */
  static create(key: number, options: MessageQueueOptions = {}): MessageQueue {
    return MessageQueue.get(key, IPC.CREAT | IPC.EXCL | (options.mode ?? 0o600));
  }

  /**
   * The existing queue of `key`: `msgget(key, 0)` (ENOENT when there is
   * none). Not owned.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "./sysv_msg.ts";
   * const q = MessageQueue.open(0x1234abcd);
   * ```
   */
  static open(key: number): MessageQueue {
    return MessageQueue.get(key, 0);
  }

  /**
   * `msgget(key, flags)` as a C program writes it. Owned when the flags
   * hold IPC_CREAT|IPC_EXCL.
   *
   * @example
   * ```ts
   * import { IPC } from "./sysv_ipc.ts";
   * import { MessageQueue } from "./sysv_msg.ts";
   * using q = MessageQueue.get(0x1234abcd, IPC.CREAT | 0o600);
   * ```
   */
  static get(key: number, flags: number): MessageQueue {
    const owned = (flags & (IPC.CREAT | IPC.EXCL)) === (IPC.CREAT | IPC.EXCL);
    return new MessageQueue(key, msgget(key, flags), owned);
  }

  /**
   * {@link msgsnd} on this queue.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "./sysv_msg.ts";
   * MessageQueue.open(0x1234abcd).send(1, new Uint8Array([42]));
   * ```
   */
  send(type: number, data: Uint8Array, flags = 0): void {
    msgsnd(this.id, type, data, flags);
  }

  /**
   * {@link msgsndAsync} on this queue.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "./sysv_msg.ts";
   * await MessageQueue.open(0x1234abcd).sendAsync(1, new Uint8Array([42]));
   * ```
   */
  sendAsync(type: number, data: Uint8Array): Promise<void> {
    return msgsndAsync(this.id, type, data);
  }

  /**
   * {@link msgrcv} on this queue.
   *
   * @example
   * ```ts
   * import { IPC } from "./sysv_ipc.ts";
   * import { MessageQueue } from "./sysv_msg.ts";
   * const m = MessageQueue.open(0x1234abcd).receive(256, 0, IPC.NOWAIT);
   * ```
   */
  receive(maxSize: number, type = 0, flags = 0): Message {
    return msgrcv(this.id, maxSize, type, flags);
  }

  /**
   * {@link msgrcvAsync} on this queue.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "./sysv_msg.ts";
   * const m = await MessageQueue.open(0x1234abcd).receiveAsync(256, 1, { timeoutMs: 1000 });
   * ```
   */
  receiveAsync(
    maxSize: number,
    type = 0,
    options: { flags?: number; timeoutMs?: number } = {},
  ): Promise<Message | null> {
    return msgrcvAsync(this.id, maxSize, type, options);
  }

  /**
   * {@link msgStat} of this queue.
   *
   * @example
   * ```ts
   * import { MessageQueue } from "./sysv_msg.ts";
   * console.log(MessageQueue.open(0x1234abcd).stat().messages);
   * ```
   */
  stat(): MsqidDs {
    return msgStat(this.id);
  }
}
