/**
 * POSIX shared memory: `shm_open(3)` / `shm_unlink(3)`.
 *
 * A POSIX shared memory object is a file in a RAM file system (`/dev/shm`
 * on Linux) named like `/ipc-lab-shm`: `shm_open` gives a file descriptor,
 * `ftruncate` sizes it, `mmap(MAP_SHARED)` puts it in the address space.
 * Compared with SysV (`shmget`/`shmat`): a *name* instead of a numeric key,
 * ordinary file permissions and tools (`ls -l /dev/shm`, `rm`), `mmap`
 * instead of `shmat`, and the object lives until `shm_unlink` (or reboot);
 * like `IPC_RMID`, unlinking removes the name at once while processes that
 * still map it keep using it.
 *
 * @example
 * ```ts
 * import { SharedMemoryObject } from "./posix_shm.ts";
 * import { MAP, PROT } from "./mmap.ts";
 * using shm = SharedMemoryObject.create("/demo", { mode: 0o600 });
 * shm.truncate(4096);
 * using m = shm.map(4096, PROT.READ | PROT.WRITE, MAP.SHARED);
 * m.bytes[0] = 1;
 * shm.remove(); // shm_unlink
 * ```
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { failed } from "./fd.ts";
import { cString } from "./cstring.ts";
import { O } from "./constants.ts";
import { quoted, traceLine, TRACING } from "./trace.ts";
import { ftruncate, MAP, type Mapping, mmap } from "./mmap.ts";
import { type FileStatus, fstat } from "./files.ts";
import { IpcObject } from "./ipc_object.ts";

/** Where Linux (glibc) keeps POSIX shared memory objects: `/name` is `/dev/shm/name`. */
export const SHM_DIR = "/dev/shm";

/**
 * Check a POSIX IPC name: it must be `/` followed by 1 to 255 characters,
 * none of them `/` (portable programs must start with a slash; glibc would
 * quietly drop it, other systems do not). Throws a TypeError otherwise.
 *
 * @example
 * ```ts
 * import { checkShmName } from "./posix_shm.ts";
 * checkShmName("/ipc-lab-shm"); // fine
 * checkShmName("ipc-lab-shm"); // throws TypeError
 * ```
 */
export function checkShmName(name: string): void {
  if (!/^\/[^/\0]{1,255}$/.test(name) || name === "/." || name === "/..") {
    throw new TypeError(
      `bad POSIX shared memory name ${JSON.stringify(name)}: it must be "/" followed by a ` +
        `name without "/" (e.g. "/ipc-lab-shm")`,
    );
  }
}

/**
 * The path of a POSIX shared memory object on Linux (`/dev/shm/<name>`).
 *
 * @example
 * ```ts
 * import { shmPath } from "./posix_shm.ts";
 * shmPath("/ipc-lab-shm"); // "/dev/shm/ipc-lab-shm"
 * ```
 */
export function shmPath(name: string): string {
  checkShmName(name);
  return `${SHM_DIR}${name}`;
}

function openFlagText(flags: number): string {
  const names = [["O_RDONLY", "O_WRONLY", "O_RDWR"][flags & 3] ?? "O_ACCMODE"];
  if (flags & O.CREAT) names.push("O_CREAT");
  if (flags & O.EXCL) names.push("O_EXCL");
  if (flags & O.TRUNC) names.push("O_TRUNC");
  return names.join("|");
}

/**
 * Options of {@link SharedMemoryObject.create} and {@link SharedMemoryObject.open}.
 *
 * @example
 * ```ts
 * import type { ShmObjectOptions } from "./posix_shm.ts";
 * import { O } from "./constants.ts";
 * const options: ShmObjectOptions = { flags: O.RDONLY };
 * ```
 */
export interface ShmObjectOptions {
  /**
   * `shm_open`'s flags: `O.RDONLY` or `O.RDWR` (the default), with open
   * also `O.CREAT`, `O.TRUNC` as a C program writes them.
   */
  flags?: number;
  /** Permission bits when creating (default 0o600; minus the umask). */
  mode?: number;
}

/**
 * An open POSIX shared memory object: its name and descriptor, with the
 * calls one makes on it (`ftruncate`, `fstat`, `mmap`, `close`,
 * `shm_unlink`). It follows the rules of every IPC object handle
 * (ipc_object.ts): `create`/`open`, `owned`, `keep()`/`own()`, `remove()`
 * (`shm_unlink`), `close()`; dispose closes, then removes while owned. A
 * mapping made from it stays valid after both.
 *
 * @example
 * ```ts
 * import { SharedMemoryObject } from "./posix_shm.ts";
 * using shm = SharedMemoryObject.create("/demo", { mode: 0o600 }); // shm_open(O_RDWR|O_CREAT|O_EXCL)
 * shm.truncate(4096);                                              // ftruncate
 * console.log(shm.size); // 4096                                   // fstat
 * shm.close();                                                     // close
 * shm.remove();                                                    // shm_unlink
 * ```
 */
