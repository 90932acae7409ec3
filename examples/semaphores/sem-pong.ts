/**
 * sem-pong: the answering side of sem-ping (see sem-ping.ts for the whole
 * story).
 *
 * Demonstrates: it opens the segment and the semaphore set sem-ping made
 * (no IPC_CREAT: without sem-ping there is nothing to join), writes its pid
 * into the segment, and for each round waits for sem-ping's message, reads
 * it under the lock, checks it against its FNV-1a check word and checks
 * that it names the SHA-256 of sem-pong's previous reply, then replies with
 * the SHA-256 of what it read. It follows sem-ping's choice of lock
 * (SysV, POSIX named, or none) and number of rounds, read from the segment.
 *
 * At the end it detaches (`shmdt`) and closes the POSIX semaphore
 * (`sem_close`); removing them is sem-ping's job.
 *
 * Run: `deno task sem-ping` in one terminal, then `deno task sem-pong` in
 * another (`--key KEY` if sem-ping got one).
 *
 * Where it departs from the C and why:
 * - Signal-friendly waits, as in sem-ping; Ctrl+C exits 130 (the process's
 *   end detaches the segment; sem-ping, which owns the objects, then
 *   reports that sem-pong has gone and removes them).
 * - If sem-ping dies (its pid no longer exists), sem-pong reports it, and,
 *   since nobody else will, removes the orphaned segment and semaphore set
 *   (and the POSIX semaphore's name), then exits 1.
 * - On any other error the POSIX semaphore is still closed and the segment
 *   detached on the way out (the `using` declarations); the normal end does
 *   both by name.
 *
 * Ports: beyond the seeds (seed 003 names the semaphore; seed 000 says
 * shared memory has no synchronization of its own); the answering half.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  formatKey,
  LibcError,
  NamedSemaphore,
  processAlive,
  runMain,
  Segment,
  SemaphoreSet,
  setTraceRole,
  takeKey,
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

const USAGE = "usage: sem-pong [--key KEY]";

async function main(args: string[]): Promise<number> {
  setTraceRole("pong");
  const key = takeKey(args, DEFAULT_KEY, USAGE);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // shmid = shmget(KEY, SEGMENT_SIZE, 0);
  let segment: Segment;
  try {
    segment = Segment.open(key, { size: SEGMENT_SIZE });
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) {
      throw new Error(`no shared memory segment with key ${formatKey(key)}: start sem-ping first`);
    }
    throw e;
  }
  // shm = shmat(shmid, NULL, 0);
  using attachment = segment.attach(); // error paths only: shmdt (the end detaches by name)
  const shm = new Shared(attachment);
  if (shm.load(AT.magic) !== MAGIC) {
    throw new Error(`the segment with key ${formatKey(key)} is not (yet) a sem-ping segment`);
  }
  const pingPid = shm.load(AT.pingPid);
  const rounds = shm.load(AT.rounds);
  const kind = shm.load(AT.lock);
  const semName = shm.semName;

  let set: SemaphoreSet | undefined;
  let named: NamedSemaphore | undefined;
  if (kind === LOCK_KIND.sysv) {
    // semid = semget(KEY, 1, 0);
    set = SemaphoreSet.open(key, { nsems: 1 });
  } else if (kind === LOCK_KIND.posix) {
    // sem = sem_open(NAME, 0);
    named = NamedSemaphore.open(semName);
  }
  using _named = named; // error paths only: sem_close (the end closes it by name)
  shm.store(AT.pongPid, Deno.pid);
  console.log(
    `sem-pong: joined sem-ping (pid ${pingPid}): ${rounds} rounds, lock: ${
      describeLock(set, named)
    }`,
  );

  const check = () => {
    if (!processAlive(pingPid)) throw new PeerGone(`sem-ping (pid ${pingPid}) has gone`);
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
      await shm.waitForStamp(2 * round, check);
      await acquire();
      const message = shm.read();
      release();
      const problems: string[] = [];
      if (!message.intact) {
        torn++;
        problems.push(
          `torn message (check ${message.check.toString(16)}, text hashes to ${
            message.actual.toString(16)
          })`,
        );
      }
      const theirs = replyDigest(message.text);
      if (round > 1 && theirs !== lastReply) {
        mismatched++;
        problems.push(
          `digest mismatch: sem-ping says ${short(theirs)}, mine is ${short(lastReply)}`,
        );
      }
      const digest = await sha256(message.text);
      await acquire();
      // shm->stamp = 2 * round + 1; sprintf(shm->text, ...); shm->check = fnv1a(shm->text);
      const reply = await shm.write(2 * round + 1, compose("pong", round, digest));
      release();
      lastReply = await sha256(reply);
      console.log(
        problems.length === 0
          ? `round ${round}: message intact, replied with its digest ${short(digest)}`
          : `round ${round}: ${problems.join("; ")}`,
      );
    }
  } catch (e) {
    if (e instanceof PeerGone) {
      // Nobody else will remove them: sem-ping made them and is dead.
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
      throw new Error(`${e.message}; removed the segment and the semaphore it left`);
    }
    if (e instanceof LibcError && (e.errno === Errno.EIDRM || e.errno === Errno.EINVAL)) {
      throw new Error(`the semaphore set was removed (${e.code}): sem-ping has gone`);
    }
    throw e;
  }

  // shmdt(shm);
  attachment.detach();
  if (named !== undefined) {
    // sem_close(sem);
    named.close();
  }

  if (torn === 0 && mismatched === 0) {
    console.log(`sem-pong: ${rounds} rounds, every message intact`);
    return 0;
  }
  console.log(`sem-pong: ${rounds} rounds: ${torn} torn messages, ${mismatched} digest mismatches`);
  return kind === LOCK_KIND.none ? 0 : 1;
}

if (import.meta.main) {
  await runMain("sem-pong", () => main([...Deno.args]));
}
