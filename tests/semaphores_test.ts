/**
 * Paired tests of examples/semaphores (sem-ping / sem-pong over one SysV
 * segment, with a SysV semaphore, a POSIX named semaphore, or no lock) and
 * unit tests of lib/sysv_sem.ts and lib/posix_sem.ts.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { IPC } from "../lib/sysv_ipc.ts";
import {
  SEM,
  SemaphoreSet,
  semget,
  semGetValue,
  semop,
  semRemove,
  semSetValue,
  semtimedop,
} from "../lib/sysv_sem.ts";
import { NamedSemaphore, semUnlink } from "../lib/posix_sem.ts";
import { randomKey, randomTag, run, start } from "./_helpers/run.ts";
import { Segment, shmRemove } from "../lib/sysv_shm.ts";
import { AT, LOCK_KIND, MAGIC, SEGMENT_SIZE, Shared } from "../examples/semaphores/pingpong.ts";
import { LeakGuard, removeSysvByKey } from "./_helpers/leaks.ts";
import { expectLibcError } from "./_helpers/assert.ts";

/**
 * Run independent scenarios at once and wait for every one to end (a failing
 * one must not leave the others' processes running into the next test);
 * then fail with the first failure.
 */
async function allOf(...scenarios: Promise<void>[]): Promise<void> {
  const results = await Promise.allSettled(scenarios);
  const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
  if (failed) throw failed.reason;
}

const hex = (key: number) => `0x${key.toString(16)}`;
const key8 = (key: number) => `0x${key.toString(16).padStart(8, "0")}`;

// ---- lib/sysv_sem.ts and lib/posix_sem.ts -----------------------------------

Deno.test("semop / semtimedop / SETVAL / GETVAL / IPC_RMID", async () => {
  const key = randomKey();
  const guard = new LeakGuard({ keys: [key] });
  const id = semget(key, 2, IPC.CREAT | IPC.EXCL | 0o600);
  try {
    expectLibcError(() => semget(key, 2, IPC.CREAT | IPC.EXCL | 0o600), "semget", "EEXIST");
    semSetValue(id, 0, 2);
    assert.equal(semGetValue(id, 0), 2);
    assert.equal(semGetValue(id, 1), 0);
    semop(id, [{ num: 0, op: -2 }, { num: 1, op: 3 }]); // both at once
    assert.deepEqual([semGetValue(id, 0), semGetValue(id, 1)], [0, 3]);
    expectLibcError(() => semop(id, [{ num: 0, op: -1, flags: IPC.NOWAIT }]), "semop", "EAGAIN");
    // All or nothing: the second op cannot proceed, so the first is not applied either.
    expectLibcError(
      () => semop(id, [{ num: 1, op: -1 }, { num: 0, op: -1, flags: IPC.NOWAIT }]),
      "semop",
      "EAGAIN",
    );
    assert.equal(semGetValue(id, 1), 3);
    assert.equal(semtimedop(id, [{ num: 0, op: -1 }], 20), false); // timed out
    assert.equal(semtimedop(id, [{ num: 1, op: -1, flags: SEM.UNDO }], 20), true);
  } finally {
    semRemove(id);
  }
  expectLibcError(() => semGetValue(id, 0), "semctl", "EINVAL");
  guard.check();
  const e = expectLibcError(() => semget(key, 1, 0), "semget", "ENOENT");
  assert.match(e.message, /^semget 0x[0-9a-f]{8}: ENOENT/);
  await Promise.resolve();
});

