/**
 * Every architecture-dependent number the project uses, from one place: the
 * byte offsets and sizes of the C structs passed through FFI and the values
 * of the C macros (`O_*`, `S_*`, `IPC_*`, `SEM*`, `MSG*`, `SCM_*`, `F_*`,
 * `MAP_*`, `PROT_*`, `POLL*`, signals, errno values, syscall numbers), one
 * table per architecture Deno runs Linux on, chosen by `Deno.build.arch`.
 *
 * Each entry is named as C names it: `struct.semid_ds.sem_nsems` is
 * `offsetof(struct semid_ds, sem_nsems)`, `struct.semid_ds.sizeof` its
 * `sizeof`, `const.O_TMPFILE` the macro (a name ending in `_t` is a typedef,
 * not a struct). tests/abi_test.ts compiles a C program that prints every
 * entry, for the host with `cc` and for aarch64 with `aarch64-linux-gnu-gcc`
 * run under `qemu-aarch64-static`, and compares it with these tables: a
 * number that is wrong for one architecture fails there, not on a reader's
 * machine. The rest of lib/, examples/ and bench/ take their numbers from
 * {@link ABI}; none writes an ABI literal of its own.
 *
 * The two tables differ in `struct semid_ds` (aarch64 has the generic
 * 64-bit layout: no padding after each time field), `O_DIRECTORY` and so
 * `O_TMPFILE`, and the syscall numbers.
 *
 * FFI-free.
 *
 * @module
 */

type Numbers<T> = { readonly [K in keyof T]: T[K] extends number ? number : Numbers<T[K]> };

