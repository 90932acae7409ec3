/**
 * Memory mappings: `mmap(2)`, `msync(2)`, `munmap(2)`, plus `ftruncate(2)`
 * and `fstat(2)` to size what gets mapped.
 *
 * A {@link Mapping} hands out a zero-copy `Uint8Array` over the mapped
 * pages (`Deno.UnsafePointerView.getArrayBuffer`): another process's writes
 * to a `MAP_SHARED` mapping show up in it at once. Touching those pages
 * after `munmap` would kill the process (SIGSEGV), so {@link Mapping.unmap}
 * first *revokes* the view (`arrayBuffer.transfer(0)` detaches every typed
 * array over it: they read as length 0 and can no longer reach the memory)
 * and only then unmaps; `mapping.bytes` throws a clear error afterwards.
 *
 * Two more ways a mapping can kill a process are checked up front:
 * - a file shorter than the mapping: `mmap` succeeds, but touching a page
 *   past the end of the file raises SIGBUS. {@link mmap} compares the
 *   file's size (`fstat`) with `offset + length` and refuses;
 * - a mapping without `PROT_WRITE` (or without `PROT_READ`): writing through
 *   a view raises SIGSEGV, so `bytes` is only handed out for read-write
 *   mappings; read-only ones are read with {@link Mapping.read} (a copy).
 *
 * One remains, as in C: if *another* process shrinks the file while it is
 * mapped here, touching the lost pages raises SIGBUS.
 *
 * @example
 * ```ts
 * import { MAP, mmap, PROT } from "./mmap.ts";
 * using m = mmap(4096, PROT.READ | PROT.WRITE, MAP.PRIVATE | MAP.ANONYMOUS);
 * m.bytes[0] = 42;
 * ```
 *
 * @module
 */
import { libc } from "./ffi/libc_ffi.ts";
import { failed } from "./fd.ts";
import { asDisposer, traceLine, TRACING } from "./trace.ts";
import { type FileStatus, fstat } from "./files.ts";
import { ABI } from "./abi.ts";

const C = ABI.const;

/** `PROT_*` page protections for {@link mmap}, from `<sys/mman.h>`. */
export const PROT = {
  NONE: C.PROT_NONE,
  READ: C.PROT_READ,
  WRITE: C.PROT_WRITE,
  EXEC: C.PROT_EXEC,
} as const;

/** `MAP_*` flags for {@link mmap}, from `<sys/mman.h>` (Linux). */
export const MAP = {
  /** Writes go to the file (or shared object) and are seen by every process mapping it. */
  SHARED: C.MAP_SHARED,
  /** Copy-on-write: writes make a private copy of the page; the file never sees them. */
  PRIVATE: C.MAP_PRIVATE,
  /** Place the mapping exactly at `addr` (not supported here: addr is always NULL). */
  FIXED: C.MAP_FIXED,
  /** Not backed by a file: zero-filled memory (`fd` must be -1). */
  ANONYMOUS: C.MAP_ANONYMOUS,
  /** Do not reserve swap space. */
  NORESERVE: C.MAP_NORESERVE,
  /** Pre-fault the pages. */
  POPULATE: C.MAP_POPULATE,
} as const;

/** `msync(2)` flags. */
export const MS = {
  /** Schedule the write-back and return at once. */
  ASYNC: C.MS_ASYNC,
  /** Ask other mappings of the same file to drop stale cached copies. */
  INVALIDATE: C.MS_INVALIDATE,
  /** Write the pages back to the file and wait until that is done. */
  SYNC: C.MS_SYNC,
} as const;

/**
 * `MAP_FAILED`, `(void *) -1`: the pointer value a failed `mmap` returns.
 * Not NULL; a check against 0 (or `< 0` on a pointer) misses it.
 *
 * @example
 * ```ts
 * import { libc } from "./ffi/libc_ffi.ts";
 * import { MAP_FAILED } from "./mmap.ts";
 * const p = libc.mmap(null, 64n, 3, 1, -1, 0n); // MAP_SHARED on a bad fd
 * console.log(Deno.UnsafePointer.value(p) === MAP_FAILED); // true
 * ```
 */
export const MAP_FAILED = 0xffffffffffffffffn;