Deno.test("SemaphoreSet: lock waits signal-friendly and gives up at its timeout; dispose removes", async () => {
  const key = randomKey();
  const guard = new LeakGuard({ keys: [key] });
  {
    using set = SemaphoreSet.create(key, { nsems: 1, mode: 0o600 });
    // Two steps: until SETVAL, whoever opens the set by key sees 0.
    assert.equal(SemaphoreSet.open(key, { nsems: 1 }).value(0), 0);
    set.setValue(0, 1);
    assert.equal(SemaphoreSet.open(key, { nsems: 1 }).value(0), 1);
    assert.equal(await set.lock(0), true);
    assert.equal(set.value(0), 0);
    let checks = 0;
    assert.equal(await set.lock(0, { timeoutMs: 150, check: () => void checks++ }), false);
    assert.ok(checks >= 1);
    set.unlock(0);
    assert.equal(set.value(0), 1);
    assert.equal(set.remove(), true);
    assert.equal(set.remove(), false); // harmless twice
  }
  guard.check();
  {
    using set = SemaphoreSet.create(key, { nsems: 1 });
    assert.equal(set.owned, true);
  } // not removed by name: dispose removes it, since it is owned
  guard.check();
});

Deno.test("POSIX named semaphore: trywait/timedwait/post/value, unlink, ENOENT after", async () => {
  const tag = randomTag();
  const name = `/ipc-lab-sem-${tag}`;
  const guard = new LeakGuard({ tag });
  const inDevShm = () =>
    Deno.readDirSync("/dev/shm").some((e) => e.name === `sem.${name.slice(1)}`);
  {
    using sem = NamedSemaphore.create(name, { value: 1, mode: 0o600 });
    assert.ok(inDevShm());
    expectLibcError(() => NamedSemaphore.create(name, { value: 1 }), "sem_open", "EEXIST");
    assert.equal(sem.tryWait(), true);
    assert.equal(sem.tryWait(), false);
    assert.equal(sem.timedWait(10), false);
    assert.equal(await sem.wait({ timeoutMs: 60 }), false);
    sem.post();
    assert.equal(sem.value(), 1);
    sem.close();
    sem.close();
    assert.throws(() => sem.post(), /used after sem_close/);
    assert.ok(inDevShm()); // sem_close leaves the name
    assert.equal(sem.remove(), true); // sem_unlink
    assert.equal(sem.remove(), false); // already gone
  }
  guard.check();
  {
    using sem = NamedSemaphore.create(name, { value: 0 });
    assert.equal(sem.owned, true);
  } // neither closed nor unlinked by name: dispose does both, since it is owned
  guard.check();
  // SEM_FAILED is NULL on glibc: the wrapper turns it into the errno.
  expectLibcError(() => NamedSemaphore.open(name), "sem_open", "ENOENT");
  expectLibcError(() => semUnlink(name), "sem_unlink", "ENOENT");
});

// ---- sem-ping / sem-pong ----------------------------------------------------

async function pingPong(pingArgs: string[], key: number) {
  await using ping = start("sem-ping", ["--key", hex(key), ...pingArgs]);
  await ping.waitFor("waiting for sem-pong\n");
  await using pong = start("sem-pong", ["--key", hex(key)]);
  const [p, q] = await Promise.all([ping.finish(), pong.finish()]);
  return { ping: p, pong: q };
}

