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
 * round verifies. `--no-lock` drops the semaphore, and shows on every run
 * what it was for: the writer stops halfway through each message until the
 * reader has looked (the schedule a busy machine produces now and then,
 * forced), so the reader, seeing the new stamp, reads half a new message
 * over the rest of the old one: every message and every reply is "torn"
 * (its check word fails), and every digest mismatches; both programs
 * report it and exit 0. `--posix` uses a POSIX named semaphore
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
 * - A sem-ping killed with SIGKILL leaves its segment and its semaphore
 *   (SysV objects outlive their creator; so does a POSIX name). The next
 *   sem-ping, finding the key taken (EEXIST), looks at the segment's creator
 *   pid (`shmctl(IPC_STAT)`: `shm_cpid`): alive, it refuses (another
 *   sem-ping runs with this key); dead, it removes what that sem-ping left
 *   (the segment, the set, the POSIX name its header names), says so on
 *   stderr, and starts. A set or a POSIX name without a segment is the
 *   leftover of a sem-ping killed between two of its calls: removed too.
 * - While it waits for sem-pong to join, it looks every 250 ms whether its
 *   objects were removed from outside (`ipcrm -m`/`-s`, `rm
 *   /dev/shm/sem.NAME`): sem-pong could no longer join, so sem-ping says so
 *   and exits 1 instead of waiting for ever. Once sem-pong has joined, an
 *   outside `ipcrm -m` takes nothing from either (both stay attached to the
 *   segment, marked `dest`); an outside `ipcrm -s` wakes the one that waits
 *   on the set with EIDRM, reported as such. A segment or semaphore already
 *   removed when sem-ping removes it (at the end, or on Ctrl+C: still exit
 *   130) is a note on stderr, not an error.
 *
 * @module
 */