export class SharedMemoryObject extends IpcObject {
  /** The object's name, e.g. `/ipc-lab-shm`. */
  readonly name: string;
  #fd: number;

  private constructor(name: string, fd: number, owned: boolean) {
    super(owned);
    this.name = name;
    this.#fd = fd;
  }

  /**
   * A new object: `shm_open(name, O_RDWR|O_CREAT|O_EXCL, mode)` (EEXIST if
   * there is one; `flags: O.RDONLY` for read-only). Size 0 until
   * {@link SharedMemoryObject.truncate}. Owned.
   *
   * @example
   * ```ts
   * import { SharedMemoryObject } from "./posix_shm.ts";
   * using shm = SharedMemoryObject.create("/demo", { mode: 0o600 });
   * ```
   */
  static create(name: string, options: ShmObjectOptions = {}): SharedMemoryObject {
    const flags = (options.flags ?? O.RDWR) | O.CREAT | O.EXCL;
    return new SharedMemoryObject(name, shmOpen(name, flags, options.mode ?? 0o600), true);
  }

  /**
   * `shm_open(name, flags, mode)` as a C program writes it (default
   * `O_RDWR`): the existing object, or with `O.CREAT` one made if missing.
   * Owned only with `O.CREAT|O.EXCL`. ENOENT without O_CREAT if there is none.
   *
   * @example
   * ```ts
   * import { SharedMemoryObject } from "./posix_shm.ts";
   * import { O } from "./constants.ts";
   * using shm = SharedMemoryObject.open("/demo", { flags: O.RDONLY });
   * ```
   */
  static open(name: string, options: ShmObjectOptions = {}): SharedMemoryObject {
    const flags = options.flags ?? O.RDWR;
    const owned = (flags & (O.CREAT | O.EXCL)) === (O.CREAT | O.EXCL);
    return new SharedMemoryObject(name, shmOpen(name, flags, options.mode ?? 0o600), owned);
  }

  /** The descriptor; throws once closed. */
  get fd(): number {
    if (this.#fd === -1) throw new Error(`shared memory object ${this.name} is closed`);
    return this.#fd;
  }

  /** True once the descriptor is closed. */
  get closed(): boolean {
    return this.#fd === -1;
  }

  /** `fstat(2)`: size and mode of the object. */
  stat(): FileStatus {
    return fstat(this.fd);
  }

  /** The object's size in bytes (`fstat`'s `st_size`): 0 until someone `ftruncate`s it. */
  get size(): number {
    return this.stat().size;
  }

  /** `ftruncate(2)`: set the object's size (a new object has size 0). */
  truncate(length: number): void {
    ftruncate(this.fd, length);
  }

  /**
   * `mmap(2)` of the object (flags default to `MAP.SHARED`). Throws a clear
   * error, instead of a later SIGBUS, when the object is smaller than
   * `offset + length` (e.g. not `ftruncate`d yet).
   */
  map(length: number, prot: number, flags: number = MAP.SHARED, offset = 0): Mapping {
    return mmap(length, prot, flags, this.fd, offset, { subject: this.name });
  }

  /** `close(2)` the descriptor; the object and its mappings stay. A second call does nothing. */
  close(): void {
    if (this.#fd === -1) return;
    const fd = this.#fd;
    this.#fd = -1;
    if (libc.close(fd) === -1) failed("close", `close(${fd})`, this.name);
    if (TRACING) traceLine(`close(${fd})`, "0");
  }

  /** Closes the descriptor (dispose). */
  protected override closeHandle(): void {
    this.close();
  }

  /** `shm_unlink(name)`. */
  protected removeCall(): void {
    shmUnlink(this.name);
  }
}

/** `shm_open(3)`: the descriptor; errors name the object. */
function shmOpen(name: string, flags: number, mode: number): number {
  checkShmName(name);
  const shown = `shm_open(${quoted(name)}, ${openFlagText(flags)}${
    flags & O.CREAT ? `, 0${mode.toString(8)}` : ""
  })`;
  // shm_open always adds O_CLOEXEC (POSIX requires FD_CLOEXEC on the result).
  const fd = libc.shm_open(cString(name), flags, mode);
  if (fd === -1) failed("shm_open", shown, name);
  if (TRACING) traceLine(shown, String(fd));
  return fd;
}

/**
 * `shm_unlink(3)`: remove the name. The memory is freed once no process
 * maps it any more; until then those mappings keep working.
 *
 * @example
 * ```ts
 * import { shmUnlink } from "./posix_shm.ts";
 * shmUnlink("/ipc-lab-shm"); // LibcError ENOENT when there is none
 * ```
 */
export function shmUnlink(name: string): void {
  checkShmName(name);
  const shown = `shm_unlink(${quoted(name)})`;
  if (libc.shm_unlink(cString(name)) === -1) failed("shm_unlink", shown, name);
  if (TRACING) traceLine(shown, "0");
}
