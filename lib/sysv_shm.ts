/**
 * System V shared memory: `shmget`, `shmat`, `shmdt`, `shmctl`, checked,
 * traced, and safe to use from JavaScript.
 *
 * - {@link Segment}: a segment id with its key; made with
 *   {@link Segment.create} (IPC_CREAT|IPC_EXCL), {@link Segment.open} (no
 *   IPC_CREAT), {@link Segment.createOrOpen} (seed 003's `sysv_shmget`:
 *   create exclusively, and on EEXIST open the existing one) or
 *   {@link Segment.get} (any flags, as a C program calls `shmget`).
 * - {@link Attachment}: the segment mapped into this process. Its
 *   {@link Attachment.bytes} is a zero-copy `Uint8Array` over the shared
 *   pages: another process's writes are visible at once. Detaching first
 *   revokes the view (`arrayBuffer.transfer(0)`: every view over it becomes
 *   length 0) and only then calls `shmdt`, so a stale view can never touch
 *   unmapped memory (that would kill the process with SIGSEGV); the getter
 *   throws a clear error after detach.
 * - {@link shmStat}: `IPC_STAT` as a typed {@link ShmStat}.
 *
 * `using` support: an `Attachment` detaches when its block ends. A
 * `Segment` is removed (IPC_RMID) when its block ends **only if this handle
 * created it** (`create`, or `createOrOpen` that did create); an opened
 * segment belongs to someone else and is left alone. Call
 * {@link Segment.keep} to let a created segment outlive the program (as
 * write-shm does), or {@link Segment.remove} to remove one explicitly.
 *
 * Remember SysV persistence: a segment is not a file and does not die with
 * its creator. It stays until IPC_RMID or reboot. After IPC_RMID it lives on
 * while attached (`ipcs` shows `dest`, and its key becomes 0), and is freed
 * at the last detach.
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { Errno, LibcError } from "./errno.ts";
import { failed } from "./fd.ts";
import { asDisposer, traceLine, TRACING } from "./trace.ts";
import { cString, cStringAt } from "./cstring.ts";
import { dateOrNull, IPC, ipcFlagText, readIpcPerm } from "./sysv_ipc.ts";
import { formatKey, keyText } from "./keys.ts";
import { IpcObject } from "./ipc_object.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;
const DS = ABI.struct.shmid_ds;

/** `<sys/shm.h>`: `shmat` flags, `shmctl` commands, mode bits. */
export const SHM = {
  /** `shmat` flag: map read-only (writes then fault with SIGSEGV). */
  RDONLY: C.SHM_RDONLY,
  /** `shmat` flag: round `shmaddr` down to SHMLBA. */
  RND: C.SHM_RND,
  /** `shmat` flag: replace an existing mapping at `shmaddr`. */
  REMAP: C.SHM_REMAP,
  /** `shmat` flag: executable mapping. */
  EXEC: C.SHM_EXEC,
  /** `shmctl` commands (Linux). */
  LOCK: C.SHM_LOCK,
  UNLOCK: C.SHM_UNLOCK,
  STAT: C.SHM_STAT,
  INFO: C.SHM_INFO,
  STAT_ANY: C.SHM_STAT_ANY,
  /** Mode bit: marked for removal, freed at the last detach (`ipcs`: `dest`). */
  DEST: C.SHM_DEST,
  /** Mode bit: locked in memory with SHM_LOCK (`ipcs`: `locked`). */
  LOCKED: C.SHM_LOCKED,
} as const;

/**
 * Byte offsets in `struct shmid_ds` (from lib/abi.ts, checked against the C
 * compiler's `offsetof` in tests/abi_test.ts).
 */
export const SHMID_DS = {
  size: DS.sizeof,
  perm: DS.shm_perm,
  segsz: DS.shm_segsz,
  atime: DS.shm_atime,
  dtime: DS.shm_dtime,
  ctime: DS.shm_ctime,
  cpid: DS.shm_cpid,
  lpid: DS.shm_lpid,
  nattch: DS.shm_nattch,
} as const;

