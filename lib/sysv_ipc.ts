/**
 * What the three System V IPC kinds (shared memory, semaphore arrays,
 * message queues) have in common: the `IPC_*` flags and commands, `ftok`,
 * keys printed as `ipcs` prints them, `struct ipc_perm`, and owner names.
 *
 * System V objects are not files and not tied to a process: each lives in
 * the kernel, named by a `key_t`, until someone removes it (`IPC_RMID`) or
 * the machine reboots.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { cString, cStringAt } from "./cstring.ts";
import { failed } from "./fd.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";
import { formatKey } from "./keys.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;
const PERM = ABI.struct.ipc_perm;

/** `<sys/ipc.h>`: flags for `*get` and commands for `*ctl`. */
export const IPC = {
  /** The key that always makes a new object (0). */
  PRIVATE: C.IPC_PRIVATE,
  /** `*get` flag: create the object if the key has none. */
  CREAT: C.IPC_CREAT,
  /** `*get` flag with CREAT: fail with EEXIST if the key has one. */
  EXCL: C.IPC_EXCL,
  /** `semop`/`msgsnd`/`msgrcv` flag: do not block. */
  NOWAIT: C.IPC_NOWAIT,
  /** `*ctl` command: remove the object. */
  RMID: C.IPC_RMID,
  /** `*ctl` command: set owner and mode. */
  SET: C.IPC_SET,
  /** `*ctl` command: read the object's status. */
  STAT: C.IPC_STAT,
  /** `*ctl` command: system-wide limits. */
  INFO: C.IPC_INFO,
} as const;

/**
 * Byte offsets of `struct ipc_perm` (from lib/abi.ts), the
 * first member of `shmid_ds`, `semid_ds` and `msqid_ds`.
 */
export const IPC_PERM = {
  key: PERM.__key,
  uid: PERM.uid,
  gid: PERM.gid,
  cuid: PERM.cuid,
  cgid: PERM.cgid,
  mode: PERM.mode,
  seq: PERM.__seq,
  size: PERM.sizeof,
} as const;

/** `struct ipc_perm`, decoded. */
export interface IpcPerm {
  /** The object's key as an unsigned 32-bit number (0 once removed while still in use). */
  key: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Creator user id. */
  cuid: number;
  /** Creator group id. */
  cgid: number;
  /** The whole mode word: permission bits plus kind-specific flags (SHM_DEST...). */
  mode: number;
  /** Sequence number, part of how ids are made. */
  seq: number;
}

/**
 * Decode a `struct ipc_perm` at `offset` of `view`.
 *
 * @example
 * ```ts
 * import { readIpcPerm } from "./sysv_ipc.ts";
 * const perm = readIpcPerm(new DataView(new ArrayBuffer(112)));
 * console.log(perm.mode & 0o777);
 * ```
 */
export function readIpcPerm(view: DataView, offset = 0): IpcPerm {
  return {
    key: view.getUint32(offset + IPC_PERM.key, true),
    uid: view.getUint32(offset + IPC_PERM.uid, true),
    gid: view.getUint32(offset + IPC_PERM.gid, true),
    cuid: view.getUint32(offset + IPC_PERM.cuid, true),
    cgid: view.getUint32(offset + IPC_PERM.cgid, true),
    mode: view.getUint32(offset + IPC_PERM.mode, true),
    seq: view.getUint16(offset + IPC_PERM.seq, true),
  };
}

/**
 * A `*get` flag word as C source would write it, for trace lines:
 * `IPC_CREAT|IPC_EXCL|0660`.
 *
 * @example
 * ```ts
 * import { IPC, ipcFlagText } from "./sysv_ipc.ts";
 * ipcFlagText(IPC.CREAT | 0o660); // "IPC_CREAT|0660"
 * ```
 */
export function ipcFlagText(flags: number): string {
  const names: string[] = [];
  if (flags & IPC.CREAT) names.push("IPC_CREAT");
  if (flags & IPC.EXCL) names.push("IPC_EXCL");
  const rest = flags & ~(IPC.CREAT | IPC.EXCL);
  if (rest !== 0 || names.length === 0) names.push(`0${rest.toString(8)}`);
  return names.join("|");
}

/**
 * `ftok(3)`: a key made from an existing file's inode and device numbers
 * and the low 8 bits of `projectId`. Two programs that name the same file
 * and id get the same key. Fails (ENOENT...) when the file does not exist.
 *
 * @example
 * ```ts
 * import { ftok } from "./sysv_ipc.ts";
 * import { formatKey } from "./keys.ts";
 * const key = ftok("/etc/hostname", 1234); // seed 003's sysv_shmget does this
 * console.log(formatKey(key));
 * ```
 */
export function ftok(path: string, projectId: number): number {
  const shown = `ftok(${quoted(path)}, ${projectId})`;
  const key = libc.ftok(cString(path), projectId);
  if (key === -1) failed("ftok", shown, path);
  if (TRACING) traceLine(shown, formatKey(key));
  return key;
}

/**
 * A C `time_t` (seconds since the epoch) as a `Date`; `null` for 0, which
 * the kernel uses for "never" (e.g. `shm_dtime` of a segment never detached).
 *
 * @example
 * ```ts
 * import { dateOrNull } from "./sysv_ipc.ts";
 * dateOrNull(0n); // null
 * ```
 */
export function dateOrNull(seconds: bigint): Date | null {
  return seconds === 0n ? null : new Date(Number(seconds) * 1000);
}

const PASSWD = ABI.struct.passwd;
const ERANGE = C.ERANGE;

/**
 * The user name of `uid` (through `getpwuid_r`, so NSS sources like LDAP
 * count, as for `ipcs`), or `undefined` when the user has no entry.
 *
 * @example
 * ```ts
 * import { userName } from "./sysv_ipc.ts";
 * userName(0); // "root"
 * userName(12345); // undefined on most machines
 * ```
 */
export function userName(uid: number): string | undefined {
  const pwd = new Uint8Array(PASSWD.sizeof);
  const result = new BigUint64Array(1);
  for (let size = 1024; size <= 1 << 20; size *= 4) {
    const buf = new Uint8Array(size);
    const r = libc.getpwuid_r(uid, pwd, buf, BigInt(size), new Uint8Array(result.buffer));
    if (r === ERANGE) continue;
    if (r !== 0 || result[0] === 0n) return undefined;
    // pw_name points into `buf`: read it from there, not through a pointer.
    const name = new DataView(pwd.buffer).getBigUint64(PASSWD.pw_name, true);
    const offset = Number(name - Deno.UnsafePointer.value(Deno.UnsafePointer.of(buf)));
    return offset >= 0 && offset < size ? cStringAt(buf, offset) : undefined;
  }
  return undefined;
}
