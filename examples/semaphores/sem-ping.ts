/**
 * sem-ping: two processes take turns through one System V shared memory
 * segment guarded by a System V semaphore (sem-pong.ts is the other one).
 *
 * Ports: no C program of the seeds. Seed 000 says shared memory has no
 * synchronization of its own, and seed 003 names the semaphore (Dijkstra,
 * 1968) as the SysV object that provides it; this pair is that lesson as
 * the C programs would be written: `shmget`/`shmat` for the segment, `semget`
 * + `semctl(SETVAL, 1)` for a lock, `semop(-1, SEM_UNDO)` / `semop(+1,
 * SEM_UNDO)` around every access.
 *
 * Demonstrates: sem-ping creates the segment and a set of one semaphore
 * (value 1: unlocked), then plays `--rounds` rounds (default 10). Each round
 * it writes a message (a line naming the SHA-256 of sem-pong's last reply,
 * then 7 lines of text, written a line at a time) and waits for the reply;
 * sem-pong answers each message with its SHA-256. sem-ping checks that the
 * digest it gets back is the digest of what it wrote, and each side checks
 * the message it reads against the FNV-1a check word stored after it. With
 * the lock, a reader can only look when the writer has finished: every
 * round verifies. `--no-lock` drops the semaphore: the reader sees the new
 * stamp while the text is still being written and reads a mix of two
 * messages ("torn"); the program shows what it saw and still exits 0 (it
 * may, by chance, see nothing wrong). `--posix` uses a POSIX named semaphore
 * (`sem_open`/`sem_wait`/`sem_post`/`sem_close`/`sem_unlink`) as the lock
 * instead; `--sem-name /NAME` names it (default `/ipc-lab-sem-` and the key
 * as `ipcs` prints it: `/ipc-lab-sem-0x50494e47`). At the end sem-ping
 * detaches and removes the segment and the semaphore (set, or POSIX name).
 *
 * Run (two terminals): `deno task sem-ping` then `deno task sem-pong`
 * (`--key KEY` in both to use another key: any 32-bit key but 0, which is
 * IPC_PRIVATE; sem-pong follows sem-ping's choice of lock, rounds and
 * semaphore name, which are in the segment). `IPC_TRACE=1` shows every
 * semtimedop and semop. `ipcs -m -s` shows both objects while it runs.
 *
 * Where it departs from the C and why:
 * - The waits are signal-friendly: `semtimedop`/`sem_timedwait` with a 50 ms
 *   timeout in a loop that yields to the event loop, so Ctrl+C still removes
 *   the segment and the semaphore (exit 130). A blocking `semop` would
 *   freeze the runtime.
 * - Whose turn it is is a stamp word in the segment, read with
 *   `Atomics.load` (the semaphore is the lock around the text, not the turn
 *   signal); while waiting, each side checks that the other still exists
 *   (`kill(pid, 0)`), so a killed peer is reported (exit 1), not waited for
 *   for ever. SEM_UNDO releases a lock a killed process held; a POSIX
 *   semaphore has no such thing (see the README).
 * - On an error (peer gone, semaphore removed under it) the objects made so
 *   far are removed on the way out (the `using` declarations), where the
 *   C's `exit(1)` would leave them behind. The normal end removes them by
 *   name, as the C does.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  formatKey,
  LibcError,
  NamedSemaphore,
  onCleanup,
  parseInteger,
  processAlive,
  runMain,
  Segment,
  SemaphoreSet,
  setTraceRole,
  takeFlag,
  takeKey,
  takeOption,
  UsageError,
} from "../../lib/libc.ts";
import {
  AT,
  compose,
  DEFAULT_KEY,
  describeLock,
  LOCK_KIND,
  MAGIC,
  PeerGone,
  replyDigest,
  SEGMENT_SIZE,
  sha256,
  Shared,
  short,
} from "./pingpong.ts";

const USAGE = "usage: sem-ping [--key KEY] [--rounds N] [--no-lock | --posix [--sem-name /NAME]]";

/** Make an object exclusively; EEXIST becomes a message saying what to do. */
function exclusive<T>(make: () => T, what: string, hint = ""): T {
  try {
    return make();
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.EEXIST) {
      throw new Error(`${what} already exists (another sem-ping running?${hint && ` ${hint}`})`);
    }
    throw e;
  }
}