/** The pointer value `shmat` returns on failure: `(void *) -1`, not NULL. */
const SHMAT_FAILED = 0xffffffffffffffffn;

/** `struct shmid_ds` decoded: what `IPC_STAT` tells about a segment. */
export interface ShmStat {
  /** The key (0 once the segment is marked for removal). */
  key: number;
  /** The segment's size in bytes, as asked at creation (not page-rounded). */
  size: number;
  /** Permission bits (`mode & 0o777`), e.g. 0o660. */
  perms: number;
  /** The whole mode word, including SHM_DEST and SHM_LOCKED. */
  mode: number;
  /** Owner user id. */
  uid: number;
  /** Owner group id. */
  gid: number;
  /** Creator user id. */
  cuid: number;
  /** Creator group id. */
  cgid: number;
  /** The pid that created the segment. */
  cpid: number;
  /** The pid of the last `shmat`/`shmdt`. */
  lpid: number;
  /** How many attachments exist now (all processes). */
  nattch: number;
  /** Last attach (`shm_atime`); `null` for never. */
  atime: Date | null;
  /** Last detach (`shm_dtime`); `null` for never. */
  dtime: Date | null;
  /** Last change: creation, IPC_SET, IPC_RMID (`shm_ctime`). */
  ctime: Date | null;
  /** IPC_RMID was called; the segment is freed at the last detach (`dest`). */
  markedForRemoval: boolean;
  /** Locked in memory (SHM_LOCK). */
  locked: boolean;
}

/**
 * Decode a `struct shmid_ds` (as filled by IPC_STAT or SHM_STAT).
 *
 * @example
 * ```ts
 * import { decodeShmidDs, SHMID_DS } from "./sysv_shm.ts";
 * const st = decodeShmidDs(new Uint8Array(SHMID_DS.size));
 * console.log(st.nattch); // 0
 * ```
 */
export function decodeShmidDs(buffer: Uint8Array): ShmStat {
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const perm = readIpcPerm(view, SHMID_DS.perm);
  return {
    key: perm.key,
    size: Number(view.getBigUint64(SHMID_DS.segsz, true)),
    perms: perm.mode & 0o777,
    mode: perm.mode,
    uid: perm.uid,
    gid: perm.gid,
    cuid: perm.cuid,
    cgid: perm.cgid,
    cpid: view.getInt32(SHMID_DS.cpid, true),
    lpid: view.getInt32(SHMID_DS.lpid, true),
    nattch: Number(view.getBigUint64(SHMID_DS.nattch, true)),
    atime: dateOrNull(view.getBigInt64(SHMID_DS.atime, true)),
    dtime: dateOrNull(view.getBigInt64(SHMID_DS.dtime, true)),
    ctime: dateOrNull(view.getBigInt64(SHMID_DS.ctime, true)),
    markedForRemoval: (perm.mode & SHM.DEST) !== 0,
    locked: (perm.mode & SHM.LOCKED) !== 0,
  };
}

/**
 * `shmget(2)`: the id of the segment of `key`, creating it as `flags` say
 * (`IPC.CREAT`, `IPC.EXCL`, permission bits). Errors name the key:
 * `shmget 0x12345678: EINVAL (Invalid argument)` (an existing segment is
 * smaller than `size`), `ENOENT` (no segment and no IPC_CREAT), `EEXIST`,
 * `EACCES`.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { shmget, shmRemove } from "./sysv_shm.ts";
 * const id = shmget(IPC.PRIVATE, 4096, IPC.CREAT | 0o600);
 * shmRemove(id);
 * ```
 */
export function shmget(key: number, size: number, flags: number): number {
  const shown = `shmget(${keyText(key)}, ${size}, ${ipcFlagText(flags)})`;
  const id = libc.shmget(key | 0, BigInt(size), flags);
  if (id === -1) failed("shmget", shown, formatKey(key));
  if (TRACING) traceLine(shown, String(id));
  return id;
}

