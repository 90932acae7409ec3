/**
 * The rules every IPC object handle of `lib/` follows, written once:
 * System V segments, semaphore sets and queues (`Segment`,
 * `SemaphoreSet`, `MessageQueue`) and POSIX shared
 * memory objects, queues and named semaphores (`SharedMemoryObject`,
 * `PosixMessageQueue`, `NamedSemaphore`).
 *
 * - **Made by static functions**, never `new`; the key or name comes first,
 *   everything else in one options object (`mode` defaults to `0o600`):
 *   - `X.create(keyOrName, options)`: a new object, exclusively
 *     (`IPC_CREAT|IPC_EXCL`, `O_CREAT|O_EXCL`): EEXIST if there is one.
 *     One libc call, nothing more (a semaphore set's values are set by the
 *     caller, `semctl(SETVAL)`, a shm object's size by `ftruncate`: those
 *     are the lesson's calls). The handle **owns** the object.
 *   - `X.open(keyOrName, options)`: the existing object (ENOENT if none).
 *     Not owned.
 *   - `X.get(key, flags, options)` (System V) and `X.open(name, { flags })`
 *     (POSIX): the call exactly as a C program writes it (`IPC_CREAT`
 *     without `IPC_EXCL`...). Owned when the flags say it was created.
 * - **`owned`**: whether this handle removes the object when disposed;
 *   `keep()` gives that up (the object outlives the program), `own()`
 *   takes it (clean up what someone else left).
 * - **`remove()`**: remove the object now, owned or not (`IPC_RMID`,
 *   `shm_unlink`, `mq_unlink`, `sem_unlink`). Returns `true` when this call
 *   removed it, `false` when it was already gone (EINVAL/EIDRM, ENOENT: an
 *   outside `ipcrm`, the peer removed it) or removed before; other errors
 *   throw. Afterwards the handle owns nothing.
 * - **`close()`** (POSIX only): give back this process's descriptor or
 *   handle (`close`, `mq_close`, `sem_close`); the object stays. A System V
 *   segment's per-process handle is its attachment: `attach()` / `detach()`.
 * - **Disposing** (`using`): `close()`, then `remove()` if still owned. It is
 *   the safety net of error paths: an example calls `close()` and `remove()`
 *   by name where its C original does, so on the normal path disposing has
 *   nothing left to do.
 *
 * @module
 */
import { Errno, LibcError } from "./errno.ts";
import { asDisposer } from "./trace.ts";

/**
 * Whether `e` says the object is already gone: EINVAL or EIDRM (System V:
 * removed, maybe by an outside `ipcrm`), ENOENT (POSIX: no such name).
 *
 * @example
 * ```ts
 * import { isGone } from "./ipc_object.ts";
 * import { Errno, LibcError } from "./errno.ts";
 * isGone(new LibcError("shmctl", Errno.EINVAL)); // true
 * ```
 */
export function isGone(e: unknown): e is LibcError {
  return e instanceof LibcError &&
    (e.errno === Errno.EINVAL || e.errno === Errno.EIDRM || e.errno === Errno.ENOENT);
}

/**
 * The common part of every IPC object handle: ownership, `remove()` once,
 * dispose. Subclasses name the removing call and, for POSIX, the closing one.
 *
 * @example
 * ```ts
 * import { IpcObject } from "./ipc_object.ts";
 * class Demo extends IpcObject {
 *   protected removeCall(): void {}
 * }
 * using d = new Demo(true);
 * console.log(d.owned, d.remove(), d.owned); // true true false
 * ```
 */
export abstract class IpcObject implements Disposable {
  #owned: boolean | undefined;
  #removed = false;

  /**
   * Start a handle's ownership record (subclasses call this from their
   * private constructors).
   *
   * @param owned whether this handle made the object; `undefined` when the
   *   call could not tell (asked of {@link IpcObject.findOutOwned} when needed)
   */
  constructor(owned: boolean | undefined) {
    this.#owned = owned;
  }

  /** The libc call that removes the object (throws a LibcError). */
  protected abstract removeCall(): void;

  /** Release this process's handle (POSIX `close`); nothing by default. */
  protected closeHandle(): void {}

  /** Asked once when ownership was unknown at creation; default: not ours. */
  protected findOutOwned(): boolean {
    return false;
  }

  /** True once `remove()` removed the object or found it gone. */
  get removed(): boolean {
    return this.#removed;
  }

  /** Whether disposing removes the object (see the module doc). */
  get owned(): boolean {
    if (this.#removed) return false;
    this.#owned ??= this.findOutOwned();
    return this.#owned;
  }

  /** Let the object outlive this handle and the program. */
  keep(): this {
    this.#owned = false;
    return this;
  }

  /** Have dispose remove the object although this handle did not make it. */
  own(): this {
    this.#owned = true;
    return this;
  }

  /**
   * Remove the object now: `true` when this call removed it, `false` when
   * it was already gone or removed before. Other errors throw.
   */
  remove(): boolean {
    if (this.#removed) return false;
    try {
      this.removeCall();
    } catch (e) {
      if (!isGone(e)) throw e;
      this.#removed = true;
      return false;
    }
    this.#removed = true;
    return true;
  }

  /** Close the handle, then remove the object if still owned. */
  [Symbol.dispose](): void {
    asDisposer(() => this.#dispose());
  }

  #dispose(): void {
    let closeError: unknown;
    try {
      this.closeHandle();
    } catch (e) {
      closeError = e;
    }
    let owned = false;
    try {
      owned = this.owned;
    } catch (e) {
      if (!isGone(e)) throw e;
    }
    if (owned) this.remove();
    if (closeError !== undefined) throw closeError;
  }
}
