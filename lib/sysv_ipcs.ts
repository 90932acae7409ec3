/**
 * Listing and removing every System V IPC object on the machine, the way
 * `ipcs` and `ipcrm` do: enumerate the kernel's tables with
 * `shmctl(SHM_INFO)` + `shmctl(i, SHM_STAT_ANY)` (and the `SEM_*`/`MSG_*`
 * twins) for every index up to the highest one in use, and remove by id or
 * by key (`*get(key, 0, 0)` then `IPC_RMID`).
 *
 * No file access is needed (not even `/proc/sysvipc`): plain libc calls.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { currentErrno, Errno, LibcError } from "./errno.ts";
import { failed } from "./fd.ts";
import { traceLine, TRACING } from "./trace.ts";
import { dateOrNull, IPC, type IpcPerm, readIpcPerm } from "./sysv_ipc.ts";
import { formatKey, keyText } from "./keys.ts";
import { ABI } from "./abi.ts";
import { decodeShmidDs, SHM, shmget, SHMID_DS, shmRemove, type ShmStat } from "./sysv_shm.ts";

/** The three kinds, named as `/proc/sysvipc/*` names them. */
export type IpcKind = "shm" | "sem" | "msg";

/** `semctl`/`msgctl` enumeration commands (Linux). */
export const SEM_CMD = {
  STAT: ABI.const.SEM_STAT,
  INFO: ABI.const.SEM_INFO,
  STAT_ANY: ABI.const.SEM_STAT_ANY,
} as const;
/** `msgctl` enumeration commands (Linux). */
export const MSG_CMD = {
  STAT: ABI.const.MSG_STAT,
  INFO: ABI.const.MSG_INFO,
  STAT_ANY: ABI.const.MSG_STAT_ANY,
} as const;

/** A shared memory segment in the system table. */
export interface ShmEntry extends ShmStat {
  /** Its shmid. */
  id: number;
}

/** A semaphore array in the system table (`struct semid_ds`). */
export interface SemEntry extends IpcPerm {
  /** Its semid. */
  id: number;
  /** Permission bits. */
  perms: number;
  /** Number of semaphores in the array. */
  nsems: number;
  /** Last semop; `null` for never. */
  otime: Date | null;
  /** Last change. */
  ctime: Date | null;
}

/** A message queue in the system table (`struct msqid_ds`). */
export interface MsgEntry extends IpcPerm {
  /** Its msqid. */
  id: number;
  /** Permission bits. */
  perms: number;
  /** Bytes of message text queued (`used-bytes`). */
  usedBytes: number;
  /** Messages queued. */
  messages: number;
  /** Maximum bytes allowed in the queue. */
  maxBytes: number;
  /** Last sender's pid. */
  lspid: number;
  /** Last receiver's pid. */
  lrpid: number;
  /** Last msgsnd; `null` for never. */
  stime: Date | null;
  /** Last msgrcv; `null` for never. */
  rtime: Date | null;
  /** Last change. */
  ctime: Date | null;
}

/**
 * Byte offsets in `struct semid_ds` (from lib/abi.ts: x86_64 pads each time
 * field to 16 bytes, aarch64 does not, so `sem_nsems` is at 80 or 64).
 */
export const SEMID_DS = {
  size: ABI.struct.semid_ds.sizeof,
  otime: ABI.struct.semid_ds.sem_otime,
  ctime: ABI.struct.semid_ds.sem_ctime,
  nsems: ABI.struct.semid_ds.sem_nsems,
} as const;
/** Byte offsets in `struct msqid_ds` (from lib/abi.ts). */
export const MSQID_DS = {
  size: ABI.struct.msqid_ds.sizeof,
  stime: ABI.struct.msqid_ds.msg_stime,
  rtime: ABI.struct.msqid_ds.msg_rtime,
  ctime: ABI.struct.msqid_ds.msg_ctime,
  cbytes: ABI.struct.msqid_ds.__msg_cbytes,
  qnum: ABI.struct.msqid_ds.msg_qnum,
  qbytes: ABI.struct.msqid_ds.msg_qbytes,
  lspid: ABI.struct.msqid_ds.msg_lspid,
  lrpid: ABI.struct.msqid_ds.msg_lrpid,
} as const;

