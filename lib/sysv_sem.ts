/**
 * System V semaphore sets: `semget`, `semop`/`semtimedop`, `semctl`.
 *
 * A set holds `nsems` counters. `semop` applies a list of operations
 * *atomically*: `sem_op > 0` adds (V, post, release), `sem_op < 0` waits
 * until the value is at least `|sem_op|` and subtracts it (P, wait,
 * acquire), `sem_op == 0` waits until the value is 0. Each operation is a
 * C `struct sembuf` of 6 bytes:
 *
 * ```text
 * struct sembuf { unsigned short sem_num; @0   which semaphore of the set
 *                 short sem_op;           @2   +n, -n or 0
 *                 short sem_flg; }        @4   IPC_NOWAIT, SEM_UNDO
 * ```
 *
 * `SEM_UNDO` makes the kernel remember the operation per process and undo
 * it when the process exits, *however* it exits: a lock taken with SEM_UNDO
 * by a process that is then killed is released by the kernel. POSIX
 * semaphores have nothing like it.
 *
 * The set's values start undefined on Linux (in practice 0): the creator
 * sets them with `semctl(SETVAL)` before anyone uses them.
 *
 * Waits stay signal-friendly: {@link semopAsync} calls `semtimedop` with a
 * short timeout (50 ms) and yields to the event loop between attempts.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed, POLL_SLICE_MS, yieldToEventLoop } from "./fd.ts";
import { traceLine, TRACING } from "./trace.ts";
import { IPC, ipcFlagText } from "./sysv_ipc.ts";
import { formatKey, keyText } from "./keys.ts";
import { IpcObject } from "./ipc_object.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;
const SEMBUF = ABI.struct.sembuf;

/** `<sys/sem.h>` flags and `semctl` commands. */
export const SEM = {
  /** `sem_flg`: undo this operation when the process exits. */
  UNDO: C.SEM_UNDO,
  /** `semctl`: pid of the last process that operated on a semaphore. */
  GETPID: C.GETPID,
  /** `semctl`: a semaphore's value. */
  GETVAL: C.GETVAL,
  /** `semctl`: how many processes wait for the value to grow. */
  GETNCNT: C.GETNCNT,
  /** `semctl`: how many processes wait for the value to be 0. */
  GETZCNT: C.GETZCNT,
  /** `semctl`: set a semaphore's value. */
  SETVAL: C.SETVAL,
} as const;

/** One `struct sembuf`. */
export interface SemOp {
  /** `sem_num`: the semaphore's index in the set. */
  num: number;
  /** `sem_op`: +n to add, -n to wait for n and take it, 0 to wait for zero. */
  op: number;
  /** `sem_flg`: `IPC.NOWAIT`, `SEM.UNDO`, or 0. */
  flags?: number;
}

/** Size of a C `struct sembuf`. */
export const SEMBUF_SIZE: number = SEMBUF.sizeof;

function encodeOps(ops: SemOp[]): Uint8Array<ArrayBuffer> {
  const buf = new Uint8Array(SEMBUF_SIZE * ops.length);
  const view = new DataView(buf.buffer);
  ops.forEach((o, i) => {
    view.setUint16(SEMBUF_SIZE * i + SEMBUF.sem_num, o.num, true);
    view.setInt16(SEMBUF_SIZE * i + SEMBUF.sem_op, o.op, true);
    view.setInt16(SEMBUF_SIZE * i + SEMBUF.sem_flg, o.flags ?? 0, true);
  });
  return buf;
}

function opsText(ops: SemOp[]): string {
  return `[${
    ops.map((o) => {
      const f: string[] = [];
      if ((o.flags ?? 0) & IPC.NOWAIT) f.push("IPC_NOWAIT");
      if ((o.flags ?? 0) & SEM.UNDO) f.push("SEM_UNDO");
      return `{${o.num}, ${o.op}, ${f.length ? f.join("|") : "0"}}`;
    }).join(", ")
  }]`;
}

/**
 * `semget(2)`: the id of the set of `key` with `nsems` semaphores,
 * creating it when `flags` has `IPC.CREAT`. Errors name the key.
 *
 * @example
 * ```ts
 * import { semget } from "./sysv_sem.ts";
 * import { IPC } from "./sysv_ipc.ts";
 * const id = semget(IPC.PRIVATE, 2, IPC.CREAT | 0o600);
 * ```
 */
export function semget(key: number, nsems: number, flags: number): number {
  const shown = `semget(${keyText(key)}, ${nsems}, ${ipcFlagText(flags)})`;
  const id = libc.semget(key | 0, nsems, flags);
  if (id === -1) failed("semget", shown, formatKey(key));
  if (TRACING) traceLine(shown, String(id));
  return id;
}

/**
 * `semop(2)`: apply `ops` atomically. Without `IPC.NOWAIT` this may block
 * the whole runtime: prefer {@link semopAsync} for waits. With it, an
 * operation that would wait throws a {@link LibcError} with code `EAGAIN`.
 * A set removed meanwhile gives `EIDRM`.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { SEM, semget, semop } from "./sysv_sem.ts";
 * const id = semget(IPC.PRIVATE, 1, IPC.CREAT | 0o600);
 * semop(id, [{ num: 0, op: 1, flags: SEM.UNDO }]); // V (post)
 * ```
 */