/**
 * `shmctl(shmid, IPC_STAT, &ds)`, decoded.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { shmget, shmRemove, shmStat } from "./sysv_shm.ts";
 * const id = shmget(IPC.PRIVATE, 100, IPC.CREAT | 0o600);
 * console.log(shmStat(id).size); // 100
 * shmRemove(id);
 * ```
 */
export function shmStat(shmid: number): ShmStat {
  const buffer = new Uint8Array(SHMID_DS.size);
  const shown = `shmctl(${shmid}, IPC_STAT, ...)`;
  if (libc.shmctl(shmid, IPC.STAT, buffer) === -1) failed("shmctl", shown, `shmid ${shmid}`);
  if (TRACING) traceLine(shown, "0");
  return decodeShmidDs(buffer);
}

/**
 * `shmctl(shmid, IPC_RMID, NULL)`: remove the segment now, or (if it is
 * still attached somewhere) mark it `dest` so the kernel frees it at the
 * last detach. EINVAL: no such segment (maybe already freed).
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { shmget, shmRemove } from "./sysv_shm.ts";
 * shmRemove(shmget(IPC.PRIVATE, 1, IPC.CREAT | 0o600));
 * ```
 */
export function shmRemove(shmid: number): void {
  const shown = `shmctl(${shmid}, IPC_RMID, NULL)`;
  if (libc.shmctl(shmid, IPC.RMID, null) === -1) failed("shmctl", shown, `shmid ${shmid}`);
  if (TRACING) traceLine(shown, "0");
}

/** Options of {@link shmAttach}. */
export interface AttachOptions {
  /** Attach with SHM_RDONLY: the pages are mapped read-only. */
  readOnly?: boolean;
  /**
   * The length of the view, when the caller knows the segment is at least
   * that big: a size `shmget` accepted for this id (shmget fails with EINVAL
   * when the segment is smaller). Without it, `shmAttach` asks the kernel
   * (`IPC_STAT`, one more `shmctl` than a C program makes).
   */
  size?: number;
}

/**
 * `shmat(shmid, NULL, flags)`: map the segment into this process. The C
 * failure value is `(void *) -1` (checked here as the pointer value
 * `0xffffffffffffffff`); C code that tests `shmat(...) < 0`, like seed 000,
 * compares a pointer with 0 and never sees the failure.
 *
 * The view ({@link Attachment.bytes}) is `options.size` bytes long when
 * given (as {@link Segment.attach} does with the size its `shmget` asked
 * for), else the segment's size from `IPC_STAT`.
 *
 * @example
 * ```ts
 * import { IPC } from "./sysv_ipc.ts";
 * import { shmAttach, shmget, shmRemove } from "./sysv_shm.ts";
 * const id = shmget(IPC.PRIVATE, 16, IPC.CREAT | 0o600);
 * {
 *   using a = shmAttach(id);
 *   a.bytes[0] = 42;
 * } // detached here
 * shmRemove(id);
 * ```
 */
export function shmAttach(shmid: number, options: AttachOptions = {}): Attachment {
  if (options.size !== undefined && (!Number.isSafeInteger(options.size) || options.size <= 0)) {
    throw new RangeError(`shmAttach: size must be a positive integer, not ${options.size}`);
  }
  const flags = options.readOnly ? SHM.RDONLY : 0;
  const shown = `shmat(${shmid}, NULL, ${options.readOnly ? "SHM_RDONLY" : "0"})`;
  const pointer = libc.shmat(shmid, null, flags);
  const value = Deno.UnsafePointer.value(pointer);
  if (pointer === null || value === SHMAT_FAILED) failed("shmat", shown, `shmid ${shmid}`);
  if (TRACING) traceLine(shown, `0x${value.toString(16)}`);
  let size = options.size;
  if (size === undefined) {
    try {
      size = shmStat(shmid).size;
    } catch (e) {
      libc.shmdt(pointer);
      throw e;
    }
  }
  return new Attachment(shmid, pointer, size, options.readOnly === true);
}