Deno.test("sem-ping/sem-pong with the SysV lock: 30 rounds, each verified by digest, nothing torn", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  const { ping, pong } = await pingPong(["--rounds", "30"], key);
  assert.equal(ping.stderr, "");
  assert.equal(pong.stderr, "");
  assert.equal(ping.code, 0);
  assert.equal(pong.code, 0);
  const verified = ping.stdout.match(
    /^round (\d+): sem-pong's digest [0-9a-f]{16} of my message verified$/gm,
  );
  assert.equal(verified?.length, 30, ping.stdout);
  const intact = pong.stdout.match(/^round \d+: message intact, replied with its digest/gm);
  assert.equal(intact?.length, 30, pong.stdout);
  assert.match(ping.stdout, /lock: SysV semaphore set \(semid \d+\)\n/);
  assert.match(ping.stdout, /sem-ping: 30 rounds, every digest verified, no torn message\n$/);
  assert.match(pong.stdout, /sem-pong: 30 rounds, every message intact\n$/);
  assert.doesNotMatch(ping.stdout + pong.stdout, /torn (reply|message) \(|digest mismatch/);
  // The digests pong printed are the ones ping verified, round by round.
  const pongDigests = [...pong.stdout.matchAll(/replied with its digest ([0-9a-f]{16})/g)].map(
    (m) => m[1],
  );
  const pingDigests = [...ping.stdout.matchAll(/sem-pong's digest ([0-9a-f]{16})/g)].map((m) =>
    m[1]
  );
  assert.deepEqual(pingDigests, pongDigests);
  guard.check();
});

Deno.test("sem-ping --posix: the same exchange through a POSIX named semaphore, unlinked after", async () => {
  const key = randomKey();
  const tag = randomTag();
  const guard = new LeakGuard({ keys: [key], tag });
  try {
    const { ping, pong } = await pingPong(
      ["--rounds", "12", "--posix", "--sem-name", `/ipc-lab-sem-${tag}`],
      key,
    );
    assert.equal(ping.code, 0, ping.stderr);
    assert.equal(pong.code, 0, pong.stderr);
    assert.match(ping.stdout, new RegExp(`lock: POSIX named semaphore /ipc-lab-sem-${tag}\\n`));
    assert.equal(ping.stdout.match(/of my message verified$/gm)?.length, 12);
    assert.match(pong.stdout, /sem-pong: 12 rounds, every message intact\n$/);
    guard.check();
  } finally {
    removeSysvByKey([key]);
    try {
      semUnlink(`/ipc-lab-sem-${tag}`);
    } catch { /* gone, as it should be */ }
  }
});

Deno.test("sem-ping --no-lock: every message and reply is read torn, every digest mismatches; exit 0, nothing left", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  const { ping, pong } = await pingPong(["--rounds", "6", "--no-lock"], key);
  assert.equal(ping.code, 0, ping.stderr);
  assert.equal(pong.code, 0, pong.stderr);
  assert.equal(ping.stderr + pong.stderr, "");
  assert.match(ping.stdout, /lock: no lock \(--no-lock\)/);
  // The writer stops halfway until the reader has looked: each read is torn, every run.
  const torn = (text: string, what: string) =>
    text.match(
      new RegExp(
        `^round \\d+: torn ${what} \\(check [0-9a-f]{8}, text hashes to [0-9a-f]{8}\\)`,
        "gm",
      ),
    )
      ?.length;
  assert.equal(torn(ping.stdout, "reply"), 6, ping.stdout);
  assert.equal(torn(pong.stdout, "message"), 6, pong.stdout);
  assert.equal(ping.stdout.match(/; digest mismatch: sem-pong says /g)?.length, 6);
  assert.match(
    ping.stdout,
    /\nsem-ping: 6 rounds: 6 torn replies, 6 digest mismatches \(no lock: this is what the semaphore prevents\)\n$/,
  );
  // sem-pong checks the digest from round 2 on (round 1 names none).
  assert.match(pong.stdout, /\nsem-pong: 6 rounds: 6 torn messages, 5 digest mismatches\n$/);
  guard.check();
});

