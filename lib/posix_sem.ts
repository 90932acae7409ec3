/**
 * POSIX named semaphores: `sem_open`, `sem_wait`/`sem_trywait`/
 * `sem_timedwait`, `sem_post`, `sem_getvalue`, `sem_close`, `sem_unlink`.
 *
 * A named semaphore is one counter with a name like `/something`; glibc
 * keeps it in a small shared file `/dev/shm/sem.something` that each process
 * maps. `sem_open` returns a `sem_t *` into that mapping, or `SEM_FAILED`,
 * which glibc defines as `((sem_t *) 0)`: NULL (checked in
 * `<bits/semaphore.h>`; other systems use `(sem_t *) -1`, so this module
 * checks for both).
 *
 * Unlike SysV semaphores there is no SEM_UNDO: a process killed while it
 * holds the semaphore leaves it taken for ever. The name lasts until
 * `sem_unlink`.
 *
 * Waits stay signal-friendly: {@link NamedSemaphore.wait} uses
 * `sem_timedwait` with a deadline 50 ms away and yields to the event loop
 * between attempts.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed, POLL_SLICE_MS, yieldToEventLoop } from "./fd.ts";
import { cString } from "./cstring.ts";
import { O } from "./constants.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";
import { IpcObject } from "./ipc_object.ts";

const ALL_ONES = 0xffffffffffffffffn;

function oflagText(oflag: number): string {
  const names: string[] = [];
  if (oflag & O.CREAT) names.push("O_CREAT");
  if (oflag & O.EXCL) names.push("O_EXCL");
  return names.length ? names.join("|") : "0";
}

/**
 * Options of {@link NamedSemaphore.create} and {@link NamedSemaphore.open}.
 *
 * @example
 * ```ts
 * import type { NamedSemaphoreOptions } from "./posix_sem.ts";
 * const options: NamedSemaphoreOptions = { value: 1, mode: 0o600 };
 * ```
 */
export interface NamedSemaphoreOptions {
  /** `sem_open`'s oflag with open: 0 (the default) or `O.CREAT` as a C program writes it. */
  flags?: number;
  /** Permission bits when creating (default 0o600). */
  mode?: number;
  /** The initial value when creating (default 0). */
  value?: number;
}

/**
 * An open named semaphore. It follows the rules of every IPC object handle
 * (ipc_object.ts): `create`/`open`, `owned`, `keep()`/`own()`, `remove()`
 * (`sem_unlink`), `close()` (`sem_close`, once; using it afterwards throws
 * a clear Error instead of touching unmapped memory); dispose closes, then
 * removes while owned.
 *
 * @example
 * ```ts
 * import { NamedSemaphore } from "./posix_sem.ts";
 * using sem = NamedSemaphore.create("/demo-sem", { value: 1 }); // sem_open(O_CREAT|O_EXCL)
 * await sem.wait();                                             // sem_wait
 * sem.post();                                                   // sem_post
 * sem.close();                                                  // sem_close
 * sem.remove();                                                 // sem_unlink
 * ```
 */
export class NamedSemaphore extends IpcObject {
  /** The semaphore's name, e.g. `/demo-sem`. */
  readonly name: string;
  #sem: Deno.PointerObject | null;

  private constructor(name: string, sem: Deno.PointerObject, owned: boolean) {
    super(owned);
    this.name = name;
    this.#sem = sem;
  }

  /**
   * `sem_open(name, flags, mode, value)` as a C program writes it: the
   * existing semaphore, or with `O.CREAT` one made if missing. Owned only
   * with `O.CREAT|O.EXCL`. ENOENT without O_CREAT when it does not exist.
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * import { O } from "./constants.ts";
   * using sem = NamedSemaphore.open("/demo-sem", { flags: O.CREAT, value: 1 });
   * ```
   */
  static open(name: string, options: NamedSemaphoreOptions = {}): NamedSemaphore {
    const oflag = options.flags ?? 0;
    const mode = options.mode ?? 0o600;
    const value = options.value ?? 0;
    const shown = `sem_open(${quoted(name)}, ${oflagText(oflag)}${
      oflag & O.CREAT ? `, 0${mode.toString(8)}, ${value}` : ""
    })`;
    const sem = libc.sem_open(cString(name), oflag, mode, value);
    // SEM_FAILED: NULL on glibc, (sem_t *) -1 elsewhere.
    if (sem === null || Deno.UnsafePointer.value(sem) === ALL_ONES) {
      failed("sem_open", shown, name);
    }
    if (TRACING) traceLine(shown, `0x${Deno.UnsafePointer.value(sem).toString(16)}`);
    const owned = (oflag & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL);
    return new NamedSemaphore(name, sem, owned);
  }

  /**
   * A new semaphore: `sem_open(name, O_CREAT|O_EXCL, mode, value)`. Owned.
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * using sem = NamedSemaphore.create("/demo-sem", { value: 1 });
   * ```
   */
  static create(name: string, options: NamedSemaphoreOptions = {}): NamedSemaphore {
    return NamedSemaphore.open(name, { ...options, flags: O.CREAT | O.EXCL });
  }