/**
 * A segment attached to this process. {@link Attachment.bytes} is the
 * zero-copy view of its memory; {@link Attachment.detach} (or the end of a
 * `using` block) revokes every view and then calls `shmdt`. Detaching twice
 * is harmless; using the attachment after detach throws an Error naming the
 * shmid, never a crash.
 *
 * Read-only attachments (SHM_RDONLY): the helpers here refuse to write
 * ({@link Attachment.writeString} throws), but a plain store into
 * {@link Attachment.bytes} cannot be stopped at zero cost and is a write to
 * a read-only page: the kernel kills the process with SIGSEGV, exactly as
 * in C. Treat `bytes` of a read-only attachment as read-only.
 *
 * @example
 * ```ts
 * import { Segment } from "./sysv_shm.ts";
 * using seg = Segment.create(0, { size: 4096 }); // IPC_PRIVATE
 * using a = seg.attach();
 * a.writeString("This is a test");
 * console.log(a.readString()); // "This is a test"
 * ```
 */
export class Attachment implements Disposable {
  /** The segment's id. */
  readonly shmid: number;
  /**
   * The view's size in bytes (what `bytes.length` is while attached): the
   * size `shmget` was asked for when known (the segment is at least that
   * big), else the segment's size.
   */
  readonly size: number;
  /** Attached with SHM_RDONLY. */
  readonly readOnly: boolean;
  #pointer: Deno.PointerObject | null;
  #buffer: ArrayBuffer | undefined;
  #bytes: Uint8Array | undefined;

  /**
   * Wrap an address returned by `shmat`. Use {@link shmAttach} or
   * {@link Segment.attach} rather than this.
   *
   * @param shmid the segment's id
   * @param pointer the address shmat returned
   * @param size the segment's size
   * @param readOnly whether it was attached with SHM_RDONLY
   */
  constructor(shmid: number, pointer: Deno.PointerObject, size: number, readOnly: boolean) {
    this.shmid = shmid;
    this.size = size;
    this.readOnly = readOnly;
    this.#pointer = pointer;
    this.#buffer = Deno.UnsafePointerView.getArrayBuffer(pointer, size);
    this.#bytes = new Uint8Array(this.#buffer);
  }

  /** True once detached. */
  get detached(): boolean {
    return this.#pointer === null;
  }

  /** The attach address, for traces and messages (throws after detach). */
  get address(): bigint {
    return Deno.UnsafePointer.value(this.#live());
  }

  /**
   * The segment's memory, zero-copy. Throws after detach. A view kept from
   * before the detach has length 0 afterwards (reads give `undefined`,
   * writes are dropped): it never reaches unmapped memory.
   */
  get bytes(): Uint8Array {
    this.#live();
    return this.#bytes!;
  }

  #live(): Deno.PointerObject {
    if (this.#pointer === null) {
      throw new Error(
        `shared memory segment (shmid ${this.shmid}) used after detach: attach it again`,
      );
    }
    return this.#pointer;
  }

  /**
   * Copy `text` and a terminating NUL to the start of the segment, like C's
   * `strcpy(buf, text)` / `sprintf(buf, ...)`. Throws a RangeError when it
   * does not fit (C would overrun), an Error on a read-only attachment.
   * Returns the bytes written, NUL included.
   */
  writeString(text: string, offset = 0): number {
    const bytes = this.bytes;
    if (this.readOnly) {
      throw new Error(`shared memory segment (shmid ${this.shmid}) is attached read-only`);
    }
    const c = cString(text);
    if (offset < 0 || offset + c.length > bytes.length) {
      throw new RangeError(
        `${c.length} bytes do not fit at offset ${offset} of a ${bytes.length}-byte segment`,
      );
    }
    bytes.set(c, offset);
    return c.length;
  }