Deno.test("sem-pong without sem-ping, bad arguments, a key in use: clear errors, exit 1", async () => {
  const key = randomKey();
  const r = await run("sem-pong", ["--key", hex(key)]);
  assert.equal(
    r.stderr,
    `sem-pong: no shared memory segment with key 0x${
      key.toString(16).padStart(8, "0")
    }: start sem-ping first\n`,
  );
  assert.equal(r.code, 1);
  for (const program of ["sem-ping", "sem-pong"]) {
    // The one key rule (lib/keys.ts): 0 is IPC_PRIVATE, and a key has 32 bits.
    for (const bad of ["0", "0x100000000"]) {
      const r = await run(program, ["--key", bad]);
      assert.equal(r.code, 1, `${program} --key ${bad}`); // a usage error, not a crash
      assert.equal(r.stdout, "");
      assert.match(r.stderr, /^--key: /);
      assert.match(r.stderr, bad === "0" ? /IPC_PRIVATE/ : /does not fit in 32 bits/);
      assert.match(r.stderr, new RegExp(`\nusage: ${program} \\[--key KEY\\]`));
    }
  }
  for (
    const args of [
      ["--rounds", "0"],
      ["--rounds", "x"],
      ["--no-lock", "--posix"],
      ["--sem-name", "/x"],
      ["--posix", "--sem-name", "no-slash"],
      ["extra"],
    ]
  ) {
    const bad = await run("sem-ping", ["--key", hex(key), ...args]);
    assert.equal(bad.code, 1, args.join(" "));
    assert.notEqual(bad.stderr, "");
  }
  using guard = new LeakGuard({ keys: [key] });
  await using ping = start("sem-ping", ["--key", hex(key)]);
  await ping.waitFor("waiting for sem-pong");
  const second = await run("sem-ping", ["--key", hex(key)]);
  assert.match(
    second.stderr,
    new RegExp(
      `^sem-ping: sem-ping \\(pid ${ping.pid}\\) is already running with key ${key8(key)} ` +
        `\\(segment shmid \\d+\\): end it first, or choose another --key\n$`,
    ),
  );
  assert.equal(second.code, 1);
  ping.kill("SIGTERM");
  assert.equal((await ping.finish()).code, 143);
  guard.check();
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`sem-ping: ${signal} while waiting for sem-pong removes segment and set, exit ${code}`, async () => {
    const key = randomKey();
    const tag = randomTag();
    const guard = new LeakGuard({ keys: [key], tag });
    try {
      for (const extra of [[], ["--posix", "--sem-name", `/ipc-lab-sem-${tag}`]]) {
        await using ping = start("sem-ping", ["--key", hex(key), ...extra]);
        await ping.waitFor("waiting for sem-pong");
        ping.kill(signal);
        assert.equal((await ping.finish()).code, code);
        guard.check();
      }
    } finally {
      removeSysvByKey([key]);
    }
  });
}

Deno.test("SIGKILL of sem-pong mid-exchange: sem-ping reports it, removes everything, exit 1", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using ping = start("sem-ping", ["--key", hex(key), "--rounds", "100000"]);
  await ping.waitFor("waiting for sem-pong");
  await using pong = start("sem-pong", ["--key", hex(key)]);
  await pong.waitFor("round 3: ");
  pong.kill("SIGKILL");
  await pong.finish();
  const p = await ping.finish();
  assert.equal(p.code, 1);
  assert.equal(p.stderr, `sem-ping: sem-pong (pid ${pong.pid}) has gone\n`);
  guard.check();
});

Deno.test("SIGKILL of sem-ping mid-exchange: sem-pong reports it and removes the orphans, exit 1", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using ping = start("sem-ping", ["--key", hex(key), "--rounds", "100000"]);
  await ping.waitFor("waiting for sem-pong");
  await using pong = start("sem-pong", ["--key", hex(key)]);
  await ping.waitFor("round 3: ");
  ping.kill("SIGKILL");
  await ping.finish();
  const q = await pong.finish();
  assert.equal(q.code, 1);
  assert.equal(
    q.stderr,
    `sem-pong: sem-ping (pid ${ping.pid}) has gone; removed the segment and the semaphore it left\n`,
  );
  guard.check();
});

Deno.test("SIGTERM to sem-pong mid-exchange: exit 143, sem-ping reports it, nothing left", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  await using ping = start("sem-ping", ["--key", hex(key), "--rounds", "100000"]);
  await ping.waitFor("waiting for sem-pong");
  await using pong = start("sem-pong", ["--key", hex(key)]);
  await pong.waitFor("round 2: ");
  pong.kill("SIGTERM");
  assert.equal((await pong.finish()).code, 143);
  const p = await ping.finish();
  assert.equal(p.code, 1);
  assert.match(p.stderr, /sem-pong \(pid \d+\) has gone/);
  guard.check();
});