function pointerArg(buffer: Uint8Array): bigint {
  // `as Uint8Array<ArrayBuffer>`: Deno 2.5 to 2.8.2 type FFI buffers as ArrayBuffer-backed only.
  return Deno.UnsafePointer.value(Deno.UnsafePointer.of(buffer as Uint8Array<ArrayBuffer>));
}

/**
 * Walk one kind's table: `info()` gives the highest index in use, `stat(i,
 * any)` fills the struct for index i and returns its id (or -1). Unused
 * slots fail with EINVAL, unreadable ones (plain *_STAT, not root) EACCES;
 * both are skipped. A kernel older than 4.17 has no *_STAT_ANY: all calls
 * fail with EINVAL, and we look again with the plain command.
 */
function walk<T>(
  name: string,
  info: () => number,
  stat: (index: number, any: boolean) => number,
  decode: (id: number) => T,
): T[] {
  const highest = info();
  for (const any of [true, false]) {
    const out: T[] = [];
    for (let index = 0; index <= highest; index++) {
      const id = stat(index, any);
      if (id === -1) {
        const errno = currentErrno();
        if (errno === Errno.EINVAL || errno === Errno.EACCES || errno === Errno.EIDRM) continue;
        throw new LibcError(name, errno, `index ${index}`);
      }
      out.push(decode(id));
    }
    if (out.length > 0 || !any) return out;
  }
  return [];
}

/**
 * Every shared memory segment on the machine, in table order (as `ipcs -m`
 * lists them).
 *
 * @example
 * ```ts
 * import { listSharedMemory } from "./sysv_ipcs.ts";
 * for (const s of listSharedMemory()) console.log(s.id, s.size, s.nattch);
 * ```
 */
export function listSharedMemory(): ShmEntry[] {
  const ds = new Uint8Array(SHMID_DS.size);
  return walk(
    "shmctl",
    () => {
      const r = libc.shmctl(0, SHM.INFO, new Uint8Array(ABI.struct.shm_info.sizeof));
      if (r === -1) failed("shmctl", "shmctl(0, SHM_INFO, ...)");
      if (TRACING) traceLine("shmctl(0, SHM_INFO, ...)", String(r));
      return r;
    },
    (i, any) => libc.shmctl(i, any ? SHM.STAT_ANY : SHM.STAT, ds),
    (id) => ({ id, ...decodeShmidDs(ds) }),
  );
}

/**
 * Every semaphore array on the machine, in table order.
 *
 * @example
 * ```ts
 * import { listSemaphoreArrays } from "./sysv_ipcs.ts";
 * for (const s of listSemaphoreArrays()) console.log(s.id, s.nsems);
 * ```
 */
export function listSemaphoreArrays(): SemEntry[] {
  const ds = new Uint8Array(SEMID_DS.size);
  const view = new DataView(ds.buffer);
  const info = new Uint8Array(ABI.struct.seminfo.sizeof);
  return walk(
    "semctl",
    () => {
      const r = libc.semctl(0, 0, SEM_CMD.INFO, pointerArg(info));
      if (r === -1) failed("semctl", "semctl(0, 0, SEM_INFO, ...)");
      if (TRACING) traceLine("semctl(0, 0, SEM_INFO, ...)", String(r));
      return r;
    },
    (i, any) => libc.semctl(i, 0, any ? SEM_CMD.STAT_ANY : SEM_CMD.STAT, pointerArg(ds)),
    (id) => {
      const perm = readIpcPerm(view);
      return {
        id,
        ...perm,
        perms: perm.mode & 0o777,
        nsems: Number(view.getBigUint64(SEMID_DS.nsems, true)),
        otime: dateOrNull(view.getBigInt64(SEMID_DS.otime, true)),
        ctime: dateOrNull(view.getBigInt64(SEMID_DS.ctime, true)),
      };
    },
  );
}

/**
 * Every message queue on the machine, in table order.
 *
 * @example
 * ```ts
 * import { listMessageQueues } from "./sysv_ipcs.ts";
 * for (const q of listMessageQueues()) console.log(q.id, q.messages);
 * ```
 */
