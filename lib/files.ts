/**
 * Files by name: `stat`/`fstat` (both through `statx`, whose struct has one
 * layout on every architecture) and `unlink`. The one place the project
 * asks what a path or descriptor is, and the one place it removes a name
 * (a FIFO, a socket file, a mapped file).
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { cString } from "./cstring.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed } from "./fd.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;

const AT_FDCWD = C.AT_FDCWD;
const AT_EMPTY_PATH = C.AT_EMPTY_PATH;
const AT_SYMLINK_NOFOLLOW = C.AT_SYMLINK_NOFOLLOW;
const STATX_TYPE = C.STATX_TYPE;
const STATX_MODE = C.STATX_MODE;
const STATX_SIZE = C.STATX_SIZE;
/** sizeof(struct statx). */
const STATX_STRUCT_SIZE = ABI.struct.statx.sizeof;
/** Offset of `__u16 stx_mode` in struct statx. */
const STX_MODE_OFFSET = ABI.struct.statx.stx_mode;
/** Offset of `__u64 stx_size` in struct statx. */
const STX_SIZE_OFFSET = ABI.struct.statx.stx_size;
const S_IFMT = C.S_IFMT;

/**
 * What kind of file system object a path or descriptor names (`S_IFMT`).
 *
 * @example
 * ```ts
 * import { type FileType, stat } from "./files.ts";
 * const t: FileType = stat("/tmp").type; // "directory"
 * ```
 */
export type FileType =
  | "fifo"
  | "regular file"
  | "directory"
  | "symbolic link"
  | "socket"
  | "character device"
  | "block device"
  | "unknown";

const FILE_TYPES: Readonly<Record<number, FileType>> = {
  [C.S_IFIFO]: "fifo",
  [C.S_IFREG]: "regular file",
  [C.S_IFDIR]: "directory",
  [C.S_IFLNK]: "symbolic link",
  [C.S_IFSOCK]: "socket",
  [C.S_IFCHR]: "character device",
  [C.S_IFBLK]: "block device",
};

/**
 * What {@link stat} and {@link fstat} report (the fields this project needs).
 *
 * @example
 * ```ts
 * import { type FileStatus, stat } from "./files.ts";
 * const st: FileStatus = stat("/etc/hostname");
 * console.log(st.type, st.size, (st.mode & 0o777).toString(8));
 * ```
 */
export interface FileStatus {
  /** The file type decoded from `st_mode`. */
  type: FileType;
  /** `st_mode`: file type and permission bits. */
  mode: number;
  /** `st_size`: bytes in the file (0 for FIFOs, sockets, devices). */
  size: number;
}

function statx(dirfd: number, path: string, flags: number, shown: string): FileStatus {
  const buf = new Uint8Array(STATX_STRUCT_SIZE);
  const mask = STATX_TYPE | STATX_MODE | STATX_SIZE;
  if (libc.statx(dirfd, cString(path), flags, mask, buf) === -1) {
    failed("statx", shown, path === "" ? undefined : path);
  }
  const view = new DataView(buf.buffer);
  const mode = view.getUint16(STX_MODE_OFFSET, true);
  const size = Number(view.getBigUint64(STX_SIZE_OFFSET, true));
  if (TRACING) traceLine(shown, `0 (mode 0${mode.toString(8)}, size ${size})`);
  return { type: FILE_TYPES[mode & S_IFMT] ?? "unknown", mode, size };
}

/**
 * `stat(2)` of `path` (following symbolic links, as `open` does), made as
 * `statx(AT_FDCWD, path, 0)`. ENOENT and the rest throw a {@link LibcError}.
 *
 * @example
 * ```ts
 * import { stat } from "./files.ts";
 * stat("/etc/hostname").type; // "regular file"
 * ```
 */
export function stat(path: string): FileStatus {
  return statx(AT_FDCWD, path, 0, `statx(AT_FDCWD, ${quoted(path)})`);
}

/**
 * `lstat(2)` of `path`: like {@link stat}, but a symbolic link is reported
 * as itself (`"symbolic link"`), not followed; made as `statx(AT_FDCWD,
 * path, AT_SYMLINK_NOFOLLOW)`. What a program asks before it removes a
 * name it found (a stale socket file).
 *
 * @example
 * ```ts
 * import { lstat } from "./files.ts";
 * lstat("/proc/self").type; // "symbolic link"
 * ```
 */
export function lstat(path: string): FileStatus {
  return statx(
    AT_FDCWD,
    path,
    AT_SYMLINK_NOFOLLOW,
    `statx(AT_FDCWD, ${quoted(path)}, AT_SYMLINK_NOFOLLOW)`,
  );
}

/**
 * `fstat(2)` of an open descriptor, made as `statx(fd, "", AT_EMPTY_PATH)`.
 *
 * @example
 * ```ts
 * import { fstat } from "./files.ts";
 * import { pipe } from "./fd.ts";
 * using p = pipe();
 * fstat(p.read.fd).type; // "fifo": a pipe is an unnamed FIFO
 * ```
 */
export function fstat(fd: number): FileStatus {
  return statx(fd, "", AT_EMPTY_PATH, `statx(${fd}, "", AT_EMPTY_PATH)`);
}

/**
 * The type of the object at `path`, or `null` when nothing is there
 * ({@link stat} with ENOENT as an answer, not an error).
 *
 * @example
 * ```ts
 * import { fileType } from "./files.ts";
 * fileType("/etc/hostname"); // "regular file"
 * fileType("/nope");         // null
 * ```
 */
export function fileType(path: string): FileType | null {
  try {
    return stat(path).type;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return null;
    throw e;
  }
}

/**
 * `unlink(2)`: remove the name `path`. Processes that have the file open
 * keep using it; it is freed when the last one closes it.
 *
 * @example
 * ```ts
 * import { unlink } from "./files.ts";
 * try { unlink("/tmp/ipc-lab-nothing-here"); } catch (e) { console.log(String(e)); }
 * ```
 */
export function unlink(path: string): void {
  const shown = `unlink(${quoted(path)})`;
  if (libc.unlink(cString(path)) === -1) failed("unlink", shown, path);
  if (TRACING) traceLine(shown, "0");
}

/**
 * {@link unlink}, but a name that is already gone (ENOENT) is an answer,
 * not an error: for cleanups that may run after the normal removal.
 * Returns whether it removed something.
 *
 * @example
 * ```ts
 * import { unlinkIfExists } from "./files.ts";
 * unlinkIfExists("/tmp/ipc-lab-nothing-here"); // false
 * ```
 */
export function unlinkIfExists(path: string): boolean {
  try {
    unlink(path);
    return true;
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) return false;
    throw e;
  }
}