/** glibc on Linux x86_64 (checked against `cc` on x86_64). */
const X86_64 = {
  struct: {
    ipc_perm: { sizeof: 48, __key: 0, uid: 4, gid: 8, cuid: 12, cgid: 16, mode: 20, __seq: 24 },
    shmid_ds: {
      sizeof: 112,
      shm_perm: 0,
      shm_segsz: 48,
      shm_atime: 56,
      shm_dtime: 64,
      shm_ctime: 72,
      shm_cpid: 80,
      shm_lpid: 84,
      shm_nattch: 88,
    },
    semid_ds: { sizeof: 104, sem_perm: 0, sem_otime: 48, sem_ctime: 64, sem_nsems: 80 },
    msqid_ds: {
      sizeof: 120,
      msg_perm: 0,
      msg_stime: 48,
      msg_rtime: 56,
      msg_ctime: 64,
      __msg_cbytes: 72,
      msg_qnum: 80,
      msg_qbytes: 88,
      msg_lspid: 96,
      msg_lrpid: 100,
    },
    sembuf: { sizeof: 6, sem_num: 0, sem_op: 2, sem_flg: 4 },
    msgbuf: { sizeof: 16, mtype: 0, mtext: 8 },
    msghdr: {
      sizeof: 56,
      msg_name: 0,
      msg_namelen: 8,
      msg_iov: 16,
      msg_iovlen: 24,
      msg_control: 32,
      msg_controllen: 40,
      msg_flags: 48,
    },
    cmsghdr: { sizeof: 16, cmsg_len: 0, cmsg_level: 8, cmsg_type: 12 },
    iovec: { sizeof: 16, iov_base: 0, iov_len: 8 },
    sockaddr_un: { sizeof: 110, sun_family: 0, sun_path: 2 },
    mq_attr: { sizeof: 64, mq_flags: 0, mq_maxmsg: 8, mq_msgsize: 16, mq_curmsgs: 24 },
    statx: {
      sizeof: 256,
      stx_mask: 0,
      stx_mode: 28,
      stx_ino: 32,
      stx_size: 40,
      stx_dev_major: 136,
      stx_dev_minor: 140,
    },
    pollfd: { sizeof: 8, fd: 0, events: 4, revents: 6 },
    timespec: { sizeof: 16, tv_sec: 0, tv_nsec: 8 },
    passwd: { sizeof: 48, pw_name: 0 },
    posix_spawn_file_actions_t: { sizeof: 80 },
    posix_spawnattr_t: { sizeof: 336 },
    sigset_t: { sizeof: 128 },
    cpu_set_t: { sizeof: 128 },
    shm_info: { sizeof: 48 },
    seminfo: { sizeof: 40 },
    msginfo: { sizeof: 32 },
  },
  const: {
    O_RDONLY: 0,
    O_WRONLY: 0o1,
    O_RDWR: 0o2,
    O_CREAT: 0o100,
    O_EXCL: 0o200,
    O_TRUNC: 0o1000,
    O_APPEND: 0o2000,
    O_NONBLOCK: 0o4000,
    O_DIRECTORY: 0o200000,
    O_CLOEXEC: 0o2000000,
    O_TMPFILE: 0o20200000,
    F_GETFD: 1,
    F_SETFD: 2,
    F_GETFL: 3,
    F_SETFL: 4,
    F_SETPIPE_SZ: 1031,
    F_GETPIPE_SZ: 1032,
    FD_CLOEXEC: 1,
    SEEK_SET: 0,
    SEEK_CUR: 1,
    SEEK_END: 2,
    S_IFMT: 0o170000,
    S_IFIFO: 0o10000,
    S_IFCHR: 0o20000,
    S_IFDIR: 0o40000,
    S_IFBLK: 0o60000,
    S_IFREG: 0o100000,
    S_IFLNK: 0o120000,
    S_IFSOCK: 0o140000,
    S_IRUSR: 0o400,
    S_IWUSR: 0o200,
    S_IXUSR: 0o100,
    S_IRGRP: 0o40,
    S_IWGRP: 0o20,
    S_IXGRP: 0o10,
    S_IROTH: 0o4,
    S_IWOTH: 0o2,
    S_IXOTH: 0o1,
    AT_FDCWD: -100,
    AT_EMPTY_PATH: 0x1000,
    AT_SYMLINK_NOFOLLOW: 0x100,
    STATX_TYPE: 0x1,
    STATX_MODE: 0x2,
    STATX_SIZE: 0x200,
    STATX_INO: 0x100,
    CLOCK_MONOTONIC: 1,
    POLLIN: 0x1,
    POLLPRI: 0x2,
    POLLOUT: 0x4,
    POLLERR: 0x8,
    POLLHUP: 0x10,
    POLLNVAL: 0x20,
    SIGHUP: 1,
    SIGINT: 2,
    SIGQUIT: 3,
    SIGILL: 4,
    SIGABRT: 6,
    SIGBUS: 7,
    SIGFPE: 8,
    SIGKILL: 9,
    SIGUSR1: 10,
    SIGSEGV: 11,
    SIGUSR2: 12,
    SIGPIPE: 13,
    SIGALRM: 14,
    SIGTERM: 15,
    SIGCHLD: 17,
    WNOHANG: 1,
    POSIX_SPAWN_SETSIGDEF: 0x4,
    POSIX_SPAWN_SETSIGMASK: 0x8,
    PIPE_BUF: 4096,
    _SC_PAGESIZE: 30,
    EPERM: 1,
    ENOENT: 2,
    ESRCH: 3,
    EINTR: 4,
    EIO: 5,
    ENXIO: 6,
    EBADF: 9,
    ECHILD: 10,
    EAGAIN: 11,
    ENOMEM: 12,
    EACCES: 13,
    EEXIST: 17,
    ENOTDIR: 20,
    EISDIR: 21,
    EINVAL: 22,
    EMFILE: 24,
    ENOSPC: 28,
    EPIPE: 32,
    ERANGE: 34,
    ENOMSG: 42,
    EIDRM: 43,
    ETIMEDOUT: 110,
    IPC_PRIVATE: 0,
    IPC_CREAT: 0o1000,
    IPC_EXCL: 0o2000,
    IPC_NOWAIT: 0o4000,
    IPC_RMID: 0,
    IPC_SET: 1,
    IPC_STAT: 2,
    IPC_INFO: 3,
    SHM_RDONLY: 0o10000,
    SHM_RND: 0o20000,
    SHM_REMAP: 0o40000,
    SHM_EXEC: 0o100000,
    SHM_LOCK: 11,
    SHM_UNLOCK: 12,
    SHM_STAT: 13,
    SHM_INFO: 14,
    SHM_STAT_ANY: 15,
    SHM_DEST: 0o1000,
    SHM_LOCKED: 0o2000,
    SEM_UNDO: 0x1000,
    GETPID: 11,
    GETVAL: 12,
    GETNCNT: 14,
    GETZCNT: 15,
    SETVAL: 16,
    SEM_STAT: 18,
    SEM_INFO: 19,
    SEM_STAT_ANY: 20,
    MSG_NOERROR: 0o10000,
    MSG_EXCEPT: 0o20000,
    MSG_STAT: 11,
    MSG_INFO: 12,
    MSG_STAT_ANY: 13,
    AF_UNIX: 1,
    SOCK_STREAM: 1,
    SOCK_DGRAM: 2,
    SOCK_NONBLOCK: 0o4000,
    SOCK_CLOEXEC: 0o2000000,
    SOL_SOCKET: 1,
    SCM_RIGHTS: 1,
    MSG_CMSG_CLOEXEC: 0x40000000,
    MSG_CTRUNC: 0x8,
    MSG_NOSIGNAL: 0x4000,
    SHUT_WR: 1,
    MQ_PRIO_MAX: 32768,
    PROT_NONE: 0,
    PROT_READ: 0x1,
    PROT_WRITE: 0x2,
    PROT_EXEC: 0x4,
    MAP_SHARED: 0x1,
    MAP_PRIVATE: 0x2,
    MAP_FIXED: 0x10,
    MAP_ANONYMOUS: 0x20,
    MAP_NORESERVE: 0x4000,
    MAP_POPULATE: 0x8000,
    MS_ASYNC: 1,
    MS_INVALIDATE: 2,
    MS_SYNC: 4,
    SYS_futex: 202,
    FUTEX_WAIT: 0,
    FUTEX_WAKE: 1,
  },
} as const;