  /**
   * The NUL-terminated string at `offset` (like C's `puts(buf)`), decoded
   * as UTF-8; the whole rest of the segment if it has no NUL.
   */
  readString(offset = 0): string {
    return cStringAt(this.bytes, offset);
  }

  /**
   * Revoke every view over the segment, then `shmdt(2)`. A second call does
   * nothing.
   */
  detach(): void {
    const pointer = this.#pointer;
    if (pointer === null) return;
    this.#pointer = null;
    // Detach the JS views first: after shmdt the pages are gone and any
    // access through an old view would be a SIGSEGV.
    this.#buffer!.transfer(0);
    this.#buffer = undefined;
    this.#bytes = undefined;
    const shown = `shmdt(0x${Deno.UnsafePointer.value(pointer).toString(16)})`;
    if (libc.shmdt(pointer) === -1) failed("shmdt", shown, `shmid ${this.shmid}`);
    if (TRACING) traceLine(shown, "0");
  }

  /** Detach (same as {@link Attachment.detach}). */
  [Symbol.dispose](): void {
    asDisposer(() => this.detach());
  }
}

/**
 * Options of {@link Segment.create}, {@link Segment.open}, {@link Segment.get}.
 *
 * @example
 * ```ts
 * import type { SegmentOptions } from "./sysv_shm.ts";
 * const options: SegmentOptions = { size: 4096, mode: 0o660 };
 * ```
 */
export interface SegmentOptions {
  /** `shmget`'s size: at least this many bytes (0 with open: any size). */
  size?: number;
  /** Permission bits when creating (default 0o600). */
  mode?: number;
}

/**
 * A System V shared memory segment: its id and key and the size its
 * `shmget` asked for. It follows the rules of every IPC object handle
 * (ipc_object.ts): `create`/`open`/`get`, `owned`, `keep()`/`own()`,
 * `remove()` (IPC_RMID), dispose removes it only while owned.
 *
 * It makes no system call of its own beyond what its methods name: a port
 * built on it makes the C's `shmget`, `shmat`, `shmdt`, `shmctl` and no
 * more (`IPC_TRACE=1` shows them). The one exception is asked for: see
 * {@link Segment.created} for {@link Segment.get} with IPC_CREAT.
 *
 * @example
 * ```ts
 * import { Segment } from "./sysv_shm.ts";
 * {
 *   using seg = Segment.create(0x5eed, { size: 4096, mode: 0o660 }); // shmget(IPC_CREAT|IPC_EXCL)
 *   using a = seg.attach();                                          // shmat
 *   a.writeString("hello");
 *   console.log(seg.stat().nattch); // 1
 *   a.detach();                                                      // shmdt
 *   seg.remove();                                                    // shmctl(IPC_RMID)
 * }
 * ```
 */
export class Segment extends IpcObject {
  /** The segment id (`shmid`). */
  readonly id: number;
  /** The key it was looked up or created with. */
  readonly key: number;
  /**
   * The size given to `shmget` (the segment is at least that big); 0 when
   * it was looked up with size 0 (any size). {@link Segment.attach} maps a
   * view of this many bytes, or asks IPC_STAT for the size when it is 0.
   */
  readonly size: number;
  #created: boolean | undefined;

  private constructor(id: number, key: number, created: boolean | undefined, size: number) {
    super(created);
    this.id = id;
    this.key = key;
    this.size = size;
    this.#created = created;
  }

  /**
   * True when this process's `shmget` created the segment. Known from the
   * call for {@link Segment.create}, {@link Segment.open} and
   * {@link Segment.createOrOpen}. After {@link Segment.get} with IPC_CREAT
   * but without IPC_EXCL the call cannot tell; the first read of `created`
   * (or of `owned`, or a dispose that has to decide) asks the kernel:
   * IPC_STAT, creator pid (`shm_cpid`) equal to this process's. A program
   * that never asks makes no such call (shmproc1, write-shm). Throws EINVAL
   * when the segment is already gone by then.
   */
  get created(): boolean {
    this.#created ??= shmStat(this.id).cpid === libc.getpid();
    return this.#created;
  }