// ---- when the other side goes away (the page's table) -------------------------

/** A sem-ping with `args` waiting for sem-pong, and what it printed of its objects. */
async function startPing(key: number, args: string[] = []) {
  const ping = start("sem-ping", ["--key", hex(key), ...args]);
  await ping.waitFor("waiting for sem-pong\n");
  const shmid = /shmid (\d+)/.exec(ping.stdout)![1];
  const semid = /semid (\d+)/.exec(ping.stdout)?.[1];
  return { ping, shmid, semid };
}

Deno.test("sem-ping waiting for sem-pong: its segment, set or POSIX name removed from outside: it says so, exit 1, nothing left", async () => {
  const byIpcrm = async (flag: "-m" | "-s") => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    const { ping, shmid, semid } = await startPing(key);
    await using _ping = ping;
    const id = flag === "-m" ? shmid : semid!;
    // An outside `ipcrm -m/-s ID`: this test process makes its IPC_RMID.
    if (flag === "-m") shmRemove(Number(id));
    else semRemove(Number(id));
    const p = await ping.finish();
    const what = flag === "-m"
      ? `the segment ${key8(key)} (shmid ${shmid})`
      : `the semaphore set ${key8(key)} (semid ${semid})`;
    assert.equal(
      p.stderr,
      `sem-ping: ${what} was removed from outside (ipcrm?) while waiting for sem-pong, which ` +
        `can no longer join\n`,
    );
    assert.equal(p.code, 1);
    guard.check();
  };
  const byRm = async () => {
    const key = randomKey();
    const tag = randomTag();
    const name = `/ipc-lab-sem-${tag}`;
    const guard = new LeakGuard({ keys: [key], tag });
    try {
      const { ping } = await startPing(key, ["--posix", "--sem-name", name]);
      await using _ping = ping;
      Deno.removeSync(`/dev/shm/sem.${name.slice(1)}`);
      const p = await ping.finish();
      assert.equal(
        p.stderr,
        `sem-ping: the semaphore ${name} was removed from outside (rm /dev/shm/sem.${
          name.slice(1)
        }?) while waiting for sem-pong, which can no longer join\n`,
      );
      assert.equal(p.code, 1);
      guard.check();
    } finally {
      removeSysvByKey([key]);
    }
  };
  await allOf(byIpcrm("-m"), byIpcrm("-s"), byRm());
});

Deno.test("sem-ping Ctrl+C'd mid-exchange: sem-pong says sem-ping ended and removed them (SysV and POSIX lock); after an outside ipcrm -m, sem-ping's own cleanup says so in a note, exit 130", async () => {
  const ctrlC = async (lock: string[], ipcrmFirst: boolean) => {
    const key = randomKey();
    const tag = randomTag();
    const guard = new LeakGuard({ keys: [key], tag });
    try {
      const args = lock.map((a) => a.replace("TAG", tag));
      const { ping, shmid } = await startPing(key, ["--rounds", "100000", ...args]);
      await using _ping = ping;
      await using pong = start("sem-pong", ["--key", hex(key)]);
      await ping.waitFor("round 3: ");
      if (ipcrmFirst) {
        // Both stay attached to the segment, now `dest`: the exchange goes on.
        shmRemove(Number(shmid)); // an outside `ipcrm -m`
        const last = Number([...ping.stdout.matchAll(/^round (\d+): /gm)].pop()![1]);
        await ping.waitFor(`round ${last + 2}: `);
      }
      ping.kill("SIGINT");
      const p = await ping.finish();
      assert.equal(p.code, 130);
      assert.equal(
        p.stderr,
        ipcrmFirst
          ? `sem-ping: note: the segment ${key8(key)} (shmid ${shmid}) was already removed ` +
            `from outside (ipcrm?)\n`
          : "",
      );
      const q = await pong.finish();
      assert.equal(q.code, 1);
      assert.match(
        q.stderr,
        new RegExp(
          `^sem-pong: (sem-ping \\(pid ${ping.pid}\\) ended and removed the segment and the ` +
            `semaphore|the semaphore set ${key8(key)} is gone \\(semt?i?m?e?d?op: ` +
            `(EIDRM|EINVAL)\\): sem-ping \\(pid ${ping.pid}\\) ended and removed it)\n$`,
        ),
      );
      if (lock.includes("--posix")) {
        // The issue's case: the POSIX variant, where sem-pong used to print a bare errno.
        assert.equal(
          q.stderr,
          `sem-pong: sem-ping (pid ${ping.pid}) ended and removed the segment and the semaphore\n`,
        );
      }
      guard.check();
    } finally {
      removeSysvByKey([key]);
    }
  };
  await allOf(
    ctrlC([], false),
    ctrlC(["--posix", "--sem-name", "/ipc-lab-sem-TAG"], false),
    ctrlC([], true),
  );
});