async function main(args: string[]): Promise<number> {
  setTraceRole("ping");
  const key = takeKey(args, DEFAULT_KEY, USAGE);
  const roundsText = takeOption(args, "rounds");
  const noLock = takeFlag(args, "no-lock");
  const posix = takeFlag(args, "posix");
  const semNameOption = takeOption(args, "sem-name");
  if (args.length > 0 || (noLock && posix) || (semNameOption !== undefined && !posix)) {
    throw new UsageError(USAGE);
  }
  const rounds = roundsText === undefined ? 10 : parseInteger(roundsText, "--rounds");
  if (rounds < 1 || rounds > 1_000_000) throw new UsageError("--rounds: 1 .. 1000000");
  const semName = semNameOption ?? `/ipc-lab-sem-${formatKey(key)}`; // /ipc-lab-sem-0x50494e47
  if (posix && !/^\/[^/]{1,60}$/.test(semName)) {
    throw new UsageError(`--sem-name: a slash and up to 60 characters, no other slash`);
  }
  const kind = posix ? LOCK_KIND.posix : noLock ? LOCK_KIND.none : LOCK_KIND.sysv;
  exitOnSignals();

  // The lock: a System V set of one semaphore, or (--posix) a POSIX named one.
  let set: SemaphoreSet | undefined;
  if (kind === LOCK_KIND.sysv) {
    // semid = semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600);
    set = exclusive(
      () => SemaphoreSet.create(key, { nsems: 1, mode: 0o600 }),
      `a semaphore set with key ${formatKey(key)}`,
      `if not: ipcrm -S ${formatKey(key)}`,
    );
  }
  using _set = set; // error paths only: IPC_RMID while still owned (the end removes it by name)
  if (set !== undefined) {
    // Creating a set and initialising it are two steps: until this SETVAL, whoever finds the
    // set by its key sees a semaphore of value 0, a lock that looks taken. sem-pong waits for
    // the segment's magic word, which is stored only after this.
    // semctl(semid, 0, SETVAL, 1);
    set.setValue(0, 1);
  }
  let named: NamedSemaphore | undefined;
  if (kind === LOCK_KIND.posix) {
    // sem = sem_open(NAME, O_CREAT | O_EXCL, 0600, 1);
    named = exclusive(
      () => NamedSemaphore.create(semName, { value: 1, mode: 0o600 }),
      `semaphore ${semName}`,
    );
  }
  using _named = named; // error paths only: sem_close, and sem_unlink while still owned
  using _removeLockOnSignal = onCleanup(`remove the lock of ${formatKey(key)}`, () => {
    set?.remove();
    named?.close();
    named?.remove();
  });

  // shmid = shmget(KEY, SEGMENT_SIZE, IPC_CREAT | IPC_EXCL | 0600);
  const segment = exclusive(
    () => Segment.create(key, { size: SEGMENT_SIZE, mode: 0o600 }),
    `a shared memory segment with key ${formatKey(key)}`,
    `if not: ipcrm -M ${formatKey(key)}`,
  );
  using _segment = segment; // error paths only: IPC_RMID while still owned
  // shm = shmat(shmid, NULL, 0);
  using attachment = segment.attach();
  using _removeSegmentOnSignal = onCleanup(`remove segment ${formatKey(key)}`, () => {
    attachment.detach();
    segment.remove();
  });
  const shm = new Shared(attachment);
  shm.store(AT.pingPid, Deno.pid);
  shm.store(AT.rounds, rounds);
  shm.store(AT.lock, kind);
  shm.semName = posix ? semName : "";
  shm.store(AT.magic, MAGIC); // last: now sem-pong may use it

  console.log(
    `sem-ping: segment ${formatKey(key)} (shmid ${segment.id}), lock: ${describeLock(set, named)}`,
  );
  console.log(`sem-ping: ${rounds} rounds; waiting for sem-pong`);

  const check = () => {
    const pong = shm.load(AT.pongPid);
    if (pong !== 0 && !processAlive(pong)) throw new PeerGone(`sem-pong (pid ${pong}) has gone`);
  };
  // P: take the lock (with --no-lock: nothing).
  const acquire = async () => {
    // struct sembuf p = { 0, -1, SEM_UNDO }; semop(semid, &p, 1);
    if (set !== undefined) await set.lock(0, { check });
    // sem_wait(sem);
    if (named !== undefined) await named.wait({ check });
  };
  // V: give it back.
  const release = () => {
    // struct sembuf v = { 0, +1, SEM_UNDO }; semop(semid, &v, 1);
    if (set !== undefined) set.unlock(0);
    // sem_post(sem);
    if (named !== undefined) named.post();
  };

  let torn = 0;
  let mismatched = 0;
  let lastReply = "-";
  try {
    for (let round = 1; round <= rounds; round++) {
      await acquire();
      // shm->stamp = 2 * round; sprintf(shm->text, ...); shm->check = fnv1a(shm->text);
      const mine = await shm.write(2 * round, compose("ping", round, lastReply));
      release();
      const myDigest = await sha256(mine);

      await shm.waitForStamp(2 * round + 1, check);
      await acquire();
      const reply = shm.read();
      release();
      lastReply = await sha256(reply.text);
      const theirs = replyDigest(reply.text);
      const problems: string[] = [];
      if (!reply.intact) {
        torn++;
        problems.push(
          `torn reply (check ${reply.check.toString(16)}, text hashes to ${
            reply.actual.toString(16)
          })`,
        );
      }
      if (theirs !== myDigest) {
        mismatched++;
        problems.push(
          `digest mismatch: sem-pong says ${short(theirs)}, mine is ${short(myDigest)}`,
        );
      }
      console.log(
        problems.length === 0
          ? `round ${round}: sem-pong's digest ${short(theirs)} of my message verified`
          : `round ${round}: ${problems.join("; ")}`,
      );
    }
  } catch (e) {
    if (e instanceof PeerGone) throw new Error(e.message);
    if (e instanceof LibcError && (e.errno === Errno.EIDRM || e.errno === Errno.EINVAL)) {
      throw new Error(`the semaphore was removed under us (${e.code})`);
    }
    throw e;
  }

  // The end, as the C ends: detach, then remove what this program made.
  // shmdt(shm);
  attachment.detach();
  // shmctl(shmid, IPC_RMID, NULL);
  segment.remove();
  // semctl(semid, 0, IPC_RMID);
  if (set !== undefined) set.remove();
  if (named !== undefined) {
    // sem_close(sem);
    named.close();
    // sem_unlink(NAME);
    named.remove();
  }

  if (torn === 0 && mismatched === 0) {
    console.log(`sem-ping: ${rounds} rounds, every digest verified, no torn message`);
    return 0;
  }
  console.log(
    `sem-ping: ${rounds} rounds: ${torn} torn replies, ${mismatched} digest mismatches` +
      (noLock ? " (no lock: this is what the semaphore prevents)" : ""),
  );
  return noLock ? 0 : 1;
}

if (import.meta.main) {
  await runMain("sem-ping", () => main([...Deno.args]));
}
