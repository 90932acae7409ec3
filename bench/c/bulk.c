/*
 * bulk: move BYTES through one IPC channel in CHUNK-sized pieces, parent
 * writing, a forked child reading (really consuming: every byte is copied
 * into the child's own buffer). The C twin of bench/ffi_runs.ts bulkFfi().
 *
 *   bulk MODE BYTES CHUNK WARM WARMCHUNK CPU [DIR|KEY|NAME]
 *   MODE: pipe | fifo | socket | shm | mmap | msg | mq   CPU: -1 = unpinned
 *   DIR: where fifo/mmap make their file (removed once both sides opened it)
 *   KEY (msg): the SysV key of a new queue (msgget IPC_CREAT|IPC_EXCL),
 *     removed (IPC_RMID) after the run; NAME (mq): a new POSIX queue of
 *     MQ_MAXMSG messages of CHUNK bytes, unlinked once both sides opened it.
 *   For msg and mq, CHUNK is one message (the bench passes the largest the
 *   default limits allow: kernel.msgmax, fs.mqueue.msgsize_max).
 *
 * Prints the nanoseconds the timed BYTES took (after WARM warm-up bytes sent
 * in WARMCHUNK pieces: the Deno twin needs loop iterations to get optimized).
 * shm and mmap use a ring of RING_SLOTS chunks with futex handshakes.
 */
#include "common.h"

static void write_all(int fd, const char *buf, size_t len) {
  while (len > 0) {
    ssize_t n = write(fd, buf, len);
    if (n == -1) {
      if (errno == EINTR) continue;
      die("write");
    }
    buf += n;
    len -= (size_t)n;
  }
}

static void read_exactly(int fd, char *buf, size_t chunk, uint64_t total) {
  uint64_t got = 0;
  while (got < total) {
    ssize_t n = read(fd, buf, chunk);
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) die("read");
    got += (uint64_t)n;
  }
}

/* ---- message queues -------------------------------------------------- */
static void msg_write(int id, long *m, size_t size, uint64_t total) {
  for (uint64_t done = 0; done < total; done += size) {
    while (msgsnd(id, m, size, 0) == -1) {
      if (errno != EINTR) die("msgsnd");
    }
  }
}

static void msg_read(int id, long *m, size_t size, uint64_t total) {
  uint64_t got = 0;
  while (got < total) {
    ssize_t n = msgrcv(id, m, size, MSG_DOWN, 0);
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) die("msgrcv");
    got += (uint64_t)n;
  }
}

static void mq_write(mqd_t q, const char *buf, size_t size, uint64_t total) {
  for (uint64_t done = 0; done < total; done += size) {
    while (mq_send(q, buf, size, 0) == -1) {
      if (errno != EINTR) die("mq_send");
    }
  }
}

static void mq_read(mqd_t q, char *buf, size_t size, uint64_t total) {
  uint64_t got = 0;
  while (got < total) {
    ssize_t n = mq_receive(q, buf, size, NULL);
    if (n == -1 && errno == EINTR) continue;
    if (n <= 0) die("mq_receive");
    got += (uint64_t)n;
  }
}

/* ---- ring over shared memory ------------------------------------------ */
static void ring_write(char *mem, const char *src, size_t chunk, int32_t from, int32_t to) {
  int32_t *head = (int32_t *)(mem + RING_HEAD), *tail = (int32_t *)(mem + RING_TAIL);
  for (int32_t i = from; i < to; i++) {
    for (;;) {
      int32_t t = load(tail);
      if (i - t < RING_SLOTS) break;
      futex_wait(tail, t);
      if (load(tail) == t && child_gone()) die("reader went away");
    }
    memcpy(mem + RING_DATA + (size_t)(i % RING_SLOTS) * chunk, src, chunk);
    store(head, i + 1);
    futex_wake(head);
  }
}

static void ring_read(char *mem, char *dst, size_t chunk, int32_t from, int32_t to) {
  int32_t *head = (int32_t *)(mem + RING_HEAD), *tail = (int32_t *)(mem + RING_TAIL);
  for (int32_t i = from; i < to; i++) {
    for (;;) {
      int32_t h = load(head);
      if (h > i) break;
      futex_wait(head, h);
      if (load(head) == h && parent_gone()) die("writer went away");
    }
    memcpy(dst, mem + RING_DATA + (size_t)(i % RING_SLOTS) * chunk, chunk);
    store(tail, i + 1);
    futex_wake(tail);
  }
}

