/**
 * errno, and the one error class every wrapper in `lib/` throws.
 *
 * errno is a thread-local `int`. We read it through a view over
 * `__errno_location()` made once per thread, and we read it *immediately*
 * after the failing call: any Deno API in between (even `console.log`) may
 * overwrite it.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { ABI } from "./abi.ts";

let errnoView: Int32Array | undefined;

/**
 * The calling thread's current errno value. Call it right after the failed
 * libc call, before anything else.
 *
 * @example
 * ```ts
 * import { libc } from "./ffi/libc_ffi.ts";
 * import { currentErrno } from "./errno.ts";
 * if (libc.close(-1) === -1) console.log(currentErrno()); // 9 (EBADF)
 * ```
 */
export function currentErrno(): number {
  if (errnoView === undefined) {
    const location = libc.__errno_location();
    if (location === null) throw new Error("__errno_location returned NULL");
    errnoView = new Int32Array(
      Deno.UnsafePointerView.getArrayBuffer(location, 4),
    );
  }
  return errnoView[0];
}

/**
 * The symbolic name of an errno value, from libc's own `strerrorname_np`.
 *
 * @example
 * ```ts
 * import { errnoName } from "./errno.ts";
 * errnoName(11); // "EAGAIN"
 * ```
 */
export function errnoName(errno: number): string {
  const p = libc.strerrorname_np(errno);
  return p === null ? `E${errno}` : Deno.UnsafePointerView.getCString(p);
}

/**
 * The text of an errno value, from libc's `strerrordesc_np`.
 *
 * @example
 * ```ts
 * import { errnoText } from "./errno.ts";
 * errnoText(17); // "File exists"
 * ```
 */
export function errnoText(errno: number): string {
  const p = libc.strerrordesc_np(errno);
  return p === null ? `Unknown error ${errno}` : Deno.UnsafePointerView.getCString(p);
}

/** Commonly tested errno values (from lib/abi.ts). */
export const Errno = {
  EPERM: ABI.const.EPERM,
  ENOENT: ABI.const.ENOENT,
  ESRCH: ABI.const.ESRCH,
  EINTR: ABI.const.EINTR,
  EIO: ABI.const.EIO,
  ENXIO: ABI.const.ENXIO,
  EBADF: ABI.const.EBADF,
  ECHILD: ABI.const.ECHILD,
  EAGAIN: ABI.const.EAGAIN,
  ENOMEM: ABI.const.ENOMEM,
  EACCES: ABI.const.EACCES,
  EEXIST: ABI.const.EEXIST,
  ENOTDIR: ABI.const.ENOTDIR,
  EISDIR: ABI.const.EISDIR,
  EINVAL: ABI.const.EINVAL,
  EMFILE: ABI.const.EMFILE,
  ENOSPC: ABI.const.ENOSPC,
  EPIPE: ABI.const.EPIPE,
  ENOMSG: ABI.const.ENOMSG,
  EIDRM: ABI.const.EIDRM,
  ETIMEDOUT: ABI.const.ETIMEDOUT,
} as const;

/**
 * A failed libc call: the call's name, the errno number, its name and its
 * text. The message reads like `shmget: EEXIST (File exists)`, or with a
 * subject (a path, a key) `open testfifo: ENOENT (No such file or directory)`.
 *
 * @example
 * ```ts
 * import { close } from "./fd.ts";
 * import { LibcError } from "./errno.ts";
 * try {
 *   close(-1);
 * } catch (e) {
 *   if (e instanceof LibcError) console.log(e.code); // "EBADF"
 * }
 * ```
 */
export class LibcError extends Error {
  /** The libc function that failed, e.g. `"shmget"`. */
  readonly call: string;
  /** The errno number, e.g. 17. */
  readonly errno: number;
  /** The errno name, e.g. `"EEXIST"`. */
  readonly code: string;
  /** The errno text, e.g. `"File exists"`. */
  readonly description: string;
  /** What the call was about (a path, a key), when the caller said. */
  readonly subject?: string;

  /**
   * Build the error for a failed call; reads the errno name and text.
   *
   * @param call the libc function's name
   * @param errno the errno value the call left
   * @param subject optional path or key named in the message
   */
  constructor(call: string, errno: number, subject?: string) {
    const code = errnoName(errno);
    const description = errnoText(errno);
    super(
      `${call}${subject === undefined ? "" : ` ${subject}`}: ${code} (${description})`,
    );
    this.name = "LibcError";
    this.call = call;
    this.errno = errno;
    this.code = code;
    this.description = description;
    this.subject = subject;
  }
}
