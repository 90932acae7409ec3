/*
 * pingpong: 4-byte round trips between the parent and a forked child.
 * The C twin of bench/ffi_runs.ts pingPongFfi() and bench/peer.ts.
 *
 *   pingpong MODE ITERS WARM_MAX WARM_MS CPU [KEY|NAME]
 *   MODE: pipe | socket | shm | msg | mq
 *
 * pipe: two pipes; socket: one socketpair; shm: a 4-byte message in a
 * SysV segment with a futex turn counter (odd: the parent's message is
 * there, even: the child's reply; -1: stop); msg: one SysV queue at KEY,
 * type MSG_DOWN to the child, MSG_UP back (an empty message: stop), removed
 * after the run; mq: two POSIX queues NAME-d (down) and NAME-u (up) of
 * 4-byte messages (an empty message: stop), unlinked once both are open. The warm-up runs up to
 * WARM_MAX round trips or WARM_MS milliseconds, whichever ends first (the
 * same rule as the Deno twin, whose loops need ~10^4 iterations before V8
 * has optimized them). Prints the nanoseconds of ITERS timed round trips.
 * The child echoes until end of file (or -1) and needs no count.
 */
#include "common.h"

static void send4(int fd, const uint32_t *v) {
  if (write(fd, v, 4) != 4) die("write");
}

static int recv4(int fd, uint32_t *v) {
  ssize_t n;
  do n = read(fd, v, 4); while (n == -1 && errno == EINTR);
  if (n == 0) return 0;
  if (n != 4) die("read");
  return 1;
}

/* Sleep on *addr while it holds `current`; return the new value. */
static int32_t wait_change(int32_t *addr, int32_t current, int (*peer_gone)(void)) {
  for (;;) {
    int32_t v = load(addr);
    if (v != current) return v;
    futex_wait(addr, current);
    if (load(addr) == current && peer_gone()) {
      fprintf(stderr, "peer went away\n");
      exit(1);
    }
  }
}

static uint32_t *msg;
static int32_t *state;
static int send_fd = -1, recv_fd = -1;
static int msqid = -1;
static long *m; /* SysV message: mtype, then 4 bytes */
static mqd_t q_send = (mqd_t)-1, q_recv = (mqd_t)-1;

static void msg_send4(long type, uint32_t v, size_t size) {
  m[0] = type;
  memcpy(m + 1, &v, 4);
  while (msgsnd(msqid, m, size, 0) == -1) {
    if (errno != EINTR) die("msgsnd");
  }
}

/* Returns the message's size (0: stop). */
static ssize_t msg_recv4(long type, uint32_t *v) {
  ssize_t n;
  do n = msgrcv(msqid, m, 4, type, 0); while (n == -1 && errno == EINTR);
  if (n == -1) die("msgrcv");
  memcpy(v, m + 1, 4);
  return n;
}

static void mq_send4(mqd_t q, uint32_t v, size_t size) {
  while (mq_send(q, (const char *)&v, size, 0) == -1) {
    if (errno != EINTR) die("mq_send");
  }
}

static ssize_t mq_recv4(mqd_t q, uint32_t *v) {
  ssize_t n;
  do n = mq_receive(q, (char *)v, 4, NULL); while (n == -1 && errno == EINTR);
  if (n == -1) die("mq_receive");
  return n;
}

static int kind; /* 0: fds, 1: shm, 2: msg, 3: mq */

static void round_trip(uint32_t k, int shm) {
  if (kind == 2) {
    uint32_t v;
    msg_send4(MSG_DOWN, k, 4);
    if (msg_recv4(MSG_UP, &v) != 4 || v != k + 1) die("bad reply");
  } else if (kind == 3) {
    uint32_t v;
    mq_send4(q_send, k, 4);
    if (mq_recv4(q_recv, &v) != 4 || v != k + 1) die("bad reply");
  } else if (shm) {
    *msg = k;
    store(state, (int32_t)(2 * k - 1));
    futex_wake(state);
    wait_change(state, (int32_t)(2 * k - 1), child_gone);
    if (*msg != k + 1) die("bad reply");
  } else {
    uint32_t v = k;
    send4(send_fd, &v);
    if (!recv4(recv_fd, &v) || v != k + 1) die("bad reply");
  }
}

