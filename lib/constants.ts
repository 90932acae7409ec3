/**
 * Constants from the Linux/glibc headers, by the names lib/ and the
 * examples use (`O.CREAT` for `O_CREAT`); every value comes from this
 * architecture's table in lib/abi.ts.
 *
 * @module
 */
import { ABI } from "./abi.ts";

const C = ABI.const;

/** `open(2)` / `pipe2(2)` flags, from `<fcntl.h>`. */
export const O = {
  RDONLY: C.O_RDONLY,
  WRONLY: C.O_WRONLY,
  RDWR: C.O_RDWR,
  CREAT: C.O_CREAT,
  EXCL: C.O_EXCL,
  TRUNC: C.O_TRUNC,
  APPEND: C.O_APPEND,
  NONBLOCK: C.O_NONBLOCK,
  DIRECTORY: C.O_DIRECTORY,
  CLOEXEC: C.O_CLOEXEC,
  /** `__O_TMPFILE | O_DIRECTORY`: an unnamed file in a directory (differs by architecture). */
  TMPFILE: C.O_TMPFILE,
} as const;

/** `fcntl(2)` commands and fd flags. */
export const F = {
  GETFD: C.F_GETFD,
  SETFD: C.F_SETFD,
  GETFL: C.F_GETFL,
  SETFL: C.F_SETFL,
  SETPIPE_SZ: C.F_SETPIPE_SZ,
  GETPIPE_SZ: C.F_GETPIPE_SZ,
  FD_CLOEXEC: C.FD_CLOEXEC,
} as const;

/** `poll(2)` event bits. */
export const POLL = {
  IN: C.POLLIN,
  PRI: C.POLLPRI,
  OUT: C.POLLOUT,
  ERR: C.POLLERR,
  HUP: C.POLLHUP,
  NVAL: C.POLLNVAL,
} as const;

/** Signal numbers. */
export const SIG = {
  HUP: C.SIGHUP,
  INT: C.SIGINT,
  QUIT: C.SIGQUIT,
  KILL: C.SIGKILL,
  SEGV: C.SIGSEGV,
  PIPE: C.SIGPIPE,
  ALRM: C.SIGALRM,
  TERM: C.SIGTERM,
  CHLD: C.SIGCHLD,
} as const;

/** Signal names by number, for messages. */
export const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  [C.SIGHUP]: "SIGHUP",
  [C.SIGINT]: "SIGINT",
  [C.SIGQUIT]: "SIGQUIT",
  [C.SIGILL]: "SIGILL",
  [C.SIGABRT]: "SIGABRT",
  [C.SIGBUS]: "SIGBUS",
  [C.SIGFPE]: "SIGFPE",
  [C.SIGKILL]: "SIGKILL",
  [C.SIGUSR1]: "SIGUSR1",
  [C.SIGSEGV]: "SIGSEGV",
  [C.SIGUSR2]: "SIGUSR2",
  [C.SIGPIPE]: "SIGPIPE",
  [C.SIGALRM]: "SIGALRM",
  [C.SIGTERM]: "SIGTERM",
  [C.SIGCHLD]: "SIGCHLD",
};

/** `PIPE_BUF` from `<limits.h>`: writes up to this size are atomic. */
export const PIPE_BUF: number = C.PIPE_BUF;

/** `waitpid(2)` options. */
export const WNOHANG: number = C.WNOHANG;

/** Permission bits of `<sys/stat.h>`. */
export const S = {
  IRUSR: C.S_IRUSR,
  IWUSR: C.S_IWUSR,
  IXUSR: C.S_IXUSR,
  IRGRP: C.S_IRGRP,
  IWGRP: C.S_IWGRP,
  IROTH: C.S_IROTH,
  IWOTH: C.S_IWOTH,
} as const;
