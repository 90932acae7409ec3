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
 * (`sem_open`/`sem_wait`/`sem_post`/`sem_unlink`) as the lock instead;
 * `--sem-name /NAME` names it (default `/ipc-lab-sem-<key>`).
 *
 * Run (two terminals): `deno task sem-ping` then `deno task sem-pong`
 * (`--key KEY` in both to use another key; sem-pong follows sem-ping's
 * choice of lock, rounds and semaphore name, which are in the segment).
 * `IPC_TRACE=1` shows every semop. `ipcs -m -s` shows both objects while it
 * runs.
 *
 * Where it departs from the C and why:
 * - The waits are signal-friendly: `semtimedop`/`sem_timedwait` with a 50 ms
 *   timeout in a loop that yields to the event loop, so Ctrl+C still removes
 *   the segment and the semaphore set (exit 130). A blocking `semop` would
 *   freeze the runtime.
 * - Whose turn it is is a stamp word in the segment, read with
 *   `Atomics.load` (the semaphore is the lock around the text, not the turn
 *   signal); while waiting, each side checks that the other still exists
 *   (`kill(pid, 0)`), so a killed peer is reported (exit 1), not waited for
 *   for ever. SEM_UNDO releases a lock a killed process held; a POSIX
 *   semaphore has no such thing (see the README).
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  LibcError,
  onCleanup,
  parseInteger,
  runMain,
  setTraceRole,
  takeFlag,
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
  SEGMENT_SIZE,
  sha256,
  Shared,
  short,
  sysvLock,
} from "./pingpong.ts";

const USAGE = "usage: sem-ping [--key KEY] [--rounds N] [--no-lock | --posix [--sem-name /NAME]]";

function explainExists(e: unknown, what: string, key: number, ipcrm: string): never {
  if (e instanceof LibcError && e.errno === Errno.EEXIST) {
    throw new Error(
      `a ${what} with key ${hexKey(key)} already exists (another sem-ping running? ` +
        `if not: ipcrm ${ipcrm} ${hexKey(key)})`,
    );
  }
  throw e;
}

async function main(args: string[]): Promise<number> {
  setTraceRole("ping");
  const keyText = takeOption(args, "key");
  const roundsText = takeOption(args, "rounds");
  const noLock = takeFlag(args, "no-lock");
  const posix = takeFlag(args, "posix");
  const semNameOption = takeOption(args, "sem-name");
  if (args.length > 0 || (noLock && posix) || (semNameOption !== undefined && !posix)) {
    throw new UsageError(USAGE);
  }
  const key = keyText === undefined ? DEFAULT_KEY : parseInteger(keyText, "--key");
  const rounds = roundsText === undefined ? 10 : parseInteger(roundsText, "--rounds");
  if (rounds < 1 || rounds > 1_000_000) throw new UsageError("--rounds: 1 .. 1000000");
  const semName = semNameOption ?? `/ipc-lab-sem-${(key >>> 0).toString(16)}`;
  if (posix && !/^\/[^/]{1,60}$/.test(semName)) {
    throw new UsageError(`--sem-name: a slash and up to 60 characters, no other slash`);
  }
  exitOnSignals();

  // semid = semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600); semctl(semid, 0, SETVAL, 1);
  let lock: Lock = NO_LOCK;
  let set: SemaphoreSet | undefined;
  let named: NamedSemaphore | undefined;
  if (posix) {
    // sem = sem_open(NAME, O_CREAT | O_EXCL, 0600, 1);
    try {
      named = NamedSemaphore.create(semName, 1, 0o600);
    } catch (e) {
      if (e instanceof LibcError && e.errno === Errno.EEXIST) {
        throw new Error(`semaphore ${semName} already exists (another sem-ping running?)`);
      }
      throw e;
    }
    lock = posixLock(named);
  } else if (!noLock) {
    try {
      set = SemaphoreSet.create(key, 1, [1], 0o600);
    } catch (e) {
      explainExists(e, "semaphore set", key, "-S");
    }
    lock = sysvLock(set);
  }
  using _set = set;
  using _named = named;
  const unlinkNamed = () => {
    if (named === undefined) return;
    try {
      semUnlink(semName); // sem_unlink(NAME);
    } catch (e) {
      if (!(e instanceof LibcError && e.errno === Errno.ENOENT)) throw e;
    }
  };
  using _unlinkAtEnd = { [Symbol.dispose]: unlinkNamed };
  using _unlinkOnSignal = onCleanup(`sem_unlink ${semName}`, unlinkNamed);
  using _removeSet = onCleanup(`remove semaphore set ${hexKey(key)}`, () => set?.remove());

  // shmid = shmget(KEY, SEGMENT_SIZE, IPC_CREAT | IPC_EXCL | 0600); shm = shmat(shmid, NULL, 0);
  let segment: Segment;
  try {
    segment = Segment.create(key, SEGMENT_SIZE, 0o600);
  } catch (e) {
    explainExists(e, "shared memory segment", key, "-M");
  }
  using _segment = segment;
  using attachment = segment.attach();
  using _removeSegment = onCleanup(`remove segment ${hexKey(key)}`, () => {
    attachment.detach();
    segment.remove();
  });
  const shm = new Shared(attachment);
  shm.store(AT.pingPid, Deno.pid);
  shm.store(AT.rounds, rounds);
  shm.store(AT.lock, posix ? LOCK_KIND.posix : noLock ? LOCK_KIND.none : LOCK_KIND.sysv);
  shm.semName = posix ? semName : "";
  shm.store(AT.magic, MAGIC); // last: now sem-pong may use it

  console.log(
    `sem-ping: segment ${hexKey(key)} (shmid ${segment.id}), lock: ${lock.description}`,
  );
  console.log(`sem-ping: ${rounds} rounds; waiting for sem-pong`);

  const check = () => {
    const pong = shm.load(AT.pongPid);
    if (pong !== 0 && !alive(pong)) throw new PeerGone(`sem-pong (pid ${pong}) has gone`);
  };
  let torn = 0;
  let mismatched = 0;
  let lastReply = "-";
  try {
    for (let round = 1; round <= rounds; round++) {
      await lock.acquire(check);
      const mine = await shm.write(2 * round, compose("ping", round, lastReply));
      lock.release();
      const myDigest = await sha256(mine);

      await shm.waitForStamp(2 * round + 1, check);
      await lock.acquire(check);
      const reply = shm.read();
      lock.release();
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