/**
 * `ftruncate(2)`: set the size of the file (or POSIX shared memory object)
 * open on `fd`; new bytes read as zeros.
 *
 * @example
 * ```ts
 * import { openFile, O } from "./libc.ts";
 * import { ftruncate } from "./mmap.ts";
 * using f = openFile("/tmp/data.bin", O.RDWR | O.CREAT, 0o644);
 * ftruncate(f.fd, 4096);
 * ```
 */
export function ftruncate(fd: number, length: number): void {
  const shown = `ftruncate(${fd}, ${length})`;
  if (libc.ftruncate(fd, BigInt(length)) === -1) failed("ftruncate", shown);
  if (TRACING) traceLine(shown, "0");
}

let cachedPageSize: number | undefined;

/**
 * The page size (`sysconf(_SC_PAGESIZE)`), usually 4096: mappings are made
 * of whole pages, and `mmap`'s offset must be a multiple of it.
 *
 * @example
 * ```ts
 * import { pageSize } from "./mmap.ts";
 * console.log(pageSize()); // 4096
 * ```
 */
export function pageSize(): number {
  return cachedPageSize ??= Number(libc.sysconf(C._SC_PAGESIZE));
}

function flagNames(
  value: number,
  table: Readonly<Record<string, number>>,
  prefix: string,
  zero: string,
): string {
  if (value === 0) return zero;
  const names: string[] = [];
  let rest = value;
  for (const [name, bit] of Object.entries(table)) {
    if (bit !== 0 && (value & bit) === bit) {
      names.push(prefix + name);
      rest &= ~bit;
    }
  }
  if (rest !== 0) names.push(`0x${rest.toString(16)}`);
  return names.join("|");
}

/** `PROT_READ|PROT_WRITE` style text for `prot`. */
function protText(prot: number): string {
  return flagNames(prot, PROT, "PROT_", "PROT_NONE");
}

/** `MAP_SHARED|MAP_ANONYMOUS` style text for `flags`. */
function mapText(flags: number): string {
  return flagNames(flags, MAP, "MAP_", "0");
}

/** `MS_SYNC|MS_INVALIDATE` style text for `flags`. */
function msText(flags: number): string {
  return flagNames(flags, MS, "MS_", "0");
}

/** Options of {@link mmap} beyond the C parameters. */
export interface MmapOptions {
  /** Named in errors and in the unmapped-view message (a path, a shm name). */
  subject?: string;
  /**
   * Skip the check that the file is at least `offset + length` bytes long.
   * Only for a file that will be grown (`ftruncate`) before the pages past
   * its current end are touched: touching them earlier raises SIGBUS.
   */
  allowBeyondEof?: boolean;
  /**
   * The caller already knows the file is at least this many bytes long: it
   * has just written them from offset 0 (as `mmap_ex2` does, and its
   * `write` returned the count). When that covers `offset + length`, the
   * size check is already satisfied and no `fstat` is made (so a port makes
   * only the calls its C original makes); otherwise `fstat` is asked as
   * usual.
   */
  knownMinSize?: number;
}

/**
 * A live memory mapping made by {@link mmap}. `bytes` is a zero-copy view
 * (for read-write mappings); `unmap()` (or leaving a `using` block) revokes
 * it and unmaps once; unmapping again is harmless. After that every
 * accessor throws instead of touching memory that is gone, and views taken
 * earlier read as empty (length 0).
 *
 * @example
 * ```ts
 * import { MAP, mmap, MS, PROT } from "./mmap.ts";
 * import { openFile, O } from "./libc.ts";
 * using f = openFile("shared_mmap", O.RDWR);
 * using m = mmap(64, PROT.READ | PROT.WRITE, MAP.SHARED, f.fd, 0);
 * m.bytes.set(new TextEncoder().encode("hello"));
 * m.msync(MS.SYNC);
 * ```
 */
export class Mapping implements Disposable {
  /** The mapped length in bytes, as asked for (the kernel maps whole pages). */
  readonly length: number;
  /** The `PROT_*` bits it was mapped with. */
  readonly prot: number;
  /** The `MAP_*` flags it was mapped with. */
  readonly flags: number;
  /** The file or object it maps, for messages (may be undefined). */
  readonly subject?: string;
  #pointer: Deno.PointerObject | null;
  #buffer: ArrayBuffer | undefined;
  #bytes: Uint8Array<ArrayBuffer> | undefined;