  /** `sem_unlink(name)`. */
  protected removeCall(): void {
    semUnlink(this.name);
  }

  /** Closes the handle (dispose). */
  protected override closeHandle(): void {
    this.close();
  }

  #live(): Deno.PointerObject {
    if (this.#sem === null) throw new Error(`semaphore ${this.name} used after sem_close`);
    return this.#sem;
  }

  /**
   * `sem_trywait(3)`: take the semaphore if its value is above 0 (`true`),
   * else `false` (EAGAIN) without waiting.
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * using sem = NamedSemaphore.open("/demo-sem");
   * if (sem.tryWait()) sem.post();
   * ```
   */
  tryWait(): boolean {
    const shown = `sem_trywait(${quoted(this.name)})`;
    if (libc.sem_trywait(this.#live()) === -1) {
      try {
        failed("sem_trywait", shown, this.name);
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
   * `sem_timedwait(3)` until `timeoutMs` from now: `true` when taken,
   * `false` on ETIMEDOUT or EINTR. (The deadline is absolute CLOCK_REALTIME
   * in C; it is computed here from `Date.now()`.)
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * using sem = NamedSemaphore.open("/demo-sem");
   * sem.timedWait(10); // false if nobody posts within 10 ms
   * ```
   */
  timedWait(timeoutMs: number): boolean {
    const until = Date.now() + timeoutMs;
    const abs = new BigInt64Array([
      BigInt(Math.floor(until / 1000)),
      BigInt((until % 1000) * 1_000_000),
    ]);
    const shown = `sem_timedwait(${quoted(this.name)}, {+${timeoutMs} ms})`;
    if (libc.sem_timedwait(this.#live(), new Uint8Array(abs.buffer)) === -1) {
      try {
        failed("sem_timedwait", shown, this.name);
      } catch (e) {
        if (
          e instanceof LibcError && (e.errno === Errno.ETIMEDOUT || e.errno === Errno.EINTR)
        ) return false;
        throw e;
      }
    }
    if (TRACING) traceLine(shown, "0");
    return true;
  }

  /**
   * `sem_wait` made signal-friendly: {@link NamedSemaphore.timedWait} in
   * 50 ms slices with a turn of the event loop and `check()` in between.
   * `false` when `timeoutMs` passes first.
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * using sem = NamedSemaphore.open("/demo-sem");
   * await sem.wait(); // Ctrl+C still works meanwhile
   * ```
   */
  async wait(options: { timeoutMs?: number; check?: () => void } = {}): Promise<boolean> {
    const deadline = options.timeoutMs === undefined ? Infinity : Date.now() + options.timeoutMs;
    for (;;) {
      if (this.timedWait(Math.max(1, Math.min(POLL_SLICE_MS, deadline - Date.now())))) {
        return true;
      }
      if (Date.now() >= deadline) return false;
      await yieldToEventLoop();
      options.check?.();
    }
  }

  /**
   * `sem_post(3)`: add one (wakes one waiter).
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * using sem = NamedSemaphore.open("/demo-sem");
   * sem.post();
   * ```
   */
  post(): void {
    const shown = `sem_post(${quoted(this.name)})`;
    if (libc.sem_post(this.#live()) === -1) failed("sem_post", shown, this.name);
    if (TRACING) traceLine(shown, "0");
  }

  /**
   * `sem_getvalue(3)`: the current value.
   *
   * @example
   * ```ts
   * import { NamedSemaphore } from "./posix_sem.ts";
   * using sem = NamedSemaphore.open("/demo-sem");
   * console.log(sem.value());
   * ```
   */
  value(): number {
    const out = new Int32Array(1);
    const shown = `sem_getvalue(${quoted(this.name)}, ...)`;
    if (libc.sem_getvalue(this.#live(), new Uint8Array(out.buffer)) === -1) {
      failed("sem_getvalue", shown, this.name);
    }
    if (TRACING) traceLine(`sem_getvalue(${quoted(this.name)}, [${out[0]}])`, "0");
    return out[0];
  }

  /** `sem_close(3)`; a second call does nothing. */
  close(): void {
    const sem = this.#sem;
    if (sem === null) return;
    this.#sem = null;
    const shown = `sem_close(${quoted(this.name)})`;
    if (libc.sem_close(sem) === -1) failed("sem_close", shown, this.name);
    if (TRACING) traceLine(shown, "0");
  }
}

/**
 * `sem_unlink(3)`: remove the name (ENOENT when there is none); processes
 * that have it open keep using it until they close it.
 *
 * @example
 * ```ts
 * import { semUnlink } from "./posix_sem.ts";
 * semUnlink("/demo-sem");
 * ```
 */
export function semUnlink(name: string): void {
  const shown = `sem_unlink(${quoted(name)})`;
  if (libc.sem_unlink(cString(name)) === -1) failed("sem_unlink", shown, name);
  if (TRACING) traceLine(shown, "0");
}
