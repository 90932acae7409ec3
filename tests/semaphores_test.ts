/**
 * Paired tests of examples/semaphores (sem-ping / sem-pong over one SysV
 * segment, with a SysV semaphore, a POSIX named semaphore, or no lock) and
 * unit tests of lib/sysv_sem.ts and lib/posix_sem.ts.
 */
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
import { LeakGuard, removeSysvByKey } from "./_helpers/leaks.ts";
import { expectLibcError } from "./_helpers/assert.ts";

const hex = (key: number) => `0x${key.toString(16)}`;

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

Deno.test("sem-ping --no-lock: runs to the end and leaves nothing (corruption shown, not asserted)", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  const { ping, pong } = await pingPong(["--rounds", "6", "--no-lock"], key);
  assert.equal(ping.code, 0, ping.stderr);
  assert.equal(pong.code, 0, pong.stderr);
  assert.match(ping.stdout, /lock: no lock \(--no-lock\)/);
  assert.equal(ping.stdout.match(/^round \d+: /gm)?.length, 6);
  console.log(`--no-lock run (shown only):\n${ping.stdout}${pong.stdout}`);
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
  assert.match(second.stderr, /already exists \(another sem-ping running\? if not: ipcrm -S/);
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