/**
 * The shape of one architecture's table: `struct` (sizes and member
 * offsets, by C name) and `const` (macro values, by C name).
 *
 * @example
 * ```ts
 * import type { AbiTable } from "./abi.ts";
 * const nsems = (t: AbiTable) => t.struct.semid_ds.sem_nsems;
 * ```
 */
export type AbiTable = Numbers<typeof X86_64>;

/**
 * glibc on Linux aarch64 (checked with `aarch64-linux-gnu-gcc` under qemu):
 * x86_64's table where the headers agree, which is everywhere but here.
 * aarch64 uses the generic 64-bit `semid_ds` (x86_64 has its own, with
 * padding words), the generic `O_DIRECTORY` (so `O_TMPFILE`, which includes
 * it, differs too) and the generic syscall numbers.
 */
const AARCH64: AbiTable = {
  struct: {
    ...X86_64.struct,
    semid_ds: { sizeof: 88, sem_perm: 0, sem_otime: 48, sem_ctime: 56, sem_nsems: 64 },
  },
  const: {
    ...X86_64.const,
    O_DIRECTORY: 0o40000,
    O_TMPFILE: 0o20040000,
    SYS_futex: 98,
  },
};

/**
 * Both tables, by `Deno.build.arch` value (what tests/abi_test.ts checks).
 *
 * @example
 * ```ts
 * import { ABI_TABLES } from "./abi.ts";
 * console.log(ABI_TABLES.aarch64.const.O_TMPFILE.toString(8)); // "20040000"
 * ```
 */
export const ABI_TABLES: Readonly<Record<"x86_64" | "aarch64", AbiTable>> = {
  x86_64: X86_64,
  aarch64: AARCH64,
};

/**
 * The table for `arch` (a `Deno.build.arch` value); throws for an
 * architecture this project has no table for.
 *
 * @example
 * ```ts
 * import { abiFor } from "./abi.ts";
 * abiFor("aarch64").struct.semid_ds.sem_nsems; // 64
 * ```
 */
export function abiFor(arch: string): AbiTable {
  if (arch === "x86_64" || arch === "aarch64") return ABI_TABLES[arch];
  throw new Error(
    `ipc-lab has no ABI table for ${arch} (only x86_64 and aarch64): see lib/abi.ts`,
  );
}

/**
 * This machine's table (`Deno.build.arch`).
 *
 * @example
 * ```ts
 * import { ABI } from "./abi.ts";
 * const ds = new Uint8Array(ABI.struct.semid_ds.sizeof);
 * const nsemsAt = ABI.struct.semid_ds.sem_nsems; // 80 on x86_64, 64 on aarch64
 * const O_TMPFILE = ABI.const.O_TMPFILE;
 * ```
 */
export const ABI: AbiTable = abiFor(Deno.build.arch);
