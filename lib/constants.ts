/**
 * Constants from the Linux/glibc headers (x86_64 and aarch64 values agree
 * for everything here).
 *
 * @module
 */

/** `open(2)` / `pipe2(2)` flags, from `<fcntl.h>`. */
export const O = {
  RDONLY: 0o0,
  WRONLY: 0o1,
  RDWR: 0o2,
  CREAT: 0o100,
  EXCL: 0o200,
  TRUNC: 0o1000,
  APPEND: 0o2000,
  NONBLOCK: 0o4000,
  CLOEXEC: 0o2000000,
} as const;

/** `fcntl(2)` commands and fd flags. */
export const F = {
  GETFD: 1,
  SETFD: 2,
  GETFL: 3,
  SETFL: 4,
  SETPIPE_SZ: 1031,
  GETPIPE_SZ: 1032,
  FD_CLOEXEC: 1,
} as const;

/** `poll(2)` event bits. */
export const POLL = {
  IN: 0x001,
  PRI: 0x002,
  OUT: 0x004,
  ERR: 0x008,
  HUP: 0x010,
  NVAL: 0x020,
} as const;

/** Signal numbers (Linux x86_64/aarch64). */
export const SIG = {
  HUP: 1,
  INT: 2,
  QUIT: 3,
  KILL: 9,
  SEGV: 11,
  PIPE: 13,
  ALRM: 14,
  TERM: 15,
  CHLD: 17,
} as const;

/** Signal names by number, for messages. */
export const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
  17: "SIGCHLD",
};

/** `PIPE_BUF` from `<limits.h>`: writes up to this size are atomic. */
export const PIPE_BUF = 4096;

/** `waitpid(2)` options. */
export const WNOHANG = 1;

/** Permission bits of `<sys/stat.h>`. */
export const S = {
  IRUSR: 0o400,
  IWUSR: 0o200,
  IXUSR: 0o100,
  IRGRP: 0o040,
  IWGRP: 0o020,
  IROTH: 0o004,
  IWOTH: 0o002,
} as const;