Deno.test("the set removed from outside mid-exchange: whichever side waits on it first says so; both exit 1, nothing left", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  const { ping, semid } = await startPing(key, ["--rounds", "100000"]);
  await using _ping = ping;
  await using pong = start("sem-pong", ["--key", hex(key)]);
  await ping.waitFor("round 3: ");
  semRemove(Number(semid)); // an outside `ipcrm -s`
  const [p, q] = [await ping.finish(), await pong.finish()];
  assert.deepEqual([p.code, q.code], [1, 1], p.stderr + q.stderr);
  const outside = new RegExp(
    `the semaphore set ${key8(key)} (\\(semid ${semid}\\) )?is gone \\(semt?i?m?e?d?op: ` +
      `(EIDRM|EINVAL)\\): removed from outside \\(ipcrm\\?\\)`,
  );
  // The first to touch the set knows sem-pong never removes it while sem-ping lives, and
  // sem-ping removes the segment before it: "removed from outside". The other then reports
  // its peer gone.
  assert.ok(outside.test(p.stderr) || outside.test(q.stderr), p.stderr + q.stderr);
  assert.match(p.stderr, /^sem-ping: [^\n]+\n$/);
  assert.match(q.stderr, /^sem-pong: [^\n]+\n$/);
  assert.doesNotMatch(p.stderr + q.stderr, /: [A-Z]+ \([A-Z][a-z ]+\)\n/); // no bare errno line
  guard.check();
});

Deno.test("after a SIGKILL of sem-ping: the next sem-ping takes its key over, or a lone sem-pong removes what it left", async () => {
  // SIGKILL at "waiting for sem-pong": segment, set (or POSIX name) stay behind.
  const killed = async (key: number, args: string[]) => {
    const { ping, shmid, semid } = await startPing(key, args);
    ping.kill("SIGKILL");
    await ping.finish();
    return { pid: ping.pid, shmid, semid };
  };
  // `lock`: the killed run's lock options; `nextLock`: the next run's (by default the same).
  const nextPing = async (lock: string[], nextLock = lock) => {
    const key = randomKey();
    const tag = randomTag();
    const name = `/ipc-lab-sem-${tag}`;
    const args = lock.map((a) => a.replace("NAME", name));
    const nextArgs = nextLock.map((a) => a.replace("NAME", name));
    const guard = new LeakGuard({ keys: [key], tag });
    try {
      const dead = await killed(key, args);
      assert.ok(guard.leftovers().length >= 2, "SIGKILL left the segment and the lock");
      const { ping } = await startPing(key, [...nextArgs, "--rounds", "3"]);
      await using _ping = ping;
      const lockText = lock.length ? `semaphore ${name}` : `semaphore set (semid ${dead.semid})`;
      assert.equal(
        ping.stderr,
        `sem-ping: note: key ${key8(key)} held what a sem-ping that never ended left ` +
          `(pid ${dead.pid}, gone): removed its segment (shmid ${dead.shmid}), ${lockText}\n`,
      );
      await using pong = start("sem-pong", ["--key", hex(key)]);
      const [p, q] = [await ping.finish(), await pong.finish()];
      assert.deepEqual([p.code, q.code], [0, 0], p.stderr + q.stderr);
      assert.match(p.stdout, /sem-ping: 3 rounds, every digest verified, no torn message\n$/);
      guard.check();
    } finally {
      removeSysvByKey([key]);
      try {
        semUnlink(name);
      } catch { /* gone, as it should be */ }
    }
  };
  const lonePong = async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    const dead = await killed(key, []);
    const q = await run("sem-pong", ["--key", hex(key)]);
    assert.equal(
      q.stderr,
      `sem-pong: sem-ping (pid ${dead.pid}) has gone; removed the segment and the semaphore it left\n`,
    );
    assert.equal(q.stdout, "");
    assert.equal(q.code, 1);
    guard.check();
  };
  const posix = ["--posix", "--sem-name", "NAME"];
  await allOf(
    nextPing([]),
    nextPing(posix),
    // The next run uses the other lock: what it has just made itself is no leftover.
    nextPing(posix, []),
    nextPing([], posix),
    lonePong(),
  );
});