export function listMessageQueues(): MsgEntry[] {
  const ds = new Uint8Array(MSQID_DS.size);
  const view = new DataView(ds.buffer);
  return walk(
    "msgctl",
    () => {
      const r = libc.msgctl(0, MSG_CMD.INFO, new Uint8Array(ABI.struct.msginfo.sizeof));
      if (r === -1) failed("msgctl", "msgctl(0, MSG_INFO, ...)");
      if (TRACING) traceLine("msgctl(0, MSG_INFO, ...)", String(r));
      return r;
    },
    (i, any) => libc.msgctl(i, any ? MSG_CMD.STAT_ANY : MSG_CMD.STAT, ds),
    (id) => {
      const perm = readIpcPerm(view);
      return {
        id,
        ...perm,
        perms: perm.mode & 0o777,
        usedBytes: Number(view.getBigUint64(MSQID_DS.cbytes, true)),
        messages: Number(view.getBigUint64(MSQID_DS.qnum, true)),
        maxBytes: Number(view.getBigUint64(MSQID_DS.qbytes, true)),
        lspid: view.getInt32(MSQID_DS.lspid, true),
        lrpid: view.getInt32(MSQID_DS.lrpid, true),
        stime: dateOrNull(view.getBigInt64(MSQID_DS.stime, true)),
        rtime: dateOrNull(view.getBigInt64(MSQID_DS.rtime, true)),
        ctime: dateOrNull(view.getBigInt64(MSQID_DS.ctime, true)),
      };
    },
  );
}

const KIND_WORDS: Record<IpcKind, string> = {
  shm: "shared memory segment",
  sem: "semaphore array",
  msg: "message queue",
};

/**
 * The id of the existing object of `kind` with `key` (`shmget(key, 0, 0)`,
 * `semget(key, 0, 0)`, `msgget(key, 0)`). ENOENT when the key has none.
 *
 * @example
 * ```ts
 * import { idOfKey } from "./sysv_ipcs.ts";
 * try { idOfKey("shm", 0x7e57ab1e); } catch (e) { console.log(String(e)); }
 * // LibcError: shmget 0x7e57ab1e: ENOENT (No such file or directory)
 * ```
 */
export function idOfKey(kind: IpcKind, key: number): number {
  if (kind === "shm") return shmget(key, 0, 0);
  const call = kind === "sem" ? "semget" : "msgget";
  const shown = kind === "sem" ? `semget(${keyText(key)}, 0, 0)` : `msgget(${keyText(key)}, 0)`;
  const id = kind === "sem" ? libc.semget(key | 0, 0, 0) : libc.msgget(key | 0, 0);
  if (id === -1) failed(call, shown, formatKey(key));
  if (TRACING) traceLine(shown, String(id));
  return id;
}

/**
 * `IPC_RMID` the object of `kind` with id `id`: `shmctl(id, IPC_RMID,
 * NULL)`, `semctl(id, 0, IPC_RMID)`, `msgctl(id, IPC_RMID, NULL)`. EINVAL:
 * no such id; EPERM: not the owner or creator (and not root).
 *
 * @example
 * ```ts
 * import { removeIpc } from "./sysv_ipcs.ts";
 * try { removeIpc("sem", 999999); } catch (e) { console.log(String(e)); }
 * ```
 */
export function removeIpc(kind: IpcKind, id: number): void {
  if (kind === "shm") return shmRemove(id);
  const subject = `${kind === "sem" ? "semid" : "msqid"} ${id}`;
  if (kind === "sem") {
    const shown = `semctl(${id}, 0, IPC_RMID)`;
    if (libc.semctl(id, 0, IPC.RMID, 0n) === -1) failed("semctl", shown, subject);
    if (TRACING) traceLine(shown, "0");
  } else {
    const shown = `msgctl(${id}, IPC_RMID, NULL)`;
    if (libc.msgctl(id, IPC.RMID, null) === -1) failed("msgctl", shown, subject);
    if (TRACING) traceLine(shown, "0");
  }
}

/**
 * A human name for a kind, for messages: `"shared memory segment"`.
 *
 * @example
 * ```ts
 * import { ipcKindName } from "./sysv_ipcs.ts";
 * ipcKindName("msg"); // "message queue"
 * ```
 */
export function ipcKindName(kind: IpcKind): string {
  return KIND_WORDS[kind];
}