int main(int argc, char **argv) {
  if (argc < 7) {
    fprintf(stderr, "usage: bulk pipe|fifo|socket|shm|mmap|msg|mq BYTES CHUNK WARM WARMCHUNK CPU [DIR|KEY|NAME]\n");
    return 2;
  }
  const char *mode = argv[1];
  uint64_t bytes = strtoull(argv[2], NULL, 10);
  size_t chunk = strtoull(argv[3], NULL, 10);
  uint64_t warm = strtoull(argv[4], NULL, 10);
  size_t warm_chunk = strtoull(argv[5], NULL, 10);
  int cpu = atoi(argv[6]);
  const char *dir = argc > 7 ? argv[7] : "/tmp";
  int ring = strcmp(mode, "shm") == 0 || strcmp(mode, "mmap") == 0;
  int msg = strcmp(mode, "msg") == 0, mq = strcmp(mode, "mq") == 0;
  long *m = msg ? msg_alloc(chunk, MSG_DOWN) : NULL;
  int msqid = -1;
  mqd_t q = (mqd_t)-1;
  char path[4096];

  place(cpu);
  parent_pid = getpid();
  char *buf = malloc(chunk);
  if (!buf) die("malloc");
  memset(buf, 'x', chunk);

  int ctl[2];
  if (pipe2(ctl, O_CLOEXEC) == -1) die("pipe2");
  ctl_read_fd = ctl[0];

  int data[2] = {-1, -1}; /* [0] child reads, [1] parent writes */
  int shmid = -1;
  size_t ring_size = RING_DATA + RING_SLOTS * chunk;
  if (strcmp(mode, "pipe") == 0) {
    if (pipe2(data, O_CLOEXEC) == -1) die("pipe2");
  } else if (strcmp(mode, "socket") == 0) {
    if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, data) == -1) die("socketpair");
  } else if (strcmp(mode, "fifo") == 0) {
    snprintf(path, sizeof path, "%s/bench-c.fifo", dir);
    if (mkfifo(path, 0600) == -1) die("mkfifo");
  } else if (strcmp(mode, "shm") == 0) {
    shmid = shmget(IPC_PRIVATE, ring_size, IPC_CREAT | 0600);
    if (shmid == -1) die("shmget");
  } else if (strcmp(mode, "mmap") == 0) {
    snprintf(path, sizeof path, "%s/bench-c.map", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd == -1) die("open");
    if (ftruncate(fd, (off_t)ring_size) == -1) die("ftruncate");
    close(fd);
  } else if (msg) {
    msqid = msgget((key_t)strtol(dir, NULL, 0), IPC_CREAT | IPC_EXCL | 0600);
    if (msqid == -1) die("msgget");
  } else if (mq) {
    struct mq_attr attr = {0, MQ_MAXMSG, (long)chunk, 0, {0}};
    q = mq_open(dir, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600, &attr);
    if (q == (mqd_t)-1) die("mq_open");
  } else {
    fprintf(stderr, "bulk: unknown mode %s\n", mode);
    return 2;
  }

  pid_t pid = fork();
  if (pid == -1) die("fork");
  if (pid == 0) { /* ---- child: the reader ---- */
    place(cpu);
    if ((msg || mq) && prctl(PR_SET_PDEATHSIG, SIGKILL) == -1) die("prctl");
    close(ctl[0]);
    char *mem = NULL;
    int fd = data[0];
    if (data[1] != -1) close(data[1]);
    if (strcmp(mode, "fifo") == 0) {
      fd = open(path, O_RDONLY | O_CLOEXEC);
      if (fd == -1) die("open fifo");
    } else if (strcmp(mode, "shm") == 0) {
      mem = shmat(shmid, NULL, 0);
      if (mem == (void *)-1) die("shmat");
    } else if (strcmp(mode, "mmap") == 0) {
      int mfd = open(path, O_RDWR | O_CLOEXEC);
      if (mfd == -1) die("open map");
      mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
      if (mem == MAP_FAILED) die("mmap");
      close(mfd);
    } else if (msg) {
      msqid = msgget((key_t)strtol(dir, NULL, 0), 0);
      if (msqid == -1) die("msgget");
    } else if (mq) {
      mq_close(q);
      q = mq_open(dir, O_RDONLY | O_CLOEXEC);
      if (q == (mqd_t)-1) die("mq_open");
    }
    put_byte(ctl[1], 'R');
    if (msg) {
      msg_read(msqid, m, chunk, warm);
      put_byte(ctl[1], 'W');
      msg_read(msqid, m, chunk, bytes);
    } else if (mq) {
      mq_read(q, buf, chunk, warm);
      put_byte(ctl[1], 'W');
      mq_read(q, buf, chunk, bytes);
    } else if (ring) {
      int32_t w = (int32_t)(warm / warm_chunk), n = (int32_t)(bytes / chunk);
      ring_read(mem, buf, warm_chunk, 0, w);
      put_byte(ctl[1], 'W');
      ring_read(mem, buf, chunk, w, w + n);
    } else {
      read_exactly(fd, buf, warm_chunk, warm);
      put_byte(ctl[1], 'W');
      read_exactly(fd, buf, chunk, bytes);
    }
    put_byte(ctl[1], 'D');
    _exit(0);
  }

  /* ---- parent: the writer ---- */
  close(ctl[1]);
  if (data[0] != -1) close(data[0]);
  int fd = data[1];
  char *mem = NULL;
  if (strcmp(mode, "fifo") == 0) {
    fd = open(path, O_WRONLY | O_CLOEXEC);
    if (fd == -1) die("open fifo");
  } else if (strcmp(mode, "shm") == 0) {
    mem = shmat(shmid, NULL, 0);
    if (mem == (void *)-1) die("shmat");
  } else if (strcmp(mode, "mmap") == 0) {
    int mfd = open(path, O_RDWR | O_CLOEXEC);
    if (mfd == -1) die("open map");
    mem = mmap(NULL, ring_size, PROT_READ | PROT_WRITE, MAP_SHARED, mfd, 0);
    if (mem == MAP_FAILED) die("mmap");
    close(mfd);
  }
  expect_byte(ctl[0], 'R');
  /* Both sides are attached/open: remove the names now. */
  if (shmid != -1 && shmctl(shmid, IPC_RMID, NULL) == -1) die("shmctl");
  if (strcmp(mode, "fifo") == 0 || strcmp(mode, "mmap") == 0) unlink(path);
  if (mq && mq_unlink(dir) == -1) die("mq_unlink");

  uint64_t t0, t1;
  if (msg) {
    msg_write(msqid, m, warm_chunk, warm);
    expect_byte(ctl[0], 'W');
    t0 = now_ns();
    msg_write(msqid, m, chunk, bytes);
    expect_byte(ctl[0], 'D');
    t1 = now_ns();
  } else if (mq) {
    mq_write(q, buf, warm_chunk, warm);
    expect_byte(ctl[0], 'W');
    t0 = now_ns();
    mq_write(q, buf, chunk, bytes);
    expect_byte(ctl[0], 'D');
    t1 = now_ns();
  } else if (ring) {
    int32_t w = (int32_t)(warm / warm_chunk), n = (int32_t)(bytes / chunk);
    ring_write(mem, buf, warm_chunk, 0, w);
    expect_byte(ctl[0], 'W');
    t0 = now_ns();
    ring_write(mem, buf, chunk, w, w + n);
    expect_byte(ctl[0], 'D');
    t1 = now_ns();
  } else {
    for (uint64_t done = 0; done < warm; done += warm_chunk) write_all(fd, buf, warm_chunk);
    expect_byte(ctl[0], 'W');
    t0 = now_ns();
    for (uint64_t done = 0; done < bytes; done += chunk) write_all(fd, buf, chunk);
    expect_byte(ctl[0], 'D');
    t1 = now_ns();
  }
  reap(pid);
  if (msqid != -1 && msgctl(msqid, IPC_RMID, NULL) == -1) die("msgctl");
  if (mq) mq_close(q);
  printf("%llu\n", (unsigned long long)(t1 - t0));
  return 0;
}