export function semop(semid: number, ops: SemOp[]): void {
  const shown = `semop(${semid}, ${opsText(ops)}, ${ops.length})`;
  if (libc.semop(semid, encodeOps(ops), BigInt(ops.length)) === -1) failed("semop", shown);
  if (TRACING) traceLine(shown, "0");
}

/**
 * `semtimedop(2)` with a relative timeout in milliseconds: `true` when the
 * operations were applied, `false` when the timeout passed first (EAGAIN)
 * or a signal interrupted the wait (EINTR).
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { semget, semtimedop } from "./sysv_sem.ts";
 * const id = semget(IPC.PRIVATE, 1, IPC.CREAT | 0o600);
 * semtimedop(id, [{ num: 0, op: -1 }], 10); // false: the value is 0
 * ```
 */
export function semtimedop(semid: number, ops: SemOp[], timeoutMs: number): boolean {
  const timeout = new BigInt64Array([
    BigInt(Math.floor(timeoutMs / 1000)),
    BigInt((timeoutMs % 1000) * 1_000_000),
  ]);
  const shown = `semtimedop(${semid}, ${opsText(ops)}, ${ops.length}, {${timeoutMs} ms})`;
  const r = libc.semtimedop(
    semid,
    encodeOps(ops),
    BigInt(ops.length),
    new Uint8Array(timeout.buffer),
  );
  if (r === -1) {
    try {
      failed("semtimedop", shown);
    } catch (e) {
      if (e instanceof LibcError && (e.errno === Errno.EAGAIN || e.errno === Errno.EINTR)) {
        return false;
      }
      throw e;
    }
  }
  if (TRACING) traceLine(shown, "0");
  return true;
}

/**
 * Apply `ops` (which may wait) without freezing the runtime: repeated
 * `semtimedop` with a 50 ms timeout, a turn of the event loop in between
 * (signal listeners run there), and `check()` called between attempts: it
 * may throw to give up (e.g. when the peer process has died). Returns
 * `false` when `timeoutMs` passes first. EIDRM (the set was removed) throws.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { SEM, semget, semopAsync } from "./sysv_sem.ts";
 * const id = semget(IPC.PRIVATE, 1, IPC.CREAT | 0o600);
 * await semopAsync(id, [{ num: 0, op: -1, flags: SEM.UNDO }], { timeoutMs: 100 }); // false
 * ```
 */
export async function semopAsync(
  semid: number,
  ops: SemOp[],
  options: { timeoutMs?: number; check?: () => void } = {},
): Promise<boolean> {
  const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
  for (;;) {
    const slice = Math.max(1, Math.min(POLL_SLICE_MS, deadline - Date.now()));
    if (semtimedop(semid, ops, slice)) return true;
    if (Date.now() >= deadline) return false;
    await yieldToEventLoop();
    options.check?.();
  }
}

function semctl(semid: number, num: number, cmd: number, arg: bigint, shown: string): number {
  const r = libc.semctl(semid, num, cmd, arg);
  if (r === -1) failed("semctl", shown);
  if (TRACING) traceLine(shown, String(r));
  return r;
}

/**
 * `semctl(semid, num, SETVAL, value)`: set one semaphore's value (and clear
 * every process's SEM_UNDO adjustment for it).
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { semget, semSetValue } from "./sysv_sem.ts";
 * semSetValue(semget(IPC.PRIVATE, 1, IPC.CREAT | 0o600), 0, 1);
 * ```
 */
export function semSetValue(semid: number, num: number, value: number): void {
  semctl(semid, num, SEM.SETVAL, BigInt(value), `semctl(${semid}, ${num}, SETVAL, ${value})`);
}

/**
 * `semctl(semid, num, GETVAL)`: one semaphore's value.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { semget, semGetValue } from "./sysv_sem.ts";
 * console.log(semGetValue(semget(IPC.PRIVATE, 1, IPC.CREAT | 0o600), 0)); // 0
 * ```
 */
export function semGetValue(semid: number, num: number): number {
  return semctl(semid, num, SEM.GETVAL, 0n, `semctl(${semid}, ${num}, GETVAL)`);
}

/**
 * `semctl(semid, 0, IPC_RMID)`: remove the set at once; every process
 * waiting on it wakes with EIDRM.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { semget, semRemove } from "./sysv_sem.ts";
 * semRemove(semget(IPC.PRIVATE, 1, IPC.CREAT | 0o600));
 * ```
 */
export function semRemove(semid: number): void {
  semctl(semid, 0, IPC.RMID, 0n, `semctl(${semid}, 0, IPC_RMID)`);
}

/**
 * Options of {@link SemaphoreSet.create}, {@link SemaphoreSet.open},
 * {@link SemaphoreSet.get}.
 *
 * @example
 * ```ts
 * import type { SemaphoreSetOptions } from "./sysv_sem.ts";
 * const options: SemaphoreSetOptions = { nsems: 2, mode: 0o600 };
 * ```
 */
