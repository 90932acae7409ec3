/*
 * Shared helpers of the C benchmark programs (bulk.c, pingpong.c).
 * Each program is the C twin of one code path in bench/ffi_runs.ts and
 * bench/peer.ts: same fds, same ring layout, same handshakes, same
 * warm-up, so the only difference is the language doing the calls.
 *
 * Protocol (both languages): the parent creates the channel and forks
 * (C) or spawns (Deno) the peer; the peer pins itself, sets up, writes 'R'
 * on a control pipe; the parent runs the warm-up, waits for 'W', starts the
 * clock, runs the timed part, waits for 'D' (bulk) and stops the clock.
 * The program prints the elapsed nanoseconds of the timed part only.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <mqueue.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/prctl.h>
#include <sys/shm.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/futex.h>
#include <time.h>
#include <unistd.h>

/* Ring layout in shared memory (same offsets as bench/shared.ts). */
#define RING_HEAD 0      /* int32: chunks written (writer stores) */
#define RING_TAIL 64     /* int32: chunks read (reader stores) */
#define RING_STATE 128   /* int32: ping-pong turn counter */
#define RING_MSG 192     /* 4-byte ping-pong message */
#define RING_DATA 4096   /* slots start here */
#define RING_SLOTS 4

/* Message queues (same values as bench/shared.ts). SysV: the bulk writer
 * sends type MSG_DOWN; ping-pong replies come back as MSG_UP. POSIX: a
 * queue holds MQ_MAXMSG messages (Linux's default msg_default); the
 * message size is given on the command line (the bench reads the limits). */
#define MSG_DOWN 1
#define MSG_UP 2
#define MQ_MAXMSG 10


static void die(const char *what) {
  perror(what);
  exit(1);
}

/* A SysV message buffer: long mtype, then `size` bytes of text. */
static long *msg_alloc(size_t size, long type) {
  long *m = malloc(sizeof(long) + size);
  if (!m) die("malloc");
  memset(m, 'x', sizeof(long) + size);
  *m = type;
  return m;
}

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* cpu >= 0: pin the calling thread (and so its future children) to cpu;
 * cpu < 0: allow every CPU. */
static void place(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (cpu >= 0) {
    CPU_SET(cpu, &set);
  } else {
    memset(&set, 0xff, sizeof set);
  }
  if (sched_setaffinity(0, sizeof set, &set) == -1) die("sched_setaffinity");
}

static void put_byte(int fd, char c) {
  if (write(fd, &c, 1) != 1) die("write ctl");
}

static void expect_byte(int fd, char want) {
  char c;
  ssize_t n;
  do n = read(fd, &c, 1); while (n == -1 && errno == EINTR);
  if (n != 1 || c != want) {
    fprintf(stderr, "control: wanted '%c', got %zd\n", want, n);
    exit(1);
  }
}

/* Futex on a word in a shared (not private) mapping. The wait has a 1 s
 * timeout so a dead peer is noticed (the caller checks). */
static void futex_wait(int32_t *addr, int32_t expected) {
  struct timespec ts = {1, 0};
  syscall(SYS_futex, addr, FUTEX_WAIT, expected, &ts, NULL, 0);
}

static void futex_wake(int32_t *addr) {
  syscall(SYS_futex, addr, FUTEX_WAKE, 1, NULL, NULL, 0);
}

static int32_t load(int32_t *p) { return __atomic_load_n(p, __ATOMIC_SEQ_CST); }
static void store(int32_t *p, int32_t v) { __atomic_store_n(p, v, __ATOMIC_SEQ_CST); }

static pid_t parent_pid;
static int ctl_read_fd = -1;

/* In the child: the parent died (we were reparented). */
static inline int parent_gone(void) { return getppid() != parent_pid; }

/* In the parent: the child died (its end of the control pipe hung up). */
static inline int child_gone(void) {
  struct pollfd p = {ctl_read_fd, POLLIN, 0};
  return poll(&p, 1, 0) == 1 && (p.revents & POLLHUP) != 0;
}

static void reap(pid_t pid) {
  int status;
  if (waitpid(pid, &status, 0) == -1) die("waitpid");
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "child failed (status 0x%x)\n", status);
    exit(1);
  }
}