  /** Ownership unknown at `get`: owned when this process created it. */
  protected override findOutOwned(): boolean {
    return this.created;
  }

  /** `shmctl(id, IPC_RMID)`. */
  protected removeCall(): void {
    shmRemove(this.id);
  }

  /**
   * A new segment: `shmget(key, size, IPC_CREAT|IPC_EXCL|mode)`. EEXIST if
   * the key already has one. Owned.
   *
   * @example
   * ```ts
   * import { Segment } from "./sysv_shm.ts";
   * using seg = Segment.create(0, { size: 4096 }); // 0 = IPC_PRIVATE
   * ```
   */
  static create(key: number, options: SegmentOptions): Segment {
    const size = options.size ?? 0;
    const flags = IPC.CREAT | IPC.EXCL | (options.mode ?? 0o600);
    return new Segment(shmget(key, size, flags), key, true, size);
  }

  /**
   * The existing segment of `key`: `shmget(key, size, 0)`. ENOENT if there
   * is none; EINVAL if it is smaller than `size`. Not owned.
   *
   * @example
   * ```ts
   * import { Segment } from "./sysv_shm.ts";
   * try { Segment.open(0x7e57ab1e); } catch (e) { console.log(String(e)); }
   * ```
   */
  static open(key: number, options: SegmentOptions = {}): Segment {
    const size = options.size ?? 0;
    return new Segment(shmget(key, size, 0), key, false, size);
  }

  /**
   * Seed 003's `sysv_shmget`: create with IPC_CREAT|IPC_EXCL|mode; on
   * EEXIST open the existing one with `shmget(key, 0, 0)`. `created` (and
   * `owned`) tell which happened.
   *
   * @example
   * ```ts
   * import { Segment } from "./sysv_shm.ts";
   * using seg = Segment.createOrOpen(0x5eed, { size: 4096, mode: 0o660 });
   * console.log(seg.created);
   * ```
   */
  static createOrOpen(key: number, options: SegmentOptions): Segment {
    try {
      return Segment.create(key, options);
    } catch (e) {
      if (!(e instanceof LibcError) || e.errno !== Errno.EEXIST) throw e;
    }
    return Segment.open(key);
  }

  /**
   * `shmget(key, size, flags)` as a C program writes it, and nothing more.
   * Owned when the flags hold IPC_CREAT|IPC_EXCL; with IPC_CREAT alone
   * nobody can tell from the call whether it created the segment:
   * {@link Segment.created} finds out from IPC_STAT when first asked.
   *
   * @example
   * ```ts
   * import { IPC } from "./sysv_ipc.ts";
   * import { Segment } from "./sysv_shm.ts";
   * using seg = Segment.get(0x5eed, IPC.CREAT | 0o660, { size: 4096 });
   * ```
   */
  static get(key: number, flags: number, options: SegmentOptions = {}): Segment {
    const size = options.size ?? 0;
    const id = shmget(key, size, flags);
    let created: boolean | undefined = false;
    if (flags & IPC.CREAT) created = flags & IPC.EXCL ? true : undefined;
    return new Segment(id, key, created, size);
  }

  /** `IPC_STAT` of this segment. */
  stat(): ShmStat {
    return shmStat(this.id);
  }

  /**
   * `shmat` this segment (read-write, or SHM_RDONLY with `{ readOnly: true }`),
   * with a view of {@link Segment.size} bytes (IPC_STAT tells the size when
   * that is 0).
   */
  attach(options: AttachOptions = {}): Attachment {
    return shmAttach(this.id, this.size > 0 ? { size: this.size, ...options } : options);
  }
}