export interface SemaphoreSetOptions {
  /** Number of semaphores (`semget`'s nsems; 0 with open: any). */
  nsems?: number;
  /** Permission bits when creating (default 0o600). */
  mode?: number;
}

/**
 * A SysV semaphore set. It follows the rules of every IPC object handle
 * (ipc_object.ts): `create`/`open`/`get`, `owned`, `keep()`/`own()`,
 * `remove()` (IPC_RMID), dispose removes it only while owned. Creating and
 * initialising are two calls, as in C (`semget`, then `semctl(SETVAL)`):
 * {@link SemaphoreSet.create} makes the set, {@link SemaphoreSet.setValue}
 * gives each semaphore its value; in between, a process that finds the set
 * by its key sees semaphores of value 0.
 *
 * @example
 * ```ts
 * import { SemaphoreSet } from "./sysv_sem.ts";
 * using set = SemaphoreSet.create(0, { nsems: 1 }); // semget(IPC_PRIVATE, 1, IPC_CREAT|IPC_EXCL|0600)
 * set.setValue(0, 1);                               // semctl(semid, 0, SETVAL, 1)
 * await set.lock(0);   // P with SEM_UNDO
 * set.unlock(0);       // V with SEM_UNDO
 * set.remove();        // semctl(semid, 0, IPC_RMID)
 * ```
 */
export class SemaphoreSet extends IpcObject {
  /** The key it was found by. */
  readonly key: number;
  /** The semid. */
  readonly id: number;
  /** Number of semaphores in the set (as given to `semget`; 0 if unknown). */
  readonly size: number;

  private constructor(key: number, id: number, size: number, owned: boolean) {
    super(owned);
    this.key = key;
    this.id = id;
    this.size = size;
  }

  /** `semctl(id, 0, IPC_RMID)`. */
  protected removeCall(): void {
    semRemove(this.id);
  }

  /**
   * A new set of `nsems` semaphores for `key`:
   * `semget(key, nsems, IPC_CREAT|IPC_EXCL|mode)`; the values are 0 until
   * {@link SemaphoreSet.setValue}. Owned.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * using set = SemaphoreSet.create(0x5e4a, { nsems: 2, mode: 0o600 });
   * ```
   */
  static create(key: number, options: SemaphoreSetOptions): SemaphoreSet {
    const nsems = options.nsems ?? 1;
    const flags = IPC.CREAT | IPC.EXCL | (options.mode ?? 0o600);
    return new SemaphoreSet(key, semget(key, nsems, flags), nsems, true);
  }

  /**
   * The existing set of `key` (`semget(key, nsems, 0)`). Not owned.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * const set = SemaphoreSet.open(0x5e4a, { nsems: 2 });
   * ```
   */
  static open(key: number, options: SemaphoreSetOptions = {}): SemaphoreSet {
    const nsems = options.nsems ?? 0;
    return new SemaphoreSet(key, semget(key, nsems, 0), nsems, false);
  }

  /**
   * `semget(key, nsems, flags)` as a C program writes it. Owned when the
   * flags hold IPC_CREAT|IPC_EXCL.
   *
   * @example
   * ```ts
   * import { IPC } from "./sysv_ipc.ts";
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * using set = SemaphoreSet.get(0x5e4a, IPC.CREAT | 0o600, { nsems: 1 });
   * ```
   */
  static get(key: number, flags: number, options: SemaphoreSetOptions = {}): SemaphoreSet {
    const nsems = options.nsems ?? 0;
    const owned = (flags & (IPC.CREAT | IPC.EXCL)) === (IPC.CREAT | IPC.EXCL);
    return new SemaphoreSet(key, semget(key, nsems, flags), nsems, owned);
  }

  /**
   * `semctl(semid, num, SETVAL, value)` ({@link semSetValue}).
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * SemaphoreSet.open(0x5e4a).setValue(0, 1);
   * ```
   */
  setValue(num: number, value: number): void {
    semSetValue(this.id, num, value);
  }

  /**
   * P (acquire) semaphore `num` with SEM_UNDO, waiting signal-friendly
   * (see {@link semopAsync}); `check` runs between attempts.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * await SemaphoreSet.open(0x5e4a).lock(0);
   * ```
   */
  async lock(
    num: number,
    options: { check?: () => void; timeoutMs?: number } = {},
  ): Promise<boolean> {
    return await semopAsync(this.id, [{ num, op: -1, flags: SEM.UNDO }], options);
  }

  /**
   * V (release) semaphore `num` with SEM_UNDO.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * SemaphoreSet.open(0x5e4a).unlock(0);
   * ```
   */
  unlock(num: number): void {
    semop(this.id, [{ num, op: 1, flags: SEM.UNDO }]);
  }

  /**
   * {@link semGetValue} of semaphore `num`.
   *
   * @example
   * ```ts
   * import { SemaphoreSet } from "./sysv_sem.ts";
   * console.log(SemaphoreSet.open(0x5e4a).value(0));
   * ```
   */
  value(num: number): number {
    return semGetValue(this.id, num);
  }
}
