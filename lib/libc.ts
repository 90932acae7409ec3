/**
 * ipc-lab's libc binding layer: the one module every example imports.
 *
 * ## The rule
 *
 * An example calls, by name and in its C original's order, every call its
 * lesson is about (`pipe`, `read`, `write`, `close`, `mkfifo`, `open`,
 * `unlink`, `shmget`, `shmat`, `shmdt`, `shmctl`, `semget`, `semctl`,
 * `msgsnd`, `socket`, `bind`, `listen`, `accept`...), with the C line as a
 * comment beside it. This module offers one checked, traced (`IPC_TRACE=1`),
 * typed wrapper per libc call, each throwing a {@link LibcError} (call, errno
 * name, text) instead of returning -1, plus the plumbing no lesson is about:
 * waits that still hear Ctrl+C (`pollAsync`, `waitFor`, `readAsync`: `poll`
 * in short slices), the cleanup registry (`onCleanup`, `exitOnSignals`), argument
 * parsing (`takeOption`, `takeKey`, `runMain`). A helper that bundles several
 * taught calls has no place in an example; `deno task compare` checks the
 * nine seed ports call for call against their C originals, and a docs test
 * checks every topic page's "C | the port" table against its port.
 *
 * ## Imports
 *
 * An example imports from this module only, in one statement (plus its
 * topic's local modules). libc's symbols are bound one by one on first use
 * (`ffi/libc_ffi.ts`), so a program pays only for the calls it makes, and
 * importing needs no `--allow-ffi` until the first call. The modules marked
 * FFI-free below never call libc: a program without `--allow-ffi`
 * (echo-server-deno, the tour, the scripts) imports them directly.
 *
 * ## What it exports, by topic
 *
 * - Errors and tracing: `errno.ts` ({@link LibcError}, {@link Errno},
 *   `errnoName`, `errnoText`), `trace.ts` (`setTraceRole`, `traceLine`).
 * - Descriptors and pipes: `fd.ts` (`pipe`, `openFile`, `read`, `write`,
 *   `writeAll`, `close`, `dup2`, `fcntl`, `lseek`, `Fd`; waits that hear
 *   Ctrl+C: `pollAsync` (C's `poll` in short slices), `waitFor`,
 *   `readAsync`, `writeAllAsync`); `files.ts` (`stat`, `lstat`, `fstat`,
 *   `fileType`, `unlink`, `unlinkIfExists`); `fifo.ts` (`mkfifo`,
 *   `NotAFifoError`, `pipeBufOf`).
 * - Processes: `process.ts` (`spawn` through `posix_spawnp` instead of
 *   `fork`, `ChildProcess`, `getpid`, `killProcess`, `processAlive`,
 *   `describeExit`).
 * - IPC objects, one vocabulary (`ipc_object.ts`: create / open / get,
 *   `owned`, `keep`, `own`, `remove`, `close`, dispose):
 *   - System V: `sysv_ipc.ts` (`IPC`, `ftok`), `sysv_shm.ts` (`Segment`,
 *     `Attachment`, `shmget`, `shmStat`), `sysv_sem.ts` (`SemaphoreSet`,
 *     `semget`, `semop`), `sysv_msg.ts` (`MessageQueue`, `msgget`,
 *     `msgsnd`, `msgrcv`), `sysv_ipcs.ts` (what `ipcs`/`ipcrm` need).
 *   - POSIX: `posix_shm.ts` (`SharedMemoryObject`), `posix_mq.ts`
 *     (`PosixMessageQueue`), `posix_sem.ts` (`NamedSemaphore`).
 * - Memory mappings: `mmap.ts` (`mmap`, `msync`, `munmap`, `ftruncate`,
 *   `Mapping`, `PROT`, `MAP`).
 * - Sockets: `socket.ts` (`socket`, `bind`, `listen`, `accept`,
 *   `acceptAsync`, `connect`, `connectAsync`, `socketpair`, `sendFds`,
 *   `sendFdsAsync`, `receiveFds`; `socketFileState`: is a socket file
 *   live, or left by a dead server?).
 * - FFI-free plumbing: `constants.ts` (`O`, `F`, `POLL`, `SIG`, `S`),
 *   `cstring.ts`, `args.ts` (`takeOption`, `takeFlag`, `parseInteger`,
 *   `UsageError`, `runMain` with the `-h`/`--help` convention, `wantsHelp`,
 *   `terminalHint`), `keys.ts` (`parseKey`, `takeKey`,
 *   `formatKey`: one key rule everywhere), `lines.ts` (`LineSplitter`),
 *   `signals.ts` (`onCleanup`, `exitOnSignals`), `cwd.ts`
 *   (`inInvocationDirectory`). `stdin.ts` (`LineReader`, `chomp`) reads
 *   lines with `LineSplitter` through `read`.
 * - The raw symbol table, C prototype beside each entry, is
 *   `ffi/symbols.ts`; nothing outside `lib/` touches it.
 *
 * @example
 * ```ts
 * import { pipe, read, writeAll } from "./libc.ts";
 * using p = pipe();                                      // pipe(fds)
 * writeAll(p.write.fd, new TextEncoder().encode("hi")); // write(fds[1], "hi", 2)
 * console.log(read(p.read.fd, new Uint8Array(16)));     // read(fds[0], buf, 16): 2
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
export * from "./ipc_object.ts";
export * from "./sysv_ipc.ts";
export * from "./sysv_shm.ts";
export * from "./sysv_ipcs.ts";
export * from "./fifo.ts";
export * from "./sysv_msg.ts";
export * from "./posix_mq.ts";
export * from "./socket.ts";
export * from "./sysv_sem.ts";
export * from "./posix_sem.ts";