int main(int argc, char **argv) {
  if (argc < 6) {
    fprintf(stderr, "usage: pingpong pipe|socket|shm|msg|mq ITERS WARM_MAX WARM_MS CPU [KEY|NAME]\n");
    return 2;
  }
  const char *mode = argv[1];
  long iters = atol(argv[2]), warm_max = atol(argv[3]), warm_ms = atol(argv[4]);
  int cpu = atoi(argv[5]);
  int shm = strcmp(mode, "shm") == 0;
  const char *name = argc > 6 ? argv[6] : "";
  char down_name[256], up_name[256];
  kind = shm ? 1 : strcmp(mode, "msg") == 0 ? 2 : strcmp(mode, "mq") == 0 ? 3 : 0;
  m = msg_alloc(4, MSG_DOWN);
  place(cpu);
  parent_pid = getpid();

  int ctl[2];
  if (pipe2(ctl, O_CLOEXEC) == -1) die("pipe2");
  ctl_read_fd = ctl[0];
  int down[2] = {-1, -1}, up[2] = {-1, -1}; /* parent->child, child->parent */
  int shmid = -1;
  if (strcmp(mode, "pipe") == 0) {
    if (pipe2(down, O_CLOEXEC) == -1 || pipe2(up, O_CLOEXEC) == -1) die("pipe2");
  } else if (strcmp(mode, "socket") == 0) {
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) die("socketpair");
    down[1] = up[0] = sv[0]; /* parent's end */
    down[0] = up[1] = sv[1]; /* child's end */
  } else if (shm) {
    shmid = shmget(IPC_PRIVATE, RING_DATA, IPC_CREAT | 0600);
    if (shmid == -1) die("shmget");
  } else if (kind == 2) {
    msqid = msgget((key_t)strtol(name, NULL, 0), IPC_CREAT | IPC_EXCL | 0600);
    if (msqid == -1) die("msgget");
  } else if (kind == 3) {
    struct mq_attr attr = {0, MQ_MAXMSG, 4, 0, {0}};
    snprintf(down_name, sizeof down_name, "%s-d", name);
    snprintf(up_name, sizeof up_name, "%s-u", name);
    q_send = mq_open(down_name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
    if (q_send == (mqd_t)-1) die("mq_open");
    q_recv = mq_open(up_name, O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
    if (q_recv == (mqd_t)-1) die("mq_open");
  } else {
    fprintf(stderr, "pingpong: unknown mode %s\n", mode);
    return 2;
  }

  pid_t pid = fork();
  if (pid == -1) die("fork");
  if (pid == 0) { /* ---- child: echo until told to stop ---- */
    place(cpu);
    close(ctl[0]);
    if (kind >= 2) {
      if (prctl(PR_SET_PDEATHSIG, SIGKILL) == -1) die("prctl");
      uint32_t v;
      if (kind == 3) {
        mq_close(q_send);
        mq_close(q_recv);
        q_recv = mq_open(down_name, O_RDONLY | O_CLOEXEC);
        q_send = mq_open(up_name, O_WRONLY | O_CLOEXEC);
        if (q_recv == (mqd_t)-1 || q_send == (mqd_t)-1) die("mq_open");
      }
      put_byte(ctl[1], 'R');
      if (kind == 2) {
        while (msg_recv4(MSG_DOWN, &v) == 4) msg_send4(MSG_UP, v + 1, 4);
      } else {
        while (mq_recv4(q_recv, &v) == 4) mq_send4(q_send, v + 1, 4);
      }
    } else if (shm) {
      char *mem = shmat(shmid, NULL, 0);
      if (mem == (void *)-1) die("shmat");
      state = (int32_t *)(mem + RING_STATE);
      msg = (uint32_t *)(mem + RING_MSG);
      put_byte(ctl[1], 'R');
      int32_t last = 0;
      for (;;) {
        int32_t v = wait_change(state, last, parent_gone);
        if (v == -1) break;
        *msg = *msg + 1;
        last = v + 1;
        store(state, last);
        futex_wake(state);
      }
    } else {
      if (down[1] != up[0]) close(down[1]), close(up[0]);
      else close(down[1]);
      uint32_t v;
      put_byte(ctl[1], 'R');
      while (recv4(down[0], &v)) {
        v++;
        send4(up[1], &v);
      }
    }
    _exit(0);
  }

  close(ctl[1]);
  if (kind >= 2) {
    /* the queues are ready */
  } else if (shm) {
    char *mem = shmat(shmid, NULL, 0);
    if (mem == (void *)-1) die("shmat");
    state = (int32_t *)(mem + RING_STATE);
    msg = (uint32_t *)(mem + RING_MSG);
  } else {
    if (down[0] != up[1]) close(down[0]), close(up[1]);
    else close(down[0]);
    send_fd = down[1];
    recv_fd = up[0];
  }
  expect_byte(ctl[0], 'R');
  if (shm && shmctl(shmid, IPC_RMID, NULL) == -1) die("shmctl");
  if (kind == 3 && (mq_unlink(down_name) == -1 || mq_unlink(up_name) == -1)) die("mq_unlink");

  uint32_t k = 0;
  uint64_t warm_end = now_ns() + (uint64_t)warm_ms * 1000000u;
  while (k < (uint32_t)warm_max) {
    round_trip(++k, shm);
    if ((k & 255) == 0 && now_ns() > warm_end) break;
  }
  uint64_t t0 = now_ns();
  for (long i = 0; i < iters; i++) round_trip(++k, shm);
  uint64_t t1 = now_ns();

  if (kind == 2) {
    msg_send4(MSG_DOWN, 0, 0); /* an empty message: stop */
  } else if (kind == 3) {
    mq_send4(q_send, 0, 0);
  } else if (shm) {
    store(state, -1);
    futex_wake(state);
  } else {
    close(send_fd); /* the child reads end of file */
  }
  reap(pid);
  if (msqid != -1 && msgctl(msqid, IPC_RMID, NULL) == -1) die("msgctl");
  if (kind == 3) mq_close(q_send), mq_close(q_recv);
  printf("%llu\n", (unsigned long long)(t1 - t0));
  return 0;
}
