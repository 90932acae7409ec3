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
 * Run: `deno task sem-ping` in one terminal, then `deno task sem-pong` in
 * another (`--key KEY` if sem-ping got one).
 *
 * Where it departs from the C and why:
 * - Signal-friendly waits, as in sem-ping; Ctrl+C detaches and exits 130
 *   (sem-ping, which owns the objects, then reports that sem-pong has gone
 *   and removes them).
 * - If sem-ping dies (its pid no longer exists), sem-pong reports it, and,
 *   since nobody else will, removes the orphaned segment and semaphore set
 *   (and the POSIX semaphore's name), then exits 1.
 *
 * Ports: beyond the seeds (seed 003 names the semaphore; seed 000 says
 * shared memory has no synchronization of its own); the answering half.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  LibcError,
  parseInteger,
  runMain,
  setTraceRole,
  takeOption,
  UsageError,
} from "../../lib/libc.ts";
import { Segment } from "../../lib/sysv_shm.ts";
import { SemaphoreSet } from "../../lib/sysv_sem.ts";
import { NamedSemaphore, semUnlink } from "../../lib/posix_sem.ts";
import {
  alive,
  AT,
  compose,
  DEFAULT_KEY,
  hexKey,
  type Lock,
  LOCK_KIND,
  MAGIC,
  NO_LOCK,
  PeerGone,
  posixLock,
  replyDigest,
  sha256,
  Shared,
  short,
  sysvLock,
} from "./pingpong.ts";

const USAGE = "usage: sem-pong [--key KEY]";

async function main(args: string[]): Promise<number> {
  setTraceRole("pong");
  const keyText = takeOption(args, "key");
  if (args.length > 0) throw new UsageError(USAGE);
  const key = keyText === undefined ? DEFAULT_KEY : parseInteger(keyText, "--key");
  exitOnSignals();

  // shmid = shmget(KEY, 0, 0); shm = shmat(shmid, NULL, 0);
  let segment: Segment;
  try {
    segment = Segment.open(key);
  } catch (e) {
    if (e instanceof LibcError && e.errno === Errno.ENOENT) {
      throw new Error(`no shared memory segment with key ${hexKey(key)}: start sem-ping first`);
    }
    throw e;
  }
  using attachment = segment.attach();
  const shm = new Shared(attachment);
  if (shm.load(AT.magic) !== MAGIC) {
    throw new Error(`the segment with key ${hexKey(key)} is not (yet) a sem-ping segment`);
  }
  const pingPid = shm.load(AT.pingPid);
  const rounds = shm.load(AT.rounds);
  const kind = shm.load(AT.lock);
  const semName = shm.semName;

  let lock: Lock = NO_LOCK;
  let set: SemaphoreSet | undefined;
  let named: NamedSemaphore | undefined;
  if (kind === LOCK_KIND.sysv) {
    set = SemaphoreSet.open(key, 1); // semid = semget(KEY, 1, 0);
    lock = sysvLock(set);
  } else if (kind === LOCK_KIND.posix) {
    named = NamedSemaphore.open(semName); // sem = sem_open(NAME, 0);
    lock = posixLock(named);
  }
  using _named = named;
  shm.store(AT.pongPid, Deno.pid);
  console.log(
    `sem-pong: joined sem-ping (pid ${pingPid}): ${rounds} rounds, lock: ${lock.description}`,
  );

  const check = () => {
    if (!alive(pingPid)) throw new PeerGone(`sem-ping (pid ${pingPid}) has gone`);
  };
  let torn = 0;
  let mismatched = 0;
  let lastReply = "-";
  try {
    for (let round = 1; round <= rounds; round++) {
      await shm.waitForStamp(2 * round, check);
      await lock.acquire(check);
      const message = shm.read();
      lock.release();
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
      await lock.acquire(check);
      const reply = await shm.write(2 * round + 1, compose("pong", round, digest));
      lock.release();
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
      attachment.detach();
      segment.remove();
      set?.remove();
      if (named !== undefined) {
        try {
          semUnlink(semName);
        } catch { /* already unlinked */ }
      }
      throw new Error(`${e.message}; removed the segment and the semaphore it left`);
    }
    if (e instanceof LibcError && (e.errno === Errno.EIDRM || e.errno === Errno.EINVAL)) {
      throw new Error(`the semaphore set was removed (${e.code}): sem-ping has gone`);
    }
    throw e;
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