import {
  Errno,
  exitOnSignals,
  fileType,
  formatKey,
  isGone,
  LibcError,
  NamedSemaphore,
  onCleanup,
  parseInteger,
  processAlive,
  runMain,
  Segment,
  SemaphoreSet,
  semUnlink,
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

/** `--sem-name`'s file, where glibc keeps a named semaphore (`/x` is `/dev/shm/sem.x`). */
function semFile(name: string): string {
  return `/dev/shm/sem.${name.slice(1)}`;
}

/**
 * A creation failed with EEXIST: a sem-ping runs with this key (refuse), or
 * one that did not end (SIGKILL) left its objects: remove them, say so, and
 * let the caller create afresh. The segment's creator pid (`shm_cpid`) tells
 * which; a set or a POSIX name without a segment is the leftover of a
 * sem-ping killed between two of its calls. `mine`: what this run has
 * already made (its set, its POSIX name), which is not a leftover.
 */
function clearLeftovers(
  key: number,
  semName: string | undefined,
  mine: { setId?: number; name?: string },
): void {
  const k = formatKey(key);
  const removed: string[] = [];
  let deadPid: number | undefined;
  let leftName = semName;
  let old: Segment | undefined;
  try {
    // shmid = shmget(KEY, 0, 0);
    old = Segment.open(key);
  } catch (e) {
    if (!isGone(e)) throw e; // ENOENT: no segment (a set or a name alone, or gone meanwhile)
  }
  let cpid = 0;
  let size = 0;
  try {
    // shmctl(shmid, IPC_STAT, &ds);  -- who made it, and how big is it?
    if (old !== undefined) ({ cpid, size } = old.stat());
  } catch (e) {
    if (!isGone(e)) throw e;
    old = undefined; // removed meanwhile
  }
  if (old !== undefined) {
    let ours = false;
    if (size >= SEGMENT_SIZE) {
      // shm = shmat(shmid, NULL, SHM_RDONLY);  -- is it sem-ping's, and which lock did it use?
      const header = old.attach({ readOnly: true });
      const shm = new Shared(header);
      ours = shm.load(AT.magic) === MAGIC;
      if (ours && shm.load(AT.lock) === LOCK_KIND.posix) leftName = shm.semName;
      // shmdt(shm);
      header.detach();
    }
    if (!ours) {
      throw new Error(
        `a shared memory segment with key ${k} (shmid ${old.id}, made by pid ${cpid}) exists ` +
          `and is not a sem-ping segment: choose another --key, or if nothing uses it, ` +
          `remove it: deno task ipcrm -M ${k}`,
      );
    }
    if (processAlive(cpid)) {
      throw new Error(
        `sem-ping (pid ${cpid}) is already running with key ${k} (segment shmid ${old.id}): ` +
          `end it first, or choose another --key`,
      );
    }
    deadPid = cpid;
    // shmctl(shmid, IPC_RMID, NULL);
    if (old.remove()) removed.push(`segment (shmid ${old.id})`);
  }
  try {
    // semid = semget(KEY, 0, 0);
    const set = SemaphoreSet.open(key);
    // semctl(semid, 0, IPC_RMID);
    if (set.id !== mine.setId && set.remove()) removed.push(`semaphore set (semid ${set.id})`);
  } catch (e) {
    if (!isGone(e)) throw e; // ENOENT: no set
  }
  if (leftName !== undefined && leftName !== mine.name) {
    try {
      // sem_unlink(NAME);
      semUnlink(leftName);
      removed.push(`semaphore ${leftName}`);
    } catch (e) {
      if (!isGone(e)) throw e; // ENOENT: no such name
    }
  }
  if (removed.length > 0) {
    console.error(
      `sem-ping: note: key ${k} held what a sem-ping that never ended left ` +
        `(${deadPid === undefined ? "killed between two calls" : `pid ${deadPid}, gone`}): ` +
        `removed its ${removed.join(", ")}`,
    );
  }
}

/** Make an object exclusively; on EEXIST clear a dead sem-ping's leftovers and try once more. */
function exclusive<T>(make: () => T, clear: () => void): T {
  try {
    return make();
  } catch (e) {
    if (!(e instanceof LibcError && e.errno === Errno.EEXIST)) throw e;
  }
  clear(); // refuses (throws) when a live sem-ping has the key
  return make();
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
  const k = formatKey(key);
  // The lock: a System V set of one semaphore, or (--posix) a POSIX named one.
  let set: SemaphoreSet | undefined;
  let named: NamedSemaphore | undefined;
  // (`set` and `named`: what this run has made so far, when a later creation fails)
  const clear = () =>
    clearLeftovers(key, posix ? semName : undefined, { setId: set?.id, name: named?.name });
  const note = (what: string) => console.error(`sem-ping: note: ${what}`);
  exitOnSignals();

  if (kind === LOCK_KIND.sysv) {
    // semid = semget(KEY, 1, IPC_CREAT | IPC_EXCL | 0600);
    set = exclusive(() => SemaphoreSet.create(key, { nsems: 1, mode: 0o600 }), clear);
  }
  using _set = set; // error paths only: IPC_RMID while still owned (the end removes it by name)
  if (set !== undefined) {
    // Creating a set and initialising it are two steps: until this SETVAL, whoever finds the
    // set by its key sees a semaphore of value 0, a lock that looks taken. sem-pong waits for
    // the segment's magic word, which is stored only after this.
    // semctl(semid, 0, SETVAL, 1);
    set.setValue(0, 1);
  }
  if (kind === LOCK_KIND.posix) {
    // sem = sem_open(NAME, O_CREAT | O_EXCL, 0600, 1);
    named = exclusive(
      () => NamedSemaphore.create(semName, { value: 1, mode: 0o600 }),
      clear,
    );
  }
  using _named = named; // error paths only: sem_close, and sem_unlink while still owned
  const setGone = () => `the semaphore set ${k} (semid ${set?.id}) was already removed`;
  const nameGone = () => `the semaphore ${semName} was already removed`;
  using _removeLockOnSignal = onCleanup(`remove the lock of ${k}`, () => {
    if (set !== undefined && !set.remove()) note(`${setGone()} from outside (ipcrm?)`);
    named?.close();
    if (named !== undefined && !named.remove()) {
      note(`${nameGone()} from outside (rm ${semFile(semName)}?)`);
    }
  });

  // shmid = shmget(KEY, SEGMENT_SIZE, IPC_CREAT | IPC_EXCL | 0600);
  const segment = exclusive(
    () => Segment.create(key, { size: SEGMENT_SIZE, mode: 0o600 }),
    clear,
  );
  using _segment = segment; // error paths only: IPC_RMID while still owned
  // shm = shmat(shmid, NULL, 0);
  using attachment = segment.attach();
  const segmentGone = `the segment ${k} (shmid ${segment.id}) was already removed from outside ` +
    `(ipcrm?)`;
  using _removeSegmentOnSignal = onCleanup(`remove segment ${k}`, () => {
    // Removed from outside while sem-pong is still attached, the segment lives on as `dest`
    // (and IPC_RMID of it succeeds): ask before detaching.
    let dest: boolean;
    try {
      // shmctl(shmid, IPC_STAT, &ds);
      dest = segment.stat().markedForRemoval;
    } catch (e) {
      if (!isGone(e)) throw e;
      dest = true;
    }
    attachment.detach();
    if (!segment.remove() || dest) note(segmentGone);
  });
  const shm = new Shared(attachment);
  shm.store(AT.pingPid, Deno.pid);
  shm.store(AT.rounds, rounds);
  shm.store(AT.lock, kind);
  shm.semName = posix ? semName : "";
  shm.store(AT.magic, MAGIC); // last: now sem-pong may use it

  console.log(`sem-ping: segment ${k} (shmid ${segment.id}), lock: ${describeLock(set, named)}`);
  console.log(`sem-ping: ${rounds} rounds; waiting for sem-pong`);

  // Until sem-pong has joined, an outside ipcrm / rm would leave it nothing to join: look
  // every 250 ms.
  let nextLook = 0;
  const removedBeforeJoin = (what: string, how: string) =>
    `${what} was removed from outside (${how}) while waiting for sem-pong, which can no ` +
    `longer join`;
  const stillThere = () => {
    if (Date.now() < nextLook) return;
    nextLook = Date.now() + 250;
    const removed = (what: string, how: string) => new PeerGone(removedBeforeJoin(what, how));
    // shmctl(shmid, IPC_STAT, &ds);  -- SHM_DEST once an ipcrm removed it
    if (segment.stat().markedForRemoval) {
      throw removed(`the segment ${k} (shmid ${segment.id})`, "ipcrm?");
    }
    try {
      // semctl(semid, 0, GETVAL);  -- EINVAL once an ipcrm removed the set
      set?.value(0);
    } catch (e) {
      if (isGone(e)) throw removed(`the semaphore set ${k} (semid ${set?.id})`, "ipcrm?");
      throw e;
    }
    if (named !== undefined && fileType(semFile(semName)) === null) {
      throw removed(`the semaphore ${semName}`, `rm ${semFile(semName)}?`);
    }
  };
  const check = () => {
    const pong = shm.load(AT.pongPid);
    if (pong === 0) stillThere();
    else if (!processAlive(pong)) throw new PeerGone(`sem-pong (pid ${pong}) has gone`);
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
  // --no-lock: stop halfway through each message until sem-pong has read it (see the header).
  const halfway = (round: number) =>
    kind === LOCK_KIND.none ? () => shm.waitUntil(AT.readByPong, round, check) : undefined;

  let torn = 0;
  let mismatched = 0;
  let lastReply = "-";
  try {
    for (let round = 1; round <= rounds; round++) {
      await acquire();
      // shm->stamp = 2 * round; sprintf(shm->text, ...); shm->check = fnv1a(shm->text);
      const mine = await shm.write(2 * round, compose("ping", round, lastReply), halfway(round));
      release();
      const myDigest = await sha256(mine);

      await shm.waitForStamp(2 * round + 1, check);
      await acquire();
      const reply = shm.read();
      release();
      shm.store(AT.readByPing, round);
      lastReply = await sha256(reply.text);
      const theirs = replyDigest(reply.text);
      const problems: string[] = [];
      if (!reply.intact) {
        torn++;
        problems.push(
          `torn reply (check ${reply.check.toString(16).padStart(8, "0")}, text hashes to ${
            reply.actual.toString(16).padStart(8, "0")
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
    if (set !== undefined && e instanceof LibcError && isGone(e)) {
      // Only an outside ipcrm removes the set while sem-ping runs (sem-pong removes only a
      // dead sem-ping's). Before sem-pong joined (round 1 is written before it comes), it
      // is the same story as stillThere() tells.
      if (shm.load(AT.pongPid) === 0) {
        throw new Error(removedBeforeJoin(`the semaphore set ${k} (semid ${set.id})`, "ipcrm?"));
      }
      throw new Error(
        `the semaphore set ${k} (semid ${set.id}) is gone (${e.call}: ${e.code}): ` +
          `removed from outside (ipcrm?)`,
      );
    }
    throw e;
  }

  // The end, as the C ends: detach, then remove what this program made.
  // shmdt(shm);
  attachment.detach();
  // shmctl(shmid, IPC_RMID, NULL);
  if (!segment.remove()) note(segmentGone);
  // semctl(semid, 0, IPC_RMID);
  if (set !== undefined && !set.remove()) note(`${setGone()} from outside (ipcrm?)`);
  if (named !== undefined) {
    // sem_close(sem);
    named.close();
    // sem_unlink(NAME);
    if (!named.remove()) note(`${nameGone()} from outside (rm ${semFile(semName)}?)`);
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
  await runMain("sem-ping", () => main([...Deno.args]), { usage: USAGE });
}