  /**
   * Wrap a mapping that `mmap` returned. Normally made by {@link mmap};
   * the new object owns the mapping and will `munmap` it.
   */
  constructor(
    pointer: Deno.PointerObject,
    length: number,
    prot: number,
    flags: number,
    subject?: string,
  ) {
    this.#pointer = pointer;
    this.length = length;
    this.prot = prot;
    this.flags = flags;
    this.subject = subject;
    if (prot & PROT.READ && length > 0) {
      this.#buffer = Deno.UnsafePointerView.getArrayBuffer(pointer, length);
      this.#bytes = new Uint8Array(this.#buffer);
    }
  }

  #what(): string {
    return `the mapping${this.subject === undefined ? "" : ` of ${this.subject}`}`;
  }

  #live(): Deno.PointerObject {
    if (this.#pointer === null) {
      throw new Error(
        `${this.#what()} was unmapped (munmap): its memory can no longer be used`,
      );
    }
    return this.#pointer;
  }

  /** True once unmapped. */
  get unmapped(): boolean {
    return this.#pointer === null;
  }

  /** The mapping's address (what C's `p_map` holds). Throws once unmapped. */
  get address(): bigint {
    return Deno.UnsafePointer.value(this.#live());
  }

  /**
   * The zero-copy view over the mapped bytes: reads see other processes'
   * writes (MAP_SHARED) at once, writes go straight to the pages. Only for
   * mappings made with `PROT_READ|PROT_WRITE`; throws once unmapped.
   */
  get bytes(): Uint8Array<ArrayBuffer> {
    this.#live();
    if ((this.prot & (PROT.READ | PROT.WRITE)) !== (PROT.READ | PROT.WRITE)) {
      throw new Error(
        `${this.#what()} is not PROT_READ|PROT_WRITE: writing through a view would crash ` +
          `the process (SIGSEGV); use read() for a copy`,
      );
    }
    return this.#bytes ?? new Uint8Array(0);
  }

  /**
   * A copy of `length` bytes from `offset` (default: all of it). Works on
   * read-only (`PROT_READ`) mappings too; throws once unmapped.
   */
  read(offset = 0, length: number = this.length - offset): Uint8Array<ArrayBuffer> {
    this.#live();
    if (!(this.prot & PROT.READ)) {
      throw new Error(`${this.#what()} is not readable (no PROT_READ)`);
    }
    if (offset < 0 || length < 0 || offset + length > this.length) {
      throw new RangeError(
        `read(${offset}, ${length}) is outside ${this.#what()} (${this.length} bytes)`,
      );
    }
    return (this.#bytes ?? new Uint8Array(0)).slice(offset, offset + length);
  }

  /**
   * `msync(2)` over the whole mapping: with `MS.SYNC` (the default) write
   * the changed pages back to the file and wait; `MS.ASYNC` only schedules
   * it; `MS.INVALIDATE` may be or'ed in. On a MAP_PRIVATE mapping it
   * succeeds and writes nothing: private pages never reach the file.
   */
  msync(flags: number = MS.SYNC): void {
    const pointer = this.#live();
    const shown = `msync(0x${Deno.UnsafePointer.value(pointer).toString(16)}, ${this.length}, ${
      msText(flags)
    })`;
    if (libc.msync(pointer, BigInt(this.length), flags) === -1) {
      failed("msync", shown, this.subject);
    }
    if (TRACING) traceLine(shown, "0");
  }

  /**
   * `munmap(2)`: revoke every view (`transfer(0)` detaches them), then
   * unmap. A second call does nothing.
   */
  unmap(): void {
    const pointer = this.#pointer;
    if (pointer === null) return;
    this.#pointer = null;
    // Revoke first: after this no typed array can reach the pages.
    if (this.#buffer !== undefined) this.#buffer.transfer(0);
    this.#buffer = undefined;
    this.#bytes = undefined;
    const shown = `munmap(0x${Deno.UnsafePointer.value(pointer).toString(16)}, ${this.length})`;
    if (libc.munmap(pointer, BigInt(this.length)) === -1) {
      failed("munmap", shown, this.subject);
    }
    if (TRACING) traceLine(shown, "0");
  }

  /** Unmap (same as {@link Mapping.unmap}). */
  [Symbol.dispose](): void {
    asDisposer(() => this.unmap());
  }
}

/**
 * `mmap(2)` with `addr` NULL: map `length` bytes of the file open on `fd`
 * from `offset` (a multiple of the page size), or, with `MAP.ANONYMOUS`
 * and `fd` -1, fresh zeroed memory. `flags` must contain `MAP.SHARED` or
 * `MAP.PRIVATE`. Checks for `MAP_FAILED` and throws `LibcError`
 * (`mmap shared_mmap: EACCES (Permission denied)`).
 *
 * For a regular file (or POSIX shared memory object) shorter than
 * `offset + length`, the mapping is undone and an Error explains it: the
 * kernel maps it happily, but the first touch of a page past the end of
 * the file kills the process with SIGBUS. (`options.allowBeyondEof` skips
 * the check for files about to grow; `options.knownMinSize` satisfies it
 * without the `fstat` call when the caller knows the size.)
 *
 * @example
 * ```ts
 * import { MAP, mmap, PROT } from "./mmap.ts";
 * import { openFile, O } from "./libc.ts";
 * using f = openFile("shared_mmap", O.RDWR);
 * // p_map = mmap((void *)0, 64, PROT_READ|PROT_WRITE, MAP_PRIVATE, fd, 0);
 * using m = mmap(64, PROT.READ | PROT.WRITE, MAP.PRIVATE, f.fd, 0, { subject: "shared_mmap" });
 * m.bytes[0] = 0x4e; // copy-on-write: the file still has its old byte
 * ```
 */
export function mmap(
  length: number,
  prot: number,
  flags: number,
  fd = -1,
  offset = 0,
  options: MmapOptions = {},
): Mapping {
  if (!Number.isSafeInteger(length) || length <= 0) {
    throw new RangeError(`mmap: length must be a positive integer, not ${length}`);
  }
  if ((flags & MAP.FIXED) !== 0) {
    throw new TypeError("mmap: MAP_FIXED is not supported (it can silently replace mappings)");
  }
  const shown = `mmap(NULL, ${length}, ${protText(prot)}, ${mapText(flags)}, ${fd}, ${offset})`;
  const pointer = libc.mmap(null, BigInt(length), prot, flags, fd, BigInt(offset));
  const value = Deno.UnsafePointer.value(pointer);
  if (value === MAP_FAILED || pointer === null) failed("mmap", shown, options.subject);
  if (TRACING) traceLine(shown, `0x${value.toString(16)}`);
  const mapping = new Mapping(pointer, length, prot, flags, options.subject);
  const sizeKnown = options.knownMinSize !== undefined && options.knownMinSize >= offset + length;
  if ((flags & MAP.ANONYMOUS) === 0 && !options.allowBeyondEof && !sizeKnown) {
    let status: FileStatus;
    try {
      status = fstat(fd);
    } catch (e) {
      mapping.unmap();
      throw e;
    }
    if (status.type === "regular file" && status.size < offset + length) {
      mapping.unmap();
      const name = options.subject ?? `fd ${fd}`;
      throw new Error(
        `mmap ${name}: the file is ${status.size} bytes, shorter than the ${offset + length} ` +
          `bytes to map; touching the pages past its end would kill the process (SIGBUS). ` +
          `Write to it or ftruncate it to at least ${offset + length} bytes first`,
      );
    }
  }
  return mapping;
}

/**
 * `msync(2)` in C's shape: `msync(mapping, MS.SYNC)` is
 * `msync(p_map, MMAP_SIZE, MS_SYNC)`. Same as {@link Mapping.msync}.
 *
 * @example
 * ```ts
 * import { MAP, mmap, msync, MS, PROT } from "./mmap.ts";
 * using m = mmap(4096, PROT.READ | PROT.WRITE, MAP.SHARED | MAP.ANONYMOUS);
 * msync(m, MS.SYNC);
 * ```
 */
export function msync(mapping: Mapping, flags: number = MS.SYNC): void {
  mapping.msync(flags);
}

/**
 * `munmap(2)` in C's shape. Same as {@link Mapping.unmap}: the views are
 * revoked first, and a second call is harmless.
 *
 * @example
 * ```ts
 * import { MAP, mmap, munmap, PROT } from "./mmap.ts";
 * const m = mmap(4096, PROT.READ | PROT.WRITE, MAP.PRIVATE | MAP.ANONYMOUS);
 * munmap(m);
 * ```
 */
export function munmap(mapping: Mapping): void {
  mapping.unmap();
}