Deno.test("sem-pong joining a live sem-ping whose lock is gone, and sem-ping on a key held by another program's segment: clear errors, exit 1", async () => {
  // A stand-in sem-ping (this test process: alive) whose header names a lock that is not there.
  const fakePing = (key: number, kind: number, name = "") => {
    const segment = Segment.create(key, { size: SEGMENT_SIZE });
    const attachment = segment.attach();
    const shm = new Shared(attachment);
    shm.store(AT.pingPid, Deno.pid);
    shm.store(AT.rounds, 3);
    shm.store(AT.lock, kind);
    shm.semName = name;
    shm.store(AT.magic, MAGIC);
    attachment.detach();
    return segment;
  };
  const setMissing = async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    using segment = fakePing(key, LOCK_KIND.sysv);
    const q = await run("sem-pong", ["--key", hex(key)]);
    assert.equal(
      q.stderr,
      `sem-pong: sem-ping's semaphore set ${key8(key)} is gone (semget: ENOENT): removed from ` +
        `outside (ipcrm?) while sem-ping (pid ${Deno.pid}) runs\n`,
    );
    assert.equal(q.code, 1);
    assert.equal(segment.remove(), true); // sem-pong removed nothing of a live sem-ping's
    guard.check();
  };
  const nameMissing = async () => {
    const key = randomKey();
    const name = `/ipc-lab-sem-${randomTag()}`;
    using guard = new LeakGuard({ keys: [key] });
    using segment = fakePing(key, LOCK_KIND.posix, name);
    const q = await run("sem-pong", ["--key", hex(key)]);
    assert.equal(
      q.stderr,
      `sem-pong: sem-ping's semaphore ${name} is gone (sem_open: ENOENT): removed from outside ` +
        `(rm /dev/shm/sem.${name.slice(1)}?) while sem-ping (pid ${Deno.pid}) runs\n`,
    );
    assert.equal(q.code, 1);
    assert.equal(segment.remove(), true);
    guard.check();
  };
  const foreignSegment = async () => {
    const key = randomKey();
    using guard = new LeakGuard({ keys: [key] });
    using segment = Segment.create(key, { size: 64 }); // not a sem-ping segment
    const p = await run("sem-ping", ["--key", hex(key)]);
    assert.equal(
      p.stderr,
      `sem-ping: a shared memory segment with key ${key8(key)} (shmid ${segment.id}, made by ` +
        `pid ${Deno.pid}) exists and is not a sem-ping segment: choose another --key, or if ` +
        `nothing uses it, remove it: deno task ipcrm -M ${key8(key)}\n`,
    );
    assert.equal(p.code, 1);
    assert.equal(segment.remove(), true); // left alone; the set sem-ping made is gone again
    guard.check();
  };
  await allOf(setMissing(), nameMissing(), foreignSegment());
});
