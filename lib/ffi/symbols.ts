/**
 * The one libc symbol table of ipc-lab: every C function the project calls,
 * with its C prototype beside it, and nothing else. The typed, checked API
 * lives in the topic modules next to this folder (`lib/fd.ts`, `lib/spawn.ts`,
 * ...); like denodrivers/sqlite3 keeps `ffi.ts` apart from its classes, this
 * file only says what the C ABI is.
 *
 * Type mapping used throughout (Linux x86_64 / aarch64, glibc):
 * `int`, `pid_t`, `key_t` → `i32`; `mode_t`, `unsigned` → `u32`;
 * `size_t` → `usize`, `ssize_t` → `isize`, `off_t`, `time_t` → `i64`;
 * pointers we fill (buffers, structs) → `buffer`; pointers we keep → `pointer`.
 * Pass `bigint` for every `usize`/`isize`/`i64` parameter: a JS number there
 * leaves V8's FFI fast path (about +100 ns a call, measured).
 *
 * Variadic functions (`open`, `fcntl`, `semctl`) are declared with fixed
 * parameters; that is ABI-compatible on x86_64 and aarch64 Linux (not on
 * Apple arm64).
 *
 * @module
 */

export const LIBC_SYMBOLS = {
  // ---- errno and error text -------------------------------------------
  /** int *__errno_location(void); */
  __errno_location: { parameters: [], result: "pointer" },
  /** const char *strerrorname_np(int errnum); */
  strerrorname_np: { parameters: ["i32"], result: "pointer" },
  /** const char *strerrordesc_np(int errnum); */
  strerrordesc_np: { parameters: ["i32"], result: "pointer" },

  // ---- file descriptors ----------------------------------------------
  /** int pipe2(int pipefd[2], int flags); */
  pipe2: { parameters: ["buffer", "i32"], result: "i32" },
  /** int close(int fd); */
  close: { parameters: ["i32"], result: "i32" },
  /** ssize_t read(int fd, void *buf, size_t count); */
  read: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** ssize_t write(int fd, const void *buf, size_t count); */
  write: { parameters: ["i32", "buffer", "usize"], result: "isize" },
  /** int open(const char *pathname, int flags, mode_t mode); */
  open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  /** int dup(int oldfd); */
  dup: { parameters: ["i32"], result: "i32" },
  /** int dup2(int oldfd, int newfd); */
  dup2: { parameters: ["i32", "i32"], result: "i32" },
  /** int fcntl(int fd, int cmd, int arg); */
  fcntl: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); */
  poll: { parameters: ["buffer", "u64", "i32"], result: "i32" },
  /** int ftruncate(int fd, off_t length); */
  ftruncate: { parameters: ["i32", "i64"], result: "i32" },
  /** off_t lseek(int fd, off_t offset, int whence); */
  lseek: { parameters: ["i32", "i64", "i32"], result: "i64" },
  /** int fstat(int fd, struct stat *statbuf); */
  fstat: { parameters: ["i32", "buffer"], result: "i32" },
  /** int statx(int dirfd, const char *pathname, int flags, unsigned int mask,
   *    struct statx *statxbuf); (glibc 2.28; one layout on every architecture) */
  statx: { parameters: ["i32", "buffer", "i32", "u32", "buffer"], result: "i32" },
  /** long fpathconf(int fd, int name); */
  fpathconf: { parameters: ["i32", "i32"], result: "i64" },

  // ---- file system objects -------------------------------------------
  /** int mkfifo(const char *pathname, mode_t mode); */
  mkfifo: { parameters: ["buffer", "u32"], result: "i32" },
  /** int unlink(const char *pathname); */
  unlink: { parameters: ["buffer"], result: "i32" },
  /** mode_t umask(mode_t mask); */
  umask: { parameters: ["u32"], result: "u32" },

  // ---- processes -----------------------------------------------------
  /** pid_t getpid(void); */
  getpid: { parameters: [], result: "i32" },
  /** pid_t getppid(void); */
  getppid: { parameters: [], result: "i32" },
  /** uid_t getuid(void); */
  getuid: { parameters: [], result: "u32" },
  /** int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
   *    struct passwd **result); Returns the error number itself (0 and
   *    *result == NULL: no such user). */
  getpwuid_r: {
    parameters: ["u32", "buffer", "buffer", "usize", "buffer"],
    result: "i32",
  },
  /** int kill(pid_t pid, int sig); */
  kill: { parameters: ["i32", "i32"], result: "i32" },
  /** pid_t waitpid(pid_t pid, int *wstatus, int options); */
  waitpid: { parameters: ["i32", "buffer", "i32"], result: "i32" },
  /** int pidfd_open(pid_t pid, unsigned int flags); (glibc 2.36) */
  pidfd_open: { parameters: ["i32", "u32"], result: "i32" },
  /** int posix_spawnp(pid_t *pid, const char *file,
   *    const posix_spawn_file_actions_t *file_actions,
   *    const posix_spawnattr_t *attrp, char *const argv[], char *const envp[]);
   * Returns the error number itself, not -1 + errno. */
  posix_spawnp: {
    parameters: ["buffer", "buffer", "buffer", "buffer", "buffer", "pointer"],
    result: "i32",
  },
  /** int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa); */
  posix_spawn_file_actions_init: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa); */
  posix_spawn_file_actions_destroy: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa,
   *    int fildes, int newfildes); */
  posix_spawn_file_actions_adddup2: {
    parameters: ["buffer", "i32", "i32"],
    result: "i32",
  },
  /** int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa,
   *    int fildes); */
  posix_spawn_file_actions_addclose: {
    parameters: ["buffer", "i32"],
    result: "i32",
  },
  /** int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
   *    const char *path); (glibc 2.29) */
  posix_spawn_file_actions_addchdir_np: {
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  /** int posix_spawnattr_init(posix_spawnattr_t *attr); */
  posix_spawnattr_init: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawnattr_destroy(posix_spawnattr_t *attr); */
  posix_spawnattr_destroy: { parameters: ["buffer"], result: "i32" },
  /** int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags); */
  posix_spawnattr_setflags: { parameters: ["buffer", "i16"], result: "i32" },
  /** int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr,
   *    const sigset_t *sigdefault); */
  posix_spawnattr_setsigdefault: {
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  /** int posix_spawnattr_setsigmask(posix_spawnattr_t *attr,
   *    const sigset_t *sigmask); */
  posix_spawnattr_setsigmask: {
    parameters: ["buffer", "buffer"],
    result: "i32",
  },
  /** int sigemptyset(sigset_t *set); */
  sigemptyset: { parameters: ["buffer"], result: "i32" },
  /** int sigaddset(sigset_t *set, int signum); */
  sigaddset: { parameters: ["buffer", "i32"], result: "i32" },
  /** int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask); */
  sched_setaffinity: {
    parameters: ["i32", "usize", "buffer"],
    result: "i32",
  },
  /** long sysconf(int name); */
  sysconf: { parameters: ["i32"], result: "i64" },
  /** long syscall(long number, ...); variadic, declared here in the shape
   * of futex(2): syscall(SYS_futex = 202 on x86_64, uint32_t *uaddr,
   * int futex_op, uint32_t val, const struct timespec *timeout,
   * uint32_t *uaddr2, uint32_t val3). Used by bench/ (shm handshakes). */
  syscall: {
    parameters: ["i64", "pointer", "i32", "i32", "pointer", "pointer", "i32"],
    result: "i64",
  },

  // ---- System V IPC --------------------------------------------------
  /** key_t ftok(const char *pathname, int proj_id); */
  ftok: { parameters: ["buffer", "i32"], result: "i32" },
  /** int shmget(key_t key, size_t size, int shmflg); */
  shmget: { parameters: ["i32", "usize", "i32"], result: "i32" },
  /** void *shmat(int shmid, const void *shmaddr, int shmflg);
   * Fails with (void *) -1, not NULL. */
  shmat: { parameters: ["i32", "pointer", "i32"], result: "pointer" },
  /** int shmdt(const void *shmaddr); */
  shmdt: { parameters: ["pointer"], result: "i32" },
  /** int shmctl(int shmid, int cmd, struct shmid_ds *buf); */
  shmctl: { parameters: ["i32", "i32", "buffer"], result: "i32" },
  /** int semget(key_t key, int nsems, int semflg); */
  semget: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int semop(int semid, struct sembuf *sops, size_t nsops); */
  semop: { parameters: ["i32", "buffer", "usize"], result: "i32" },
  /** int semtimedop(int semid, struct sembuf *sops, size_t nsops,
   *    const struct timespec *timeout); */
  semtimedop: {
    parameters: ["i32", "buffer", "usize", "buffer"],
    result: "i32",
  },
  /** int semctl(int semid, int semnum, int cmd, ...); the 4th argument is a
   * union semun: an int (SETVAL) or a pointer (IPC_STAT, GETALL), passed in
   * the same 64-bit register, so it is declared as a pointer-sized u64. */
  semctl: { parameters: ["i32", "i32", "i32", "u64"], result: "i32" },
  /** int msgget(key_t key, int msgflg); */
  msgget: { parameters: ["i32", "i32"], result: "i32" },
  /** int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg); */
  msgsnd: { parameters: ["i32", "buffer", "usize", "i32"], result: "i32" },
  /** ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp,
   *    int msgflg); */
  msgrcv: {
    parameters: ["i32", "buffer", "usize", "i64", "i32"],
    result: "isize",
  },
  /** int msgctl(int msqid, int cmd, struct msqid_ds *buf); */
  msgctl: { parameters: ["i32", "i32", "buffer"], result: "i32" },

  // ---- memory mappings and POSIX shared memory -----------------------
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd,
   *    off_t offset); Fails with MAP_FAILED, (void *) -1. */
  mmap: {
    parameters: ["pointer", "usize", "i32", "i32", "i32", "i64"],
    result: "pointer",
  },
  /** int munmap(void *addr, size_t length); */
  munmap: { parameters: ["pointer", "usize"], result: "i32" },
  /** int msync(void *addr, size_t length, int flags); */
  msync: { parameters: ["pointer", "usize", "i32"], result: "i32" },
  /** int shm_open(const char *name, int oflag, mode_t mode); */
  shm_open: { parameters: ["buffer", "i32", "u32"], result: "i32" },
  /** int shm_unlink(const char *name); */
  shm_unlink: { parameters: ["buffer"], result: "i32" },

  // ---- POSIX semaphores and message queues ---------------------------
  /** sem_t *sem_open(const char *name, int oflag, mode_t mode,
   *    unsigned int value); Fails with SEM_FAILED (NULL on glibc). */
  sem_open: {
    parameters: ["buffer", "i32", "u32", "u32"],
    result: "pointer",
  },
  /** int sem_close(sem_t *sem); */
  sem_close: { parameters: ["pointer"], result: "i32" },
  /** int sem_unlink(const char *name); */
  sem_unlink: { parameters: ["buffer"], result: "i32" },
  /** int sem_wait(sem_t *sem); */
  sem_wait: { parameters: ["pointer"], result: "i32" },
  /** int sem_trywait(sem_t *sem); */
  sem_trywait: { parameters: ["pointer"], result: "i32" },
  /** int sem_timedwait(sem_t *sem, const struct timespec *abs_timeout); */
  sem_timedwait: { parameters: ["pointer", "buffer"], result: "i32" },
  /** int sem_post(sem_t *sem); */
  sem_post: { parameters: ["pointer"], result: "i32" },
  /** int sem_getvalue(sem_t *sem, int *sval); */
  sem_getvalue: { parameters: ["pointer", "buffer"], result: "i32" },
  /** mqd_t mq_open(const char *name, int oflag, mode_t mode,
   *    struct mq_attr *attr); */
  mq_open: { parameters: ["buffer", "i32", "u32", "buffer"], result: "i32" },
  /** int mq_close(mqd_t mqdes); */
  mq_close: { parameters: ["i32"], result: "i32" },
  /** int mq_unlink(const char *name); */
  mq_unlink: { parameters: ["buffer"], result: "i32" },
  /** int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
   *    unsigned int msg_prio); */
  mq_send: { parameters: ["i32", "buffer", "usize", "u32"], result: "i32" },
  /** ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
   *    unsigned int *msg_prio); */
  mq_receive: {
    parameters: ["i32", "buffer", "usize", "buffer"],
    result: "isize",
  },
  /** int mq_getattr(mqd_t mqdes, struct mq_attr *attr); */
  mq_getattr: { parameters: ["i32", "buffer"], result: "i32" },

  // ---- sockets -------------------------------------------------------
  /** int socket(int domain, int type, int protocol); */
  socket: { parameters: ["i32", "i32", "i32"], result: "i32" },
  /** int socketpair(int domain, int type, int protocol, int sv[2]); */
  socketpair: { parameters: ["i32", "i32", "i32", "buffer"], result: "i32" },
  /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  bind: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** int listen(int sockfd, int backlog); */
  listen: { parameters: ["i32", "i32"], result: "i32" },
  /** int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen,
   *    int flags); */
  accept4: { parameters: ["i32", "buffer", "buffer", "i32"], result: "i32" },
  /** int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  connect: { parameters: ["i32", "buffer", "u32"], result: "i32" },
  /** ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags); */
  sendmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags); */
  recvmsg: { parameters: ["i32", "buffer", "i32"], result: "isize" },
  /** int shutdown(int sockfd, int how); */
  shutdown: { parameters: ["i32", "i32"], result: "i32" },

  // ---- the process environment ---------------------------------------
  /** extern char **environ; a static: Deno hands back &environ, so it must
   * be dereferenced at the moment it is used (see lib/spawn.ts). */
  environ: { type: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;
