/**
 * ipc-lab's libc binding layer: the one entry every example imports.
 *
 * - `ffi/symbols.ts`: the raw symbol table, C prototype beside each entry;
 * - `errno.ts`: {@link LibcError}, errno names and texts;
 * - `fd.ts`: pipes, open/read/write/close, dup2, fcntl, signal-friendly waits;
 * - `process.ts`: `posix_spawnp` instead of `fork`, waiting, exit statuses;
 * - `trace.ts`: `IPC_TRACE=1` strace-style lines;
 * - `constants.ts`: flag and signal numbers.
 *
 * @example
 * ```ts
 * import { pipe, read, writeAll } from "./libc.ts";
 * using p = pipe();
 * writeAll(p.write.fd, new TextEncoder().encode("hi"));
 * console.log(read(p.read.fd, new Uint8Array(16))); // 2
 * ```
 *
 * @module
 */
export * from "./constants.ts";
export * from "./cstring.ts";
export * from "./errno.ts";
export * from "./fd.ts";
export * from "./process.ts";
export * from "./trace.ts";
export * from "./signals.ts";
export * from "./stdin.ts";
export * from "./cwd.ts";
export * from "./files.ts";
export * from "./keys.ts";
export * from "./lines.ts";
export * from "./args.ts";
export * from "./mmap.ts";
export * from "./posix_shm.ts";
export * from "./sysv_ipc.ts";
export * from "./sysv_shm.ts";
export * from "./sysv_ipcs.ts";
export * from "./fifo.ts";
export * from "./sysv_msg.ts";
export * from "./posix_mq.ts";
export * from "./socket.ts";
export * from "./sysv_sem.ts";
export * from "./posix_sem.ts";
