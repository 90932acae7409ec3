// deno-lint-ignore-file no-unused-vars
// EXERCISE 16: sem-pong (seed 003 names the semaphore; the answering half of sem-ping)
// Join sem-ping's segment and semaphore (SysV set or POSIX named), and take the lock before each read and write of the segment and give it back after.
// Replace each todo(...) with the call it describes. Check: `deno task exercise check sem-pong`; a hint: `deno task exercise hint sem-pong`.
import { todo } from "../../exercises/todo.ts";
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
 *   (and the POSIX semaphore's name), then exits 1: `sem-ping (pid N) has
 *   gone; removed the segment and the semaphore it left`. A sem-ping that
 *   ended by itself (Ctrl+C, an error) removed them already: `sem-ping (pid
 *   N) ended and removed the segment and the semaphore`, exit 1. The same
 *   holds at joining: a segment whose sem-ping is dead (killed with SIGKILL
 *   before sem-pong came) is removed, with its semaphore, exit 1.
 * - A semaphore that vanishes (EIDRM/EINVAL from `semop`, ENOENT from
 *   `semget`/`sem_open` at joining) is said in the program's terms: `the
 *   semaphore set 0x50494e47 is gone (semtimedop: EIDRM): sem-ping (pid N)
 *   ended and removed it` (sem-ping removes the segment first, so a segment
 *   marked `dest` tells that it was sem-ping), or `... removed from outside
 *   (ipcrm?) while sem-ping (pid N) runs`. Exit 1.
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
  isGone,
  LibcError,
  NamedSemaphore,
  processAlive,
  runMain,
  Segment,
  SemaphoreSet,
  semUnlink,
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
} from "../../examples/semaphores/pingpong.ts";

const USAGE = "usage: sem-pong [--key KEY]";

async function main(args: string[]): Promise<number> {
  setTraceRole("pong");
  const key = takeKey(args, DEFAULT_KEY, USAGE);
  if (args.length > 0) throw new UsageError(USAGE);
  exitOnSignals();

  // shmid = shmget(KEY, SEGMENT_SIZE, 0);
  let segment: Segment;
  try {
    segment = todo<Segment>(
      "open sem-ping's segment of KEY, no IPC_CREAT (C: shmid = shmget(KEY, SEGMENT_SIZE, 0))",
    );
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
  const k = formatKey(key);
  const semFile = `/dev/shm/sem.${semName.slice(1)}`; // where glibc keeps a named semaphore
  let set: SemaphoreSet | undefined;
  let named: NamedSemaphore | undefined;

  /**
   * sem-ping has gone. One that ended (Ctrl+C, an error) removed its objects;
   * one killed with SIGKILL could not, and nobody else will: remove them here.
   */
  const pingGone = (): Error => {
    let removed = false;
    // shmdt(shm);
    attachment.detach();
    // shmctl(shmid, IPC_RMID, NULL);
    if (segment.remove()) removed = true;
    try {
      // semid = semget(KEY, 1, 0);  -- when not joined yet
      // semctl(semid, 0, IPC_RMID);
      if (kind === LOCK_KIND.sysv && (set ?? SemaphoreSet.open(key)).remove()) removed = true;
    } catch (e) {
      if (!isGone(e)) throw e;
    }
    if (kind === LOCK_KIND.posix) {
      // sem_close(sem);
      named?.close();
      try {
        // sem_unlink(NAME);
        semUnlink(semName);
        removed = true;
      } catch (e) {
        if (!isGone(e)) throw e;
      }
    }
    const objects = kind === LOCK_KIND.none ? "the segment" : "the segment and the semaphore";
    return new Error(
      removed
        ? `sem-ping (pid ${pingPid}) has gone; removed ${objects} it left`
        : `sem-ping (pid ${pingPid}) ended and removed ${objects}`,
    );
  };

  /**
   * The lock vanished under us (`e`). sem-ping removes the segment first, then
   * the lock: a segment marked `dest` (or a dead sem-ping) says it was sem-ping;
   * otherwise it was an outside ipcrm / rm.
   */
  const lockGone = (e: LibcError, what: string, how: string): Error => {
    let pingEnded = !processAlive(pingPid);
    if (!pingEnded) {
      try {
        // shmctl(shmid, IPC_STAT, &ds);
        pingEnded = segment.stat().markedForRemoval;
      } catch (err) {
        if (!isGone(err)) throw err;
        pingEnded = true;
      }
    }
    return new Error(
      `${what} is gone (${e.call}: ${e.code}): ` +
        (pingEnded
          ? `sem-ping (pid ${pingPid}) ended and removed it`
          : `removed from outside (${how}) while sem-ping (pid ${pingPid}) runs`),
    );
  };

  // A segment whose sem-ping is already dead (killed before we came): nothing to join.
  if (!processAlive(pingPid)) throw pingGone();
  try {
    if (kind === LOCK_KIND.sysv) {
      // semid = semget(KEY, 1, 0);
      set = todo<SemaphoreSet>(
        "open sem-ping's semaphore set of KEY, no IPC_CREAT (C: semid = semget(KEY, 1, 0))",
      );
    } else if (kind === LOCK_KIND.posix) {
      // sem = sem_open(NAME, 0);
      named = todo<NamedSemaphore>(
        "open the POSIX semaphore semName, no O_CREAT (C: sem = sem_open(NAME, 0))",
      );
    }
  } catch (e) {
    if (!isGone(e)) throw e;
    throw kind === LOCK_KIND.sysv
      ? lockGone(e, `sem-ping's semaphore set ${k}`, "ipcrm?")
      : lockGone(e, `sem-ping's semaphore ${semName}`, `rm ${semFile}?`);
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
    if (set !== undefined) {
      await todo<Promise<boolean>>(
        "P: take semaphore 0, wait while it is 0 (C: semop(semid, &p, 1))",
      );
    }
    // sem_wait(sem);
    if (named !== undefined) {
      await todo<Promise<boolean>>(
        "P: take the semaphore, wait while it is 0 (C: sem_wait(sem))",
      );
    }
  };
  // V: give it back.
  const release = () => {
    // struct sembuf v = { 0, +1, SEM_UNDO }; semop(semid, &v, 1);
    if (set !== undefined) todo("V: give semaphore 0 back (C: semop(semid, &v, 1))");
    // sem_post(sem);
    if (named !== undefined) todo("V: give the semaphore back (C: sem_post(sem))");
  };
  // --no-lock: stop halfway through each reply until sem-ping has read it (see sem-ping.ts).
  const halfway = (round: number) =>
    kind === LOCK_KIND.none ? () => shm.waitUntil(AT.readByPing, round, check) : undefined;

  let torn = 0;
  let mismatched = 0;
  let lastReply = "-";
  try {
    for (let round = 1; round <= rounds; round++) {
      await shm.waitForStamp(2 * round, check);
      await acquire();
      const message = shm.read();
      release();
      shm.store(AT.readByPong, round);
      const problems: string[] = [];
      if (!message.intact) {
        torn++;
        problems.push(
          `torn message (check ${message.check.toString(16).padStart(8, "0")}, text hashes to ${
            message.actual.toString(16).padStart(8, "0")
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
      const reply = await shm.write(2 * round + 1, compose("pong", round, digest), halfway(round));
      release();
      lastReply = await sha256(reply);
      console.log(
        problems.length === 0
          ? `round ${round}: message intact, replied with its digest ${short(digest)}`
          : `round ${round}: ${problems.join("; ")}`,
      );
    }
  } catch (e) {
    // Nobody else will remove what a killed sem-ping made: pingGone() does.
    if (e instanceof PeerGone) throw pingGone();
    if (set !== undefined && isGone(e)) throw lockGone(e, `the semaphore set ${k}`, "ipcrm?");
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
  await runMain("sem-pong", () => main([...Deno.args]), { usage: USAGE });
}
