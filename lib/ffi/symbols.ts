/**
 * The one libc symbol table of ipc-lab: every C function the project calls,
 * with its C prototype beside it, and nothing else. The typed, checked API
 * lives in the topic modules next to this folder (`lib/fd.ts`, `lib/process.ts`,
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
  __errno_location: {
    parameters: [],
    result: "pointer", // int *
  },
  /** const char *strerrorname_np(int errnum); */
  strerrorname_np: {
    parameters: [
      "i32", // int errnum
    ],
    result: "pointer", // const char *
  },
  /** const char *strerrordesc_np(int errnum); */
  strerrordesc_np: {
    parameters: [
      "i32", // int errnum
    ],
    result: "pointer", // const char *
  },

  // ---- file descriptors ----------------------------------------------
  /** int pipe2(int pipefd[2], int flags); */
  pipe2: {
    parameters: [
      "buffer", // int pipefd[2]
      "i32", // int flags
    ],
    result: "i32", // int
  },
  /** int close(int fd); */
  close: {
    parameters: [
      "i32", // int fd
    ],
    result: "i32", // int
  },
  /** ssize_t read(int fd, void *buf, size_t count); */
  read: {
    parameters: [
      "i32", // int fd
      "buffer", // void *buf
      "usize", // size_t count
    ],
    result: "isize", // ssize_t
  },
  /** ssize_t write(int fd, const void *buf, size_t count); */
  write: {
    parameters: [
      "i32", // int fd
      "buffer", // const void *buf
      "usize", // size_t count
    ],
    result: "isize", // ssize_t
  },
  /** int open(const char *pathname, int flags, mode_t mode); */
  open: {
    parameters: [
      "buffer", // const char *pathname
      "i32", // int flags
      "u32", // mode_t mode
    ],
    result: "i32", // int
  },
  /** int dup(int oldfd); */
  dup: {
    parameters: [
      "i32", // int oldfd
    ],
    result: "i32", // int
  },
  /** int dup2(int oldfd, int newfd); */
  dup2: {
    parameters: [
      "i32", // int oldfd
      "i32", // int newfd
    ],
    result: "i32", // int
  },
  /** int fcntl(int fd, int cmd, int arg); */
  fcntl: {
    parameters: [
      "i32", // int fd
      "i32", // int cmd
      "i32", // int arg
    ],
    result: "i32", // int
  },
  /** int poll(struct pollfd *fds, nfds_t nfds, int timeout); */
  poll: {
    parameters: [
      "buffer", // struct pollfd *fds
      "u64", // nfds_t nfds
      "i32", // int timeout
    ],
    result: "i32", // int
  },
  /** int ftruncate(int fd, off_t length); */
  ftruncate: {
    parameters: [
      "i32", // int fd
      "i64", // off_t length
    ],
    result: "i32", // int
  },
  /** off_t lseek(int fd, off_t offset, int whence); */
  lseek: {
    parameters: [
      "i32", // int fd
      "i64", // off_t offset
      "i32", // int whence
    ],
    result: "i64", // off_t
  },
  /** int statx(int dirfd, const char *pathname, int flags, unsigned int mask,
   *    struct statx *statxbuf); (glibc 2.28; one layout on every architecture) */
  statx: {
    parameters: [
      "i32", // int dirfd
      "buffer", // const char *pathname
      "i32", // int flags
      "u32", // unsigned int mask
      "buffer", // struct statx *statxbuf
    ],
    result: "i32", // int
  },
  /** int clock_gettime(clockid_t clockid, struct timespec *tp); (the machine trace's clock) */
  clock_gettime: {
    parameters: [
      "i32", // clockid_t clockid
      "buffer", // struct timespec *tp
    ],
    result: "i32", // int
  },
  /** long fpathconf(int fd, int name); */
  fpathconf: {
    parameters: [
      "i32", // int fd
      "i32", // int name
    ],
    result: "i64", // long
  },

  // ---- file system objects -------------------------------------------
  /** int mkfifo(const char *pathname, mode_t mode); */
  mkfifo: {
    parameters: [
      "buffer", // const char *pathname
      "u32", // mode_t mode
    ],
    result: "i32", // int
  },
  /** int unlink(const char *pathname); */
  unlink: {
    parameters: [
      "buffer", // const char *pathname
    ],
    result: "i32", // int
  },
  /** mode_t umask(mode_t mask); */
  umask: {
    parameters: [
      "u32", // mode_t mask
    ],
    result: "u32", // mode_t
  },

  // ---- processes -----------------------------------------------------
  /** pid_t getpid(void); */
  getpid: {
    parameters: [],
    result: "i32", // pid_t
  },
  /** pid_t getppid(void); */
  getppid: {
    parameters: [],
    result: "i32", // pid_t
  },
  /** uid_t getuid(void); */
  getuid: {
    parameters: [],
    result: "u32", // uid_t
  },
  /** int getpwuid_r(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
   *    struct passwd **result); Returns the error number itself (0 and
   *    *result == NULL: no such user). */
  getpwuid_r: {
    parameters: [
      "u32", // uid_t uid
      "buffer", // struct passwd *pwd
      "buffer", // char *buf
      "usize", // size_t buflen
      "buffer", // struct passwd **result
    ],
    result: "i32", // int
  },
  /** int kill(pid_t pid, int sig); */
  kill: {
    parameters: [
      "i32", // pid_t pid
      "i32", // int sig
    ],
    result: "i32", // int
  },
  /** pid_t waitpid(pid_t pid, int *wstatus, int options); */
  waitpid: {
    parameters: [
      "i32", // pid_t pid
      "buffer", // int *wstatus
      "i32", // int options
    ],
    result: "i32", // pid_t
  },
  /** int pidfd_open(pid_t pid, unsigned int flags); (glibc 2.36) */
  pidfd_open: {
    parameters: [
      "i32", // pid_t pid
      "u32", // unsigned int flags
    ],
    result: "i32", // int
  },
  /** int posix_spawnp(pid_t *pid, const char *file,
   *    const posix_spawn_file_actions_t *file_actions,
   *    const posix_spawnattr_t *attrp, char *const argv[], char *const envp[]);
   * Returns the error number itself, not -1 + errno. */
  posix_spawnp: {
    parameters: [
      "buffer", // pid_t *pid
      "buffer", // const char *file
      "buffer", // const posix_spawn_file_actions_t *file_actions
      "buffer", // const posix_spawnattr_t *attrp
      "buffer", // char *const argv[]
      "pointer", // char *const envp[]
    ],
    result: "i32", // int
  },
  /** int posix_spawn_file_actions_init(posix_spawn_file_actions_t *fa); */
  posix_spawn_file_actions_init: {
    parameters: [
      "buffer", // posix_spawn_file_actions_t *fa
    ],
    result: "i32", // int
  },
  /** int posix_spawn_file_actions_destroy(posix_spawn_file_actions_t *fa); */
  posix_spawn_file_actions_destroy: {
    parameters: [
      "buffer", // posix_spawn_file_actions_t *fa
    ],
    result: "i32", // int
  },
  /** int posix_spawn_file_actions_adddup2(posix_spawn_file_actions_t *fa,
   *    int fildes, int newfildes); */
  posix_spawn_file_actions_adddup2: {
    parameters: [
      "buffer", // posix_spawn_file_actions_t *fa
      "i32", // int fildes
      "i32", // int newfildes
    ],
    result: "i32", // int
  },
  /** int posix_spawn_file_actions_addclose(posix_spawn_file_actions_t *fa,
   *    int fildes); */
  posix_spawn_file_actions_addclose: {
    parameters: [
      "buffer", // posix_spawn_file_actions_t *fa
      "i32", // int fildes
    ],
    result: "i32", // int
  },
  /** int posix_spawn_file_actions_addchdir_np(posix_spawn_file_actions_t *fa,
   *    const char *path); (glibc 2.29) */
  posix_spawn_file_actions_addchdir_np: {
    parameters: [
      "buffer", // posix_spawn_file_actions_t *fa
      "buffer", // const char *path
    ],
    result: "i32", // int
  },
  /** int posix_spawnattr_init(posix_spawnattr_t *attr); */
  posix_spawnattr_init: {
    parameters: [
      "buffer", // posix_spawnattr_t *attr
    ],
    result: "i32", // int
  },
  /** int posix_spawnattr_destroy(posix_spawnattr_t *attr); */
  posix_spawnattr_destroy: {
    parameters: [
      "buffer", // posix_spawnattr_t *attr
    ],
    result: "i32", // int
  },
  /** int posix_spawnattr_setflags(posix_spawnattr_t *attr, short flags); */
  posix_spawnattr_setflags: {
    parameters: [
      "buffer", // posix_spawnattr_t *attr
      "i16", // short flags
    ],
    result: "i32", // int
  },
  /** int posix_spawnattr_setsigdefault(posix_spawnattr_t *attr,
   *    const sigset_t *sigdefault); */
  posix_spawnattr_setsigdefault: {
    parameters: [
      "buffer", // posix_spawnattr_t *attr
      "buffer", // const sigset_t *sigdefault
    ],
    result: "i32", // int
  },
  /** int posix_spawnattr_setsigmask(posix_spawnattr_t *attr,
   *    const sigset_t *sigmask); */
  posix_spawnattr_setsigmask: {
    parameters: [
      "buffer", // posix_spawnattr_t *attr
      "buffer", // const sigset_t *sigmask
    ],
    result: "i32", // int
  },
  /** int sigemptyset(sigset_t *set); */
  sigemptyset: {
    parameters: [
      "buffer", // sigset_t *set
    ],
    result: "i32", // int
  },
  /** int sigaddset(sigset_t *set, int signum); */
  sigaddset: {
    parameters: [
      "buffer", // sigset_t *set
      "i32", // int signum
    ],
    result: "i32", // int
  },
  /** int sched_setaffinity(pid_t pid, size_t cpusetsize, const cpu_set_t *mask); */
  sched_setaffinity: {
    parameters: [
      "i32", // pid_t pid
      "usize", // size_t cpusetsize
      "buffer", // const cpu_set_t *mask
    ],
    result: "i32", // int
  },
  /** long sysconf(int name); */
  sysconf: {
    parameters: [
      "i32", // int name
    ],
    result: "i64", // long
  },
  /** long syscall(long number, ...); variadic, declared here in the shape
   * of futex(2): syscall(SYS_futex = 202 on x86_64, uint32_t *uaddr,
   * int futex_op, uint32_t val, const struct timespec *timeout,
   * uint32_t *uaddr2, uint32_t val3). Used by bench/ (shm handshakes). */
  syscall: {
    parameters: [
      "i64", // long number (SYS_futex)
      "pointer", // uint32_t *uaddr
      "i32", // int futex_op
      "i32", // uint32_t val
      "pointer", // const struct timespec *timeout
      "pointer", // uint32_t *uaddr2
      "i32", // uint32_t val3
    ],
    result: "i64", // long
  },

  // ---- System V IPC --------------------------------------------------
  /** key_t ftok(const char *pathname, int proj_id); */
  ftok: {
    parameters: [
      "buffer", // const char *pathname
      "i32", // int proj_id
    ],
    result: "i32", // key_t
  },
  /** int shmget(key_t key, size_t size, int shmflg); */
  shmget: {
    parameters: [
      "i32", // key_t key
      "usize", // size_t size
      "i32", // int shmflg
    ],
    result: "i32", // int
  },
  /** void *shmat(int shmid, const void *shmaddr, int shmflg);
   * Fails with (void *) -1, not NULL. */
  shmat: {
    parameters: [
      "i32", // int shmid
      "pointer", // const void *shmaddr
      "i32", // int shmflg
    ],
    result: "pointer", // void *
  },
  /** int shmdt(const void *shmaddr); */
  shmdt: {
    parameters: [
      "pointer", // const void *shmaddr
    ],
    result: "i32", // int
  },
  /** int shmctl(int shmid, int cmd, struct shmid_ds *buf); */
  shmctl: {
    parameters: [
      "i32", // int shmid
      "i32", // int cmd
      "buffer", // struct shmid_ds *buf
    ],
    result: "i32", // int
  },
  /** int semget(key_t key, int nsems, int semflg); */
  semget: {
    parameters: [
      "i32", // key_t key
      "i32", // int nsems
      "i32", // int semflg
    ],
    result: "i32", // int
  },
  /** int semop(int semid, struct sembuf *sops, size_t nsops); */
  semop: {
    parameters: [
      "i32", // int semid
      "buffer", // struct sembuf *sops
      "usize", // size_t nsops
    ],
    result: "i32", // int
  },
  /** int semtimedop(int semid, struct sembuf *sops, size_t nsops,
   *    const struct timespec *timeout); */
  semtimedop: {
    parameters: [
      "i32", // int semid
      "buffer", // struct sembuf *sops
      "usize", // size_t nsops
      "buffer", // const struct timespec *timeout
    ],
    result: "i32", // int
  },
  /** int semctl(int semid, int semnum, int cmd, ...); the 4th argument is a
   * union semun: an int (SETVAL) or a pointer (IPC_STAT, GETALL), passed in
   * the same 64-bit register, so it is declared as a pointer-sized u64. */
  semctl: {
    parameters: [
      "i32", // int semid
      "i32", // int semnum
      "i32", // int cmd
      "u64", // ... union semun arg (int val or a pointer)
    ],
    result: "i32", // int
  },
  /** int msgget(key_t key, int msgflg); */
  msgget: {
    parameters: [
      "i32", // key_t key
      "i32", // int msgflg
    ],
    result: "i32", // int
  },
  /** int msgsnd(int msqid, const void *msgp, size_t msgsz, int msgflg); */
  msgsnd: {
    parameters: [
      "i32", // int msqid
      "buffer", // const void *msgp
      "usize", // size_t msgsz
      "i32", // int msgflg
    ],
    result: "i32", // int
  },
  /** ssize_t msgrcv(int msqid, void *msgp, size_t msgsz, long msgtyp,
   *    int msgflg); */
  msgrcv: {
    parameters: [
      "i32", // int msqid
      "buffer", // void *msgp
      "usize", // size_t msgsz
      "i64", // long msgtyp
      "i32", // int msgflg
    ],
    result: "isize", // ssize_t
  },
  /** int msgctl(int msqid, int cmd, struct msqid_ds *buf); */
  msgctl: {
    parameters: [
      "i32", // int msqid
      "i32", // int cmd
      "buffer", // struct msqid_ds *buf
    ],
    result: "i32", // int
  },

  // ---- memory mappings and POSIX shared memory -----------------------
  /** void *mmap(void *addr, size_t length, int prot, int flags, int fd,
   *    off_t offset); Fails with MAP_FAILED, (void *) -1. */
  mmap: {
    parameters: [
      "pointer", // void *addr
      "usize", // size_t length
      "i32", // int prot
      "i32", // int flags
      "i32", // int fd
      "i64", // off_t offset
    ],
    result: "pointer", // void *
  },
  /** int munmap(void *addr, size_t length); */
  munmap: {
    parameters: [
      "pointer", // void *addr
      "usize", // size_t length
    ],
    result: "i32", // int
  },
  /** int msync(void *addr, size_t length, int flags); */
  msync: {
    parameters: [
      "pointer", // void *addr
      "usize", // size_t length
      "i32", // int flags
    ],
    result: "i32", // int
  },
  /** int shm_open(const char *name, int oflag, mode_t mode); */
  shm_open: {
    parameters: [
      "buffer", // const char *name
      "i32", // int oflag
      "u32", // mode_t mode
    ],
    result: "i32", // int
  },
  /** int shm_unlink(const char *name); */
  shm_unlink: {
    parameters: [
      "buffer", // const char *name
    ],
    result: "i32", // int
  },

  // ---- POSIX semaphores and message queues ---------------------------
  /** sem_t *sem_open(const char *name, int oflag, mode_t mode,
   *    unsigned int value); Fails with SEM_FAILED (NULL on glibc). */
  sem_open: {
    parameters: [
      "buffer", // const char *name
      "i32", // int oflag
      "u32", // mode_t mode
      "u32", // unsigned int value
    ],
    result: "pointer", // sem_t *
  },
  /** int sem_close(sem_t *sem); */
  sem_close: {
    parameters: [
      "pointer", // sem_t *sem
    ],
    result: "i32", // int
  },
  /** int sem_unlink(const char *name); */
  sem_unlink: {
    parameters: [
      "buffer", // const char *name
    ],
    result: "i32", // int
  },
  /** int sem_wait(sem_t *sem); */
  sem_wait: {
    parameters: [
      "pointer", // sem_t *sem
    ],
    result: "i32", // int
  },
  /** int sem_trywait(sem_t *sem); */
  sem_trywait: {
    parameters: [
      "pointer", // sem_t *sem
    ],
    result: "i32", // int
  },
  /** int sem_timedwait(sem_t *sem, const struct timespec *abs_timeout); */
  sem_timedwait: {
    parameters: [
      "pointer", // sem_t *sem
      "buffer", // const struct timespec *abs_timeout
    ],
    result: "i32", // int
  },
  /** int sem_post(sem_t *sem); */
  sem_post: {
    parameters: [
      "pointer", // sem_t *sem
    ],
    result: "i32", // int
  },
  /** int sem_getvalue(sem_t *sem, int *sval); */
  sem_getvalue: {
    parameters: [
      "pointer", // sem_t *sem
      "buffer", // int *sval
    ],
    result: "i32", // int
  },
  /** mqd_t mq_open(const char *name, int oflag, mode_t mode,
   *    struct mq_attr *attr); */
  mq_open: {
    parameters: [
      "buffer", // const char *name
      "i32", // int oflag
      "u32", // mode_t mode
      "buffer", // struct mq_attr *attr
    ],
    result: "i32", // mqd_t
  },
  /** int mq_close(mqd_t mqdes); */
  mq_close: {
    parameters: [
      "i32", // mqd_t mqdes
    ],
    result: "i32", // int
  },
  /** int mq_unlink(const char *name); */
  mq_unlink: {
    parameters: [
      "buffer", // const char *name
    ],
    result: "i32", // int
  },
  /** int mq_send(mqd_t mqdes, const char *msg_ptr, size_t msg_len,
   *    unsigned int msg_prio); */
  mq_send: {
    parameters: [
      "i32", // mqd_t mqdes
      "buffer", // const char *msg_ptr
      "usize", // size_t msg_len
      "u32", // unsigned int msg_prio
    ],
    result: "i32", // int
  },
  /** ssize_t mq_receive(mqd_t mqdes, char *msg_ptr, size_t msg_len,
   *    unsigned int *msg_prio); */
  mq_receive: {
    parameters: [
      "i32", // mqd_t mqdes
      "buffer", // char *msg_ptr
      "usize", // size_t msg_len
      "buffer", // unsigned int *msg_prio
    ],
    result: "isize", // ssize_t
  },
  /** int mq_getattr(mqd_t mqdes, struct mq_attr *attr); */
  mq_getattr: {
    parameters: [
      "i32", // mqd_t mqdes
      "buffer", // struct mq_attr *attr
    ],
    result: "i32", // int
  },

  // ---- sockets -------------------------------------------------------
  /** int socket(int domain, int type, int protocol); */
  socket: {
    parameters: [
      "i32", // int domain
      "i32", // int type
      "i32", // int protocol
    ],
    result: "i32", // int
  },
  /** int socketpair(int domain, int type, int protocol, int sv[2]); */
  socketpair: {
    parameters: [
      "i32", // int domain
      "i32", // int type
      "i32", // int protocol
      "buffer", // int sv[2]
    ],
    result: "i32", // int
  },
  /** int bind(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  bind: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32", // int
  },
  /** int listen(int sockfd, int backlog); */
  listen: {
    parameters: [
      "i32", // int sockfd
      "i32", // int backlog
    ],
    result: "i32", // int
  },
  /** int accept4(int sockfd, struct sockaddr *addr, socklen_t *addrlen,
   *    int flags); */
  accept4: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct sockaddr *addr
      "buffer", // socklen_t *addrlen
      "i32", // int flags
    ],
    result: "i32", // int
  },
  /** int connect(int sockfd, const struct sockaddr *addr, socklen_t addrlen); */
  connect: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct sockaddr *addr
      "u32", // socklen_t addrlen
    ],
    result: "i32", // int
  },
  /** ssize_t sendmsg(int sockfd, const struct msghdr *msg, int flags); */
  sendmsg: {
    parameters: [
      "i32", // int sockfd
      "buffer", // const struct msghdr *msg
      "i32", // int flags
    ],
    result: "isize", // ssize_t
  },
  /** ssize_t recvmsg(int sockfd, struct msghdr *msg, int flags); */
  recvmsg: {
    parameters: [
      "i32", // int sockfd
      "buffer", // struct msghdr *msg
      "i32", // int flags
    ],
    result: "isize", // ssize_t
  },
  /** int shutdown(int sockfd, int how); */
  shutdown: {
    parameters: [
      "i32", // int sockfd
      "i32", // int how
    ],
    result: "i32", // int
  },

  // ---- the process environment ---------------------------------------
  /** extern char **environ; a static: Deno hands back &environ, so it must
   * be dereferenced at the moment it is used (see lib/process.ts). */
  environ: { type: "pointer" },
} as const satisfies Deno.ForeignLibraryInterface;
