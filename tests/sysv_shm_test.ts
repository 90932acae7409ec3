/**
 * Tests of System V shared memory: lib/sysv_shm.ts (and the ipcs/ipcrm
 * helpers of lib/sysv_ipcs.ts) against the real kernel and the real C
 * layout, and the paired examples of examples/sysv-shm as real processes.
 *
 * Every test uses its own random keys and removes what it made in
 * `finally` (removeSysvByKey / IPC_RMID by id), even when it fails.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import { compileAndRun } from "./_helpers/cc.ts";
import assert from "node:assert/strict";
import { libc } from "../lib/ffi/libc_ffi.ts";
import { ftok, IPC, IPC_PERM, userName } from "../lib/sysv_ipc.ts";
import { formatKey } from "../lib/keys.ts";
import {
  type Attachment,
  Segment,
  shmAttach,
  shmget,
  SHMID_DS,
  shmRemove,
  shmStat,
} from "../lib/sysv_shm.ts";
import {
  idOfKey,
  listMessageQueues,
  listSemaphoreArrays,
  listSharedMemory,
  MSQID_DS,
  removeIpc,
  SEMID_DS,
} from "../lib/sysv_ipcs.ts";
import {
  type Finished,
  randomKey,
  run,
  start,
  type Started,
  type StartOptions,
  taskArgs,
  tempDir,
} from "./_helpers/run.ts";
import { LeakGuard, removeSysvByKey, sysvObjects } from "./_helpers/leaks.ts";
import { expectLibcError } from "./_helpers/assert.ts";
import { ignoreIf, missingTool, notRoot } from "./_helpers/ignore.ts";

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

const PROMPT1 = "press ENTER to key to continue...\n";
const PROMPT2 = "Press ENTER to continue...\n";

/** The /proc/sysvipc/shm rows of `key`. */
function shmRowsOfKey(key: number) {
  return sysvObjects().filter((o) => o.kind === "shm" && o.key === key >>> 0);
}

function removeShmIds(ids: number[]): void {
  for (const id of ids) {
    try {
      shmRemove(id);
    } catch {
      // already gone
    }
  }
}

// ---------------------------------------------------------------------------
// The C layout

const LAYOUT_TEST =
  "struct shmid_ds, semid_ds, msqid_ds: our offsets equal the C compiler's offsetof";
Deno.test({ name: LAYOUT_TEST, ignore: ignoreIf(LAYOUT_TEST, missingTool("cc")) }, async () => {
  await using dir = await tempDir();
  const source = `
#define _GNU_SOURCE
#include <stdio.h>
#include <stddef.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/sem.h>
#include <sys/msg.h>
#define F(t, m) printf("\\"%s.%s\\": [%zu, %zu],\\n", #t, #m, offsetof(struct t, m), sizeof(((struct t *)0)->m))
int main(void) {
  printf("{\\n");
  F(shmid_ds, shm_perm.__key); F(shmid_ds, shm_perm.uid); F(shmid_ds, shm_perm.gid);
  F(shmid_ds, shm_perm.cuid); F(shmid_ds, shm_perm.cgid); F(shmid_ds, shm_perm.mode);
  F(shmid_ds, shm_perm.__seq); F(shmid_ds, shm_segsz); F(shmid_ds, shm_atime);
  F(shmid_ds, shm_dtime); F(shmid_ds, shm_ctime); F(shmid_ds, shm_cpid);
  F(shmid_ds, shm_lpid); F(shmid_ds, shm_nattch);
  F(semid_ds, sem_otime); F(semid_ds, sem_ctime); F(semid_ds, sem_nsems);
  F(msqid_ds, msg_stime); F(msqid_ds, msg_rtime); F(msqid_ds, msg_ctime);
  F(msqid_ds, __msg_cbytes); F(msqid_ds, msg_qnum); F(msqid_ds, msg_qbytes);
  F(msqid_ds, msg_lspid); F(msqid_ds, msg_lrpid);
  printf("\\"sizeof\\": [%zu, %zu, %zu, %zu]\\n}\\n", sizeof(struct shmid_ds),
         sizeof(struct semid_ds), sizeof(struct msqid_ds), sizeof(struct ipc_perm));
  return 0;
}
`;
  await Deno.writeTextFile(`${dir.path}/layout.c`, source);
  // For the architecture Deno runs as (under test:aarch64, not cc's x86_64).
  const printed = await compileAndRun(`${dir.path}/layout.c`, `${dir.path}/layout`);
  const c = JSON.parse(printed) as Record<string, number[]>;
  const expect: Record<string, [number, number]> = {
    "shmid_ds.shm_perm.__key": [IPC_PERM.key, 4],
    "shmid_ds.shm_perm.uid": [IPC_PERM.uid, 4],
    "shmid_ds.shm_perm.gid": [IPC_PERM.gid, 4],
    "shmid_ds.shm_perm.cuid": [IPC_PERM.cuid, 4],
    "shmid_ds.shm_perm.cgid": [IPC_PERM.cgid, 4],
    "shmid_ds.shm_perm.mode": [IPC_PERM.mode, 4],
    "shmid_ds.shm_perm.__seq": [IPC_PERM.seq, 2],
    "shmid_ds.shm_segsz": [SHMID_DS.segsz, 8],
    "shmid_ds.shm_atime": [SHMID_DS.atime, 8],
    "shmid_ds.shm_dtime": [SHMID_DS.dtime, 8],
    "shmid_ds.shm_ctime": [SHMID_DS.ctime, 8],
    "shmid_ds.shm_cpid": [SHMID_DS.cpid, 4],
    "shmid_ds.shm_lpid": [SHMID_DS.lpid, 4],
    "shmid_ds.shm_nattch": [SHMID_DS.nattch, 8],
    "semid_ds.sem_otime": [SEMID_DS.otime, 8],
    "semid_ds.sem_ctime": [SEMID_DS.ctime, 8],
    "semid_ds.sem_nsems": [SEMID_DS.nsems, 8],
    "msqid_ds.msg_stime": [MSQID_DS.stime, 8],
    "msqid_ds.msg_rtime": [MSQID_DS.rtime, 8],
    "msqid_ds.msg_ctime": [MSQID_DS.ctime, 8],
    "msqid_ds.__msg_cbytes": [MSQID_DS.cbytes, 8],
    "msqid_ds.msg_qnum": [MSQID_DS.qnum, 8],
    "msqid_ds.msg_qbytes": [MSQID_DS.qbytes, 8],
    "msqid_ds.msg_lspid": [MSQID_DS.lspid, 4],
    "msqid_ds.msg_lrpid": [MSQID_DS.lrpid, 4],
  };
  for (const [field, [offset, size]] of Object.entries(expect)) {
    assert.deepEqual(c[field], [offset, size], field);
  }
  assert.deepEqual(c.sizeof, [SHMID_DS.size, SEMID_DS.size, MSQID_DS.size, IPC_PERM.size]);
});

// ---------------------------------------------------------------------------
// lib/sysv_shm.ts

Deno.test("Segment: IPC_STAT fields through create, attach, detach and IPC_RMID", () => {
  const key = randomKey();
  // The kernel stamps IPC times from its coarse clock (whole seconds, updated
  // once a tick), which can trail Date.now() by up to a tick: allow a second.
  const before = Math.floor(Date.now() / 1000) * 1000 - 1000;
  const seg = Segment.create(key, { size: 1000, mode: 0o640 });
  try {
    assert.equal(seg.created, true);
    assert.equal(seg.key, key);
    let st = seg.stat();
    assert.equal(st.key, key);
    assert.equal(st.size, 1000);
    assert.equal(st.perms, 0o640);
    assert.equal(st.uid, libc.getuid());
    assert.equal(st.cuid, libc.getuid());
    assert.equal(st.cpid, Deno.pid);
    assert.equal(st.lpid, 0);
    assert.equal(st.nattch, 0);
    assert.equal(st.atime, null);
    assert.equal(st.dtime, null);
    assert.ok(st.ctime instanceof Date && st.ctime.getTime() >= before, String(st.ctime));
    assert.equal(st.markedForRemoval, false);
    assert.equal(st.locked, false);

    const a = seg.attach();
    st = seg.stat();
    assert.equal(st.nattch, 1);
    assert.equal(st.lpid, Deno.pid);
    assert.ok(st.atime instanceof Date && st.atime.getTime() >= before);
    assert.equal(a.size, 1000);
    assert.equal(a.bytes.length, 1000);

    // IPC_RMID while attached: marked `dest`, key reset to 0, still usable.
    assert.equal(seg.remove(), true);
    st = shmStat(seg.id);
    assert.equal(st.markedForRemoval, true);
    assert.equal(st.mode & 0o1000, 0o1000);
    assert.equal(st.key, 0);
    a.bytes[0] = 42;
    assert.equal(a.bytes[0], 42);
    a.detach(); // last detach: the kernel frees it
    expectLibcError(() => shmStat(seg.id), "shmctl", "EINVAL");
    assert.equal(seg.remove(), false); // already removed by this handle: nothing to do
  } finally {
    removeSysvByKey([key]);
    removeShmIds([seg.id]);
  }
});

Deno.test("Attachment: zero-copy views, use after detach throws clearly, never crashes", () => {
  using seg = Segment.create(IPC.PRIVATE, { size: 64, mode: 0o600 });
  const a = seg.attach();
  const b = seg.attach(); // a second mapping of the same pages
  try {
    a.bytes[3] = 7;
    assert.equal(b.bytes[3], 7, "both attachments see the same memory");
    assert.equal(a.writeString("This is a test"), 15);
    assert.equal(b.readString(), "This is a test");
    assert.throws(() => a.writeString("x".repeat(64)), RangeError);

    const kept = a.bytes; // a view kept across the detach
    const sub = kept.subarray(2, 10);
    a.detach();
    assert.equal(a.detached, true);
    assert.throws(
      () => a.bytes,
      (e: Error) => /shmid \d+\) used after detach/.test(e.message),
    );
    assert.throws(() => a.readString(), /used after detach/);
    assert.throws(() => a.writeString("x"), /used after detach/);
    assert.throws(() => a.address, /used after detach/);
    // The old views were revoked before shmdt: length 0, reads undefined, no SIGSEGV.
    assert.equal(kept.length, 0);
    assert.equal(sub.length, 0);
    assert.equal(kept[0], undefined);
    kept[0] = 1; // dropped, not a write to unmapped memory
    a.detach(); // harmless
    a[Symbol.dispose]();
    assert.equal(b.readString(), "This is a test");
  } finally {
    a.detach();
    b.detach();
  }
});

Deno.test("Attachment: SHM_RDONLY refuses writeString; a raw store is SIGSEGV (documented)", async () => {
  using seg = Segment.create(IPC.PRIVATE, { size: 64, mode: 0o600 });
  {
    using w = seg.attach();
    w.writeString("hello");
    using r = seg.attach({ readOnly: true });
    assert.equal(r.readOnly, true);
    assert.equal(r.readString(), "hello");
    assert.throws(() => r.writeString("x"), /attached read-only/);
  }
  // A store through `bytes` of a read-only attachment: the kernel kills the
  // process, as in C. Shown in a child so that it is this child that dies.
  const lib = new URL("../lib/sysv_shm.ts", import.meta.url).href;
  const code = `
    import { Segment } from ${JSON.stringify(lib)};
    const s = Segment.create(0, { size: 64, mode: 0o600 });
    const a = s.attach({ readOnly: true });
    s.remove(); // freed when this process dies
    console.log("attached");
    a.bytes[0] = 1;
    console.log("survived");
  `;
  const r = await new Deno.Command(Deno.execPath(), { args: ["eval", code] }).output();
  assert.equal(new TextDecoder().decode(r.stdout), "attached\n");
  assert.equal(r.signal, "SIGSEGV");
});

Deno.test("Segment: using removes only what this handle created; keep() and own()", () => {
  const key = randomKey();
  let id = -1;
  try {
    {
      using created = Segment.createOrOpen(key, { size: 4096, mode: 0o660 });
      id = created.id;
      assert.equal(created.created, true);
      assert.equal(created.owned, true);
      {
        using opened = Segment.createOrOpen(key, { size: 4096, mode: 0o660 }); // sysv_shmget: EEXIST -> open
        assert.equal(opened.created, false);
        assert.equal(opened.id, id);
        assert.equal(opened.owned, false);
        using plain = Segment.open(key);
        assert.equal(plain.id, id);
      }
      assert.equal(shmRowsOfKey(key).length, 1, "opened handles left it alone");
    }
    assert.equal(shmRowsOfKey(key).length, 0, "the creating handle removed it");

    {
      using kept = Segment.create(key, { size: 16, mode: 0o600 }).keep();
      id = kept.id;
    }
    assert.equal(shmRowsOfKey(key).length, 1, "keep(): it outlives the handle");
    {
      using owner = Segment.open(key).own();
      assert.equal(owner.owned, true);
    }
    assert.equal(shmRowsOfKey(key).length, 0, "own(): removed at dispose");

    // Dispose of a segment someone else already removed is not an error.
    const gone = Segment.create(key, { size: 16, mode: 0o600 });
    id = gone.id;
    shmRemove(gone.id);
    gone[Symbol.dispose]();
    gone[Symbol.dispose]();
    // ...nor is an explicit remove() of one: false, already gone (EINVAL).
    const goneToo = Segment.create(key, { size: 16, mode: 0o600 });
    id = goneToo.id;
    shmRemove(goneToo.id);
    assert.equal(goneToo.remove(), false);
  } finally {
    removeSysvByKey([key]);
    removeShmIds([id]);
  }
});

Deno.test("Segment.get: created is true only for the process that made it", () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  using first = Segment.get(key, IPC.CREAT | 0o600, { size: 128 });
  assert.equal(first.created, true, "cpid is us");
  // (Another process's segment has another cpid: see the shmproc tests.)
  assert.equal(first.stat().cpid, Deno.pid);
});

Deno.test("Segment.get makes only shmget; created is asked lazily; dispose of a gone one is quiet", () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  // IPC_CREAT|IPC_EXCL: created without asking; no IPC_CREAT: not created.
  using made = Segment.get(key, IPC.CREAT | IPC.EXCL | 0o600, { size: 256 });
  assert.equal(made.created, true);
  assert.equal(made.size, 256);
  using opened = Segment.get(key, 0o600, { size: 100 });
  assert.equal(opened.created, false);
  assert.equal(opened.owned, false);
  // IPC_CREAT alone: the first read of `created` does IPC_STAT (cpid is us).
  using again = Segment.get(key, IPC.CREAT | 0o600);
  assert.equal(again.owned, true, "cpid is this process");
  again.keep();
  assert.equal(again.owned, false);
  // A handle that must find out at dispose, of a segment already gone.
  const gone = Segment.get(key, IPC.CREAT | 0o600);
  made.remove();
  gone[Symbol.dispose](); // IPC_STAT fails with EINVAL: nothing to remove
  expectLibcError(() => gone.created, "shmctl", "EINVAL");
});

Deno.test("attach: the view is the size shmget asked for, or IPC_STAT's when that was 0", () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  using seg = Segment.create(key, { size: 1000, mode: 0o600 });
  using asked = Segment.get(key, 0o600, { size: 100 });
  using any = Segment.open(key); // size 0: the kernel tells
  {
    using a = asked.attach();
    assert.equal(a.size, 100);
    assert.equal(a.bytes.length, 100);
    using b = any.attach({ readOnly: true });
    assert.equal(b.size, 1000);
    using c = shmAttach(seg.id);
    assert.equal(c.size, 1000);
    a.writeString("shared");
    assert.equal(b.readString(), "shared");
    assert.throws(() => a.writeString("x".repeat(100)), RangeError, "bounded by the view");
  }
  assert.throws(() => shmAttach(seg.id, { size: 0 }), RangeError);
  assert.throws(() => shmAttach(seg.id, { size: 1.5 }), RangeError);
  assert.equal(seg.stat().nattch, 0, "a refused size attaches nothing");
});

Deno.test("Segment.remove of a segment gone meanwhile is false (EINVAL); dispose does not try again", () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  const seg = Segment.create(key, { size: 16, mode: 0o600 });
  shmRemove(seg.id);
  assert.equal(seg.remove(), false);
  assert.equal(seg.owned, false);
  seg[Symbol.dispose]();
  assert.equal(seg.remove(), false); // counted as removed: nothing to do
});

Deno.test("shmget/shmat errors: ENOENT, EEXIST, EINVAL (too small), bad id; messages name the key", () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  let e = expectLibcError(() => Segment.open(key), "shmget", "ENOENT");
  assert.equal(e.message, `shmget ${formatKey(key)}: ENOENT (No such file or directory)`);
  using seg = Segment.create(key, { size: 100, mode: 0o600 });
  expectLibcError(() => Segment.create(key, { size: 100 }), "shmget", "EEXIST");
  e = expectLibcError(() => shmget(key, 4096, IPC.CREAT | 0o600), "shmget", "EINVAL");
  assert.equal(e.subject, formatKey(key));
  // createOrOpen opens with size 0, like sysv_shmget: no EINVAL there.
  using again = Segment.createOrOpen(key, { size: 4096, mode: 0o600 });
  assert.equal(again.id, seg.id);
  // shmat's failure is (void *) -1: caught, not returned as an address.
  e = expectLibcError(() => shmAttach(0x7ffffff0), "shmat", "EINVAL");
  assert.match(e.message, /^shmat shmid 2147483632: EINVAL/);
  expectLibcError(() => shmRemove(0x7ffffff0), "shmctl", "EINVAL");
});

Deno.test("ftok: same file and id give the same key; a missing file names the path", async () => {
  await using dir = await tempDir();
  const path = `${dir.path}/keyfile`;
  await Deno.writeTextFile(path, "");
  const k1 = ftok(path, 1234);
  assert.equal(ftok(path, 1234), k1);
  assert.notEqual(ftok(path, 1235), k1);
  assert.equal(k1 & 0xff000000, (1234 & 0xff) << 24);
  const e = expectLibcError(() => ftok(`${dir.path}/nope`, 1), "ftok", "ENOENT");
  assert.equal(e.subject, `${dir.path}/nope`);
});

Deno.test("listSharedMemory/idOfKey/removeIpc and userName", () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  using seg = Segment.create(key, { size: 321, mode: 0o604 });
  const mine = listSharedMemory().filter((s) => s.id === seg.id);
  assert.equal(mine.length, 1);
  const { id, ...st } = mine[0];
  assert.equal(id, seg.id);
  assert.deepEqual(st, seg.stat());
  assert.equal(idOfKey("shm", key), seg.id);
  removeIpc("shm", seg.id);
  expectLibcError(() => idOfKey("shm", key), "shmget", "ENOENT");
  assert.equal(userName(0), "root");
});

// ---------------------------------------------------------------------------
// shmproc1 / shmproc2

/** What shmproc2 prints when it finds shmproc1's text. */
const TEXT2 = `${PROMPT2}This is a test\n`;

/**
 * Start shmproc1 or shmproc2 with `--key key` (its pid in `guard`) and wait
 * for its ENTER prompt. Dispose it with `await using`.
 */
async function atPrompt(
  task: "shmproc1" | "shmproc2",
  key: number | string,
  guard: LeakGuard,
  options: StartOptions = {},
): Promise<Started> {
  const p = start(task, ["--key", String(key)], options);
  guard.addPids(p.pid);
  try {
    await p.waitFor(task === "shmproc1" ? PROMPT1 : PROMPT2);
  } catch (e) {
    await p[Symbol.asyncDispose]();
    throw e;
  }
  return p;
}

/**
 * Press ENTER in a waiting program and let it end; with `stdout`, check
 * that it ended cleanly: that output, nothing on stderr, exit 0.
 */
async function enter(p: Started, stdout?: string): Promise<Finished> {
  await p.write("\n");
  const r = await p.finish();
  if (stdout !== undefined) {
    assert.equal(r.stdout, stdout);
    assert.equal(r.stderr, "");
    assert.equal(r.code, 0);
  }
  return r;
}

/** shmproc1 and shmproc2 started on a fresh key, each at its prompt, in the order asked. */
interface Shmprocs extends AsyncDisposable {
  key: number;
  /** Its scope: the key and every started pid. */
  guard: LeakGuard;
  /** The programs, in the order they were asked for. */
  started: Started[];
}

/**
 * Start `tasks` one after the other on a fresh key, each up to its ENTER
 * prompt. Disposing it ends the programs still running (newest first) and
 * removes whatever is left under the key.
 */
async function shmprocs(...tasks: Array<"shmproc1" | "shmproc2">): Promise<Shmprocs> {
  const key = randomKey();
  const guard = new LeakGuard({ keys: [key] });
  const started: Started[] = [];
  const dispose = async () => {
    for (const p of [...started].reverse()) await p[Symbol.asyncDispose]();
    guard[Symbol.dispose]();
  };
  try {
    for (const task of tasks) started.push(await atPrompt(task, key, guard));
  } catch (e) {
    await dispose();
    throw e;
  }
  return { key, guard, started, [Symbol.asyncDispose]: dispose };
}

/** Send `signal` to a waiting program and let it end. */
async function interrupt(p: Started, signal: Deno.Signal): Promise<Finished> {
  p.kill(signal);
  return await p.finish();
}

Deno.test("shmproc1 + shmproc2: shmproc2 prints This is a test; shmproc1 removes the segment", async () => {
  await using scene = await shmprocs("shmproc1");
  const { key, guard, started: [p1] } = scene;
  const rows = shmRowsOfKey(key);
  assert.equal(rows.length, 1);
  assert.equal(rows[0].cpid, p1.pid);
  {
    await using p2 = await atPrompt("shmproc2", key, guard);
    assert.equal(shmStat(rows[0].id).nattch, 2);
    await enter(p2, TEXT2);
  }
  assert.equal(shmRowsOfKey(key).length, 1, "still there while shmproc1 waits");
  await enter(p1, PROMPT1);
  assert.equal(shmRowsOfKey(key).length, 0, "gone from /proc/sysvipc/shm");
  guard.check();
});

Deno.test("shmproc1: EOF on stdin instead of ENTER continues, like getchar() returning EOF", async () => {
  const key = randomKey();
  using guard = new LeakGuard({ keys: [key] });
  const r = await run("shmproc1", ["--key", String(key)], { stdin: "" });
  assert.equal(r.stdout, PROMPT1);
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);
  guard.check();
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  Deno.test(`shmproc1: ${signal} at the ENTER prompt removes the segment, exit ${code}`, async () => {
    await using scene = await shmprocs("shmproc1");
    const { key, guard, started: [p1] } = scene;
    assert.equal(shmRowsOfKey(key).length, 1);
    const r = await interrupt(p1, signal);
    assert.equal(r.code, code);
    assert.equal(r.stdout, PROMPT1);
    guard.check();
  });
}

Deno.test("shmproc2: SIGINT while waiting exits 130 and leaves shmproc1's segment alone", async () => {
  await using scene = await shmprocs("shmproc1", "shmproc2");
  const { key, guard, started: [p1, p2] } = scene;
  assert.equal((await interrupt(p2, "SIGINT")).code, 130);
  assert.equal(shmRowsOfKey(key).length, 1, "shmproc1's segment is not shmproc2's to remove");
  assert.equal((await enter(p1)).code, 0);
  guard.check();
});

Deno.test("shmproc2 run first creates the segment; alone it prints an empty line and removes it", async () => {
  await using scene = await shmprocs("shmproc2");
  const { key, guard, started: [p2] } = scene;
  assert.equal(shmRowsOfKey(key)[0]?.cpid, p2.pid);
  await enter(p2, `${PROMPT2}\n`);
  guard.check();
});

Deno.test("shmproc2 first, then shmproc1: the text arrives; shmproc2 leaves the segment to shmproc1, which removes it", async () => {
  await using scene = await shmprocs("shmproc2", "shmproc1");
  const { key, guard, started: [p2, p1] } = scene;
  await enter(p2, TEXT2);
  // shmproc2 made it, but shmproc1 is attached: shmproc2 leaves it (issue
  // 12: removing it broke the C shmproc1, whose IPC_RMID comes after its
  // shmdt and then failed with EINVAL).
  const rows = shmRowsOfKey(key);
  assert.equal(rows.length, 1, "the key still names it");
  assert.equal(rows[0].cpid, p2.pid);
  const st = shmStat(rows[0].id);
  assert.equal(st.markedForRemoval, false);
  assert.equal(st.nattch, 1);
  await enter(p1, PROMPT1);
  guard.check();
});

Deno.test("shmproc2 first, then shmproc1, ENTER to shmproc1 first: shmproc1 removes, shmproc2's detach frees it", async () => {
  await using scene = await shmprocs("shmproc2", "shmproc1");
  const { key, guard, started: [p2, p1] } = scene;
  const id = shmRowsOfKey(key)[0].id;
  await enter(p1, PROMPT1);
  assert.equal(shmStat(id).markedForRemoval, true, "dest: shmproc2 still has it");
  const r2 = await enter(p2);
  assert.equal(r2.stdout, TEXT2);
  assert.equal(r2.stderr, "", "IPC_STAT of the freed segment (EINVAL) is no error");
  assert.equal(r2.code, 0);
  guard.check();
});

Deno.test("shmproc2 first, SIGINT while shmproc1 is attached: exit 130, shmproc1 still removes it", async () => {
  await using scene = await shmprocs("shmproc2", "shmproc1");
  const { key, guard, started: [p2, p1] } = scene;
  const r2 = await interrupt(p2, "SIGINT");
  assert.equal(r2.code, 130);
  assert.equal(r2.stderr, "");
  const rows = shmRowsOfKey(key);
  assert.equal(rows.length, 1);
  assert.equal(shmStat(rows[0].id).markedForRemoval, false, "left to shmproc1");
  assert.equal(shmStat(rows[0].id).nattch, 1);
  const r1 = await enter(p1);
  assert.equal(r1.stderr, "");
  assert.equal(r1.code, 0);
  guard.check();
});

Deno.test("shmproc2 first, alone, SIGTERM: it made the segment and nobody else came: removed, exit 143", async () => {
  await using scene = await shmprocs("shmproc2");
  const { key, guard, started: [p2] } = scene;
  assert.equal(shmRowsOfKey(key).length, 1);
  const r2 = await interrupt(p2, "SIGTERM");
  assert.equal(r2.code, 143);
  assert.equal(r2.stderr, "");
  guard.check();
});

/** The shmget/shmat/shmdt/shmctl calls of an `IPC_TRACE=1` run, without ids and addresses. */
function shmCalls(stderr: string): string[] {
  return stderr.split("\n")
    .map((line) => /^\[[\w-]+ \d+\] (shm\w+)\((?:[^,)]*, )?([A-Z_]+)?/.exec(line))
    .filter((m) => m !== null)
    .map((m) => m[1] === "shmctl" ? `shmctl ${m[2]}` : m[1]);
}

Deno.test("IPC_TRACE: the ports make the C's shm calls, in the C's order (shmproc2: one IPC_STAT more)", async () => {
  const key = randomKey();
  const k = formatKey(key);
  using guard = new LeakGuard({ keys: [key] });
  const env = { IPC_TRACE: "1" };
  await using p1 = await atPrompt("shmproc1", k, guard, { env });
  await using p2 = await atPrompt("shmproc2", k, guard, { env });
  const r2 = await enter(p2);
  assert.equal(r2.code, 0, r2.stderr);
  // shmproc2.c: shmget, shmat, shmdt. The port's IPC_STAT decides about removal.
  assert.deepEqual(shmCalls(r2.stderr), ["shmget", "shmat", "shmdt", "shmctl IPC_STAT"]);
  const r1 = await enter(p1);
  assert.equal(r1.code, 0, r1.stderr);
  // shmproc1.c: shmget, shmat, shmdt, shmctl(IPC_RMID).
  assert.deepEqual(shmCalls(r1.stderr), ["shmget", "shmat", "shmdt", "shmctl IPC_RMID"]);

  // write_shm.c / read_shm.c: shmget, shmat, shmdt; --remove adds IPC_RMID.
  const traced = async (task: string, ...args: string[]): Promise<string[]> => {
    const r = await run(task, ["--key", k, ...args], { env });
    assert.equal(r.code, 0, r.stderr);
    return shmCalls(r.stderr);
  };
  assert.deepEqual(await traced("write-shm"), ["shmget", "shmat", "shmdt"]);
  assert.deepEqual(await traced("read-shm"), ["shmget", "shmat", "shmdt"]);
  assert.deepEqual(await traced("read-shm", "--remove"), [
    "shmget",
    "shmat",
    "shmdt",
    "shmctl IPC_RMID",
  ]);
  guard.check();
});

Deno.test("SIGKILL shmproc1 while shmproc2 waits: the segment persists (SysV), shmproc2 still prints", async () => {
  await using scene = await shmprocs("shmproc1", "shmproc2");
  const { key, guard, started: [p1, p2] } = scene;
  const r1 = await interrupt(p1, "SIGKILL");
  assert.equal(r1.signal, "SIGKILL");
  const r2 = await enter(p2);
  assert.equal(r2.stdout, TEXT2);
  assert.equal(r2.code, 0);
  assert.match(
    r2.stderr,
    new RegExp(`outlived its creator \\(pid ${p1.pid}\\).*ipcrm -M ${formatKey(key)}`),
  );
  // Nobody removed it: it stays until IPC_RMID or reboot. ipcrm -M does it.
  assert.equal(shmRowsOfKey(key).length, 1);
  const rm = await run("ipcrm", ["-M", formatKey(key)]);
  assert.equal(rm.code, 0, rm.stderr);
  guard.check();
});

Deno.test("shmproc1/shmproc2: the peer Ctrl+C'd or SIGKILLed at its prompt; a killed shmproc1's segment is reused and removed by the next one", async () => {
  // shmproc1 waits; shmproc2 is SIGKILLed: nothing of shmproc1's changes, ENTER removes it.
  const p1AfterP2Killed = async () => {
    await using scene = await shmprocs("shmproc1", "shmproc2");
    const { guard, started: [p1, p2] } = scene;
    assert.equal((await interrupt(p2, "SIGKILL")).signal, "SIGKILL");
    await enter(p1, PROMPT1);
    guard.check();
  };
  // shmproc2 waits; shmproc1 is Ctrl+C'd (IPC_RMID: dest, still attached here): it prints.
  const p2AfterP1CtrlC = async () => {
    await using scene = await shmprocs("shmproc1", "shmproc2");
    const { guard, started: [p1, p2] } = scene;
    assert.equal((await interrupt(p1, "SIGINT")).code, 130);
    await enter(p2, TEXT2);
    guard.check();
  };
  // shmproc1 SIGKILLed with nobody else there: the segment stays (SysV); the next
  // shmproc1 finds it (IPC_CREAT), and the pair runs and leaves nothing.
  const nextAfterP1Killed = async () => {
    await using scene = await shmprocs("shmproc1");
    const { key, guard, started: [p1] } = scene;
    assert.equal((await interrupt(p1, "SIGKILL")).signal, "SIGKILL");
    const id = shmRowsOfKey(key)[0].id;
    await using next1 = await atPrompt("shmproc1", key, guard);
    assert.equal(shmRowsOfKey(key)[0].id, id, "the same segment, reused");
    await using next2 = await atPrompt("shmproc2", key, guard);
    await enter(next2, TEXT2);
    await enter(next1, PROMPT1);
    guard.check();
  };
  await allOf(p1AfterP2Killed(), p2AfterP1CtrlC(), nextAfterP1Killed());
});

// ---------------------------------------------------------------------------
// write-shm / read-shm

Deno.test("write-shm, then read-shm (twice: it persists), then read-shm --remove: nothing left", async () => {
  const key = randomKey();
  const k = formatKey(key);
  using guard = new LeakGuard({ keys: [key] });
  const w = await run("write-shm", ["--key", k]);
  assert.equal(w.code, 0, w.stderr);
  const pid = /^Data written in memory: message from pid (\d+): This is a test$/m.exec(w.stdout)
    ?.[1];
  assert.ok(pid, w.stdout);
  assert.equal(
    w.stdout.split("\n")[1],
    `Shared memory key ${k} (shmid ${
      shmRowsOfKey(key)[0].id
    }) keeps it after this exit: deno task read-shm --key ${k} reads it.`,
  );
  assert.equal(shmStat(shmRowsOfKey(key)[0].id).nattch, 0, "kept with no process attached");

  const r = await run("read-shm", ["--key", k]);
  assert.equal(
    r.stdout,
    `Data read from memory: This is a test\nWritten by pid ${pid}\n` +
      `The segment stays (System V): \`deno task read-shm --key ${k} --remove\` removes it.\n`,
  );
  assert.equal(r.stderr, "");
  assert.equal(r.code, 0);

  const id = shmRowsOfKey(key)[0].id;
  const last = await run("read-shm", ["--key", k, "--remove"]);
  assert.equal(
    last.stdout,
    `Data read from memory: This is a test\nWritten by pid ${pid}\n` +
      `Removed shared memory key ${k} (shmid ${id}).\n`,
  );
  assert.equal(last.code, 0);
  guard.check();
});

Deno.test("write-shm with a message of its own words", async () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  const w = await run("write-shm", ["--key", String(key), "merhaba", "dünya"]);
  assert.equal(w.code, 0, w.stderr);
  const r = await run("read-shm", ["--remove", "--key", String(key)]);
  assert.match(r.stdout, /^Data read from memory: merhaba dünya\n/);
  assert.equal(shmRowsOfKey(key).length, 0);
});

Deno.test("read-shm with no segment: tells to run write-shm first, exit 1", async () => {
  const key = randomKey();
  const r = await run("read-shm", ["--key", formatKey(key)]);
  assert.equal(
    r.stderr,
    `read-shm: no shared memory segment with key ${formatKey(key)}: ` +
      `run \`deno task write-shm --key ${formatKey(key)}\` first\n`,
  );
  assert.equal(r.stdout, "");
  assert.equal(r.code, 1);
  assert.equal(shmRowsOfKey(key).length, 0, "read-shm never creates");
});

Deno.test("read-shm on a segment that holds no write-shm message: exit 1, segment untouched", async () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  using seg = Segment.create(key, { size: 4096, mode: 0o660 });
  {
    using a = seg.attach();
    a.writeString("This is a test");
  }
  const r = await run("read-shm", ["--key", String(key), "--remove"]);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /does not hold a write-shm message \(it holds "This is a test"\)/);
  assert.equal(shmRowsOfKey(key).length, 1);
});

// ---------------------------------------------------------------------------
// bad input

Deno.test("--key that is not a number: usage error, exit 1, for every port", async () => {
  for (const task of ["shmproc1", "shmproc2", "write-shm", "read-shm"]) {
    const r = await run(task, ["--key", "0xZZ"]);
    assert.equal(r.code, 1, task);
    assert.equal(
      r.stderr,
      `--key: not a number: "0xZZ"\nusage: ${task} [--key KEY]${
        task === "write-shm" ? " [message words...]" : task === "read-shm" ? " [--remove]" : ""
      }\n`,
    );
    assert.equal(r.stdout, "");
  }
  const zero = await run("shmproc1", ["--key", "0"]);
  assert.equal(zero.code, 1);
  assert.match(zero.stderr, /0 is IPC_PRIVATE/);
  const extra = await run("shmproc2", ["now"]);
  assert.equal(extra.code, 1);
  assert.match(extra.stderr, /unexpected argument "now"/);
});

Deno.test("key in use by a smaller segment: shmproc1 and write-shm fail with EINVAL, exit 1", async () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  using _small = Segment.create(key, { size: 100, mode: 0o660 });
  for (const task of ["shmproc1", "write-shm"]) {
    const r = await run(task, ["--key", String(key)]);
    assert.equal(r.stderr, `${task}: shmget ${formatKey(key)}: EINVAL (Invalid argument)\n`);
    assert.equal(r.code, 1);
  }
  assert.equal(shmRowsOfKey(key).length, 1);
});

const EACCES_TEST = "EACCES: a 0600 root segment opened by another uid (nobody)";
Deno.test({
  name: EACCES_TEST,
  ignore: ignoreIf(
    EACCES_TEST,
    notRoot("only root can run a program as the nobody user"),
    missingTool("setpriv"),
  ),
}, async () => {
  const key = randomKey();
  await using denoDir = await tempDir();
  await Deno.chmod(denoDir.path, 0o777);
  try {
    using _seg = Segment.create(key, { size: 4096, mode: 0o600 });
    for (const task of ["shmproc2", "read-shm"]) {
      // nobody, without CAP_IPC_OWNER (which would bypass the check); only
      // CAP_DAC_READ_SEARCH so that it can reach the deno binary.
      const r = await new Deno.Command("setpriv", {
        args: [
          "--reuid=65534",
          "--regid=65534",
          "--clear-groups",
          "--inh-caps=+dac_read_search",
          "--ambient-caps=+dac_read_search",
          Deno.execPath(),
          ...taskArgs(task),
          "--key",
          String(key),
        ],
        env: { DENO_DIR: denoDir.path, NO_COLOR: "1" },
        cwd: new URL("..", import.meta.url).pathname,
      }).output();
      const stderr = new TextDecoder().decode(r.stderr);
      assert.equal(stderr, `${task}: shmget ${formatKey(key)}: EACCES (Permission denied)\n`);
      assert.equal(r.code, 1);
    }
  } finally {
    removeSysvByKey([key]);
  }
});

// ---------------------------------------------------------------------------
// ipcs / ipcrm

/** Rows of an ipcs listing (any kind) whose id column is in `ids`. */
function rowsWithIds(text: string, ids: readonly number[]): string[] {
  const wanted = new Set(ids.map(String));
  return text.split("\n").filter((line) => /^0x[0-9a-f]{8} /.test(line))
    .filter((line) => wanted.has(line.split(/\s+/)[1]));
}

function headerLines(text: string): string[] {
  return text.split("\n").filter((line) => line.startsWith("------") || line.startsWith("key "));
}

const IPCS_TEST = "ipcs: same rows as util-linux `ipcs` for our objects (shm incl. dest, sem, msg)";
Deno.test({ name: IPCS_TEST, ignore: ignoreIf(IPCS_TEST, missingTool("ipcs")) }, async () => {
  const keys = [randomKey(), randomKey(), randomKey(), randomKey()];
  const shmIds: number[] = [];
  let semId = -1;
  let msgId = -1;
  let attached: Attachment | undefined;
  try {
    const a = Segment.create(keys[0], { size: 4096, mode: 0o660 });
    const b = Segment.create(keys[1], { size: 123457, mode: 0o604 });
    shmIds.push(a.id, b.id);
    attached = a.attach();
    a.remove(); // attached and removed: `dest`, key 0x00000000
    semId = libc.semget(keys[2], 3, IPC.CREAT | IPC.EXCL | 0o640);
    msgId = libc.msgget(keys[3], IPC.CREAT | IPC.EXCL | 0o600);
    assert.ok(semId >= 0 && msgId >= 0);
    const message = new Uint8Array(8 + 5);
    new DataView(message.buffer).setBigInt64(0, 1n, true);
    assert.equal(libc.msgsnd(msgId, message, 5n, IPC.NOWAIT), 0);

    const mine = await run("ipcs", ["-m"]);
    assert.equal(mine.code, 0, mine.stderr);
    const ours = rowsWithIds(mine.stdout, shmIds);
    assert.equal(ours.length, 2);
    assert.match(ours.find((r) => r.includes(` ${a.id} `))!, /^0x00000000 .* 1 {10}dest {9}$/);

    for (const [flag, ids] of [["-m", shmIds], ["-s", [semId]], ["-q", [msgId]]] as const) {
      const theirs = new TextDecoder().decode(
        (await new Deno.Command("ipcs", { args: [flag] }).output()).stdout,
      );
      const r = await run("ipcs", [flag]);
      assert.deepEqual(rowsWithIds(r.stdout, ids), rowsWithIds(theirs, ids), flag);
      assert.equal(rowsWithIds(r.stdout, ids).length, ids.length, flag);
      assert.deepEqual(headerLines(r.stdout), headerLines(theirs), flag);
      assert.ok(r.stdout.startsWith("\n------") && r.stdout.endsWith("\n\n"), flag);
    }
    // No option = -a: all three sections, in util-linux's order.
    const all = await run("ipcs");
    const theirsAll = new TextDecoder().decode(
      (await new Deno.Command("ipcs", { args: ["-a"] }).output()).stdout,
    );
    assert.deepEqual(headerLines(all.stdout), headerLines(theirsAll));
    assert.deepEqual(
      rowsWithIds(all.stdout, [...shmIds, semId, msgId]),
      rowsWithIds(theirsAll, [...shmIds, semId, msgId]),
    );
  } finally {
    attached?.detach();
    removeShmIds(shmIds);
    if (semId >= 0) libc.semctl(semId, 0, IPC.RMID, 0n);
    if (msgId >= 0) libc.msgctl(msgId, IPC.RMID, null);
    removeSysvByKey(keys);
  }
});

Deno.test("ipcs --json: our segment with its fields", async () => {
  const key = randomKey();
  using _cleanup = new LeakGuard({ keys: [key] }); // removes what the test left
  using seg = Segment.create(key, { size: 777, mode: 0o640 });
  const r = await run("ipcs", ["-m", "--json"]);
  assert.equal(r.code, 0, r.stderr);
  const data = JSON.parse(r.stdout);
  assert.deepEqual(Object.keys(data), ["sharedMemory"]);
  const entry = data.sharedMemory.find((s: { id: number }) => s.id === seg.id);
  assert.equal(entry.keyHex, formatKey(key));
  assert.equal(entry.key, key);
  assert.equal(entry.size, 777);
  assert.equal(entry.permsOctal, "640");
  assert.equal(entry.owner, "root");
  assert.equal(entry.nattch, 0);
  assert.equal(entry.cpid, Deno.pid);
  assert.deepEqual(entry.status, []);
  assert.equal(entry.atime, null);
  const everything = JSON.parse((await run("ipcs", ["--json"])).stdout);
  assert.deepEqual(Object.keys(everything), ["messageQueues", "sharedMemory", "semaphoreArrays"]);
});

Deno.test("ipcrm: -m id, -M key, -s/-S, -q/-Q remove; clear errors and exit 1", async () => {
  const keys = [randomKey(), randomKey(), randomKey(), randomKey(), randomKey(), randomKey()];
  const guard = new LeakGuard({ keys });
  try {
    const byId = Segment.create(keys[0], { size: 16, mode: 0o600 });
    Segment.create(keys[1], { size: 16, mode: 0o600 });
    const semA = libc.semget(keys[2], 1, IPC.CREAT | 0o600);
    libc.semget(keys[3], 1, IPC.CREAT | 0o600);
    const msgA = libc.msgget(keys[4], IPC.CREAT | 0o600);
    libc.msgget(keys[5], IPC.CREAT | 0o600);
    const r = await run("ipcrm", [
      "-m",
      String(byId.id),
      "-M",
      formatKey(keys[1]),
      "-s",
      String(semA),
      "-S",
      String(keys[3]),
      "-q",
      String(msgA),
      "-Q",
      formatKey(keys[5]),
    ]);
    assert.equal(r.stderr, "");
    assert.equal(r.stdout, "");
    assert.equal(r.code, 0);
    guard.check();
    assert.deepEqual(listSemaphoreArrays().filter((s) => s.id === semA), []);
    assert.deepEqual(listMessageQueues().filter((q) => q.id === msgA), []);

    const bad = await run("ipcrm", ["-m", String(byId.id), "-M", formatKey(keys[1]), "-Q", "0"]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      `ipcrm: -m ${byId.id}: no shared memory segment with this id ` +
        `(shmctl: EINVAL (Invalid argument))\n` +
        `ipcrm: -M ${formatKey(keys[1])}: no shared memory segment with this key ` +
        `(shmget: ENOENT (No such file or directory))\n` +
        `ipcrm: -Q: 0 is IPC_PRIVATE (a new object nobody else can find by key): give a real key\n`,
    );
    const notNumber = await run("ipcrm", ["-m", "abc"]);
    assert.equal(notNumber.code, 1);
    assert.equal( // a bad argument: the error, then the usage (lib/args.ts runMain)
      notNumber.stderr,
      `ipcrm: -m: not a number: "abc"\nusage: ipcrm [-m shmid] [-M shmkey] [-s semid] ` +
        `[-S semkey] [-q msqid] [-Q msgkey] ...\n`,
    );
    const nothing = await run("ipcrm");
    assert.equal(nothing.code, 1);
    assert.match(nothing.stderr, /^usage: ipcrm /);
  } finally {
    removeSysvByKey(keys);
  }
});

const IPCRM_DEST_TEST =
  "ipcrm -m on a segment a live shmproc1 has attached: ipcs shows dest; shmproc1 notes it, exits 0";
Deno.test(
  { name: IPCRM_DEST_TEST, ignore: ignoreIf(IPCRM_DEST_TEST, missingTool("ipcs")) },
  async () => {
    await using scene = await shmprocs("shmproc1");
    const { key, guard, started: [p1] } = scene;
    const id = shmRowsOfKey(key)[0].id;
    const rm = await run("ipcrm", ["-m", String(id)]);
    assert.equal(rm.code, 0, rm.stderr);
    assert.equal(shmRowsOfKey(key).length, 0, "the key is released at once");
    const listing = await run("ipcs", ["-m"]);
    const row = rowsWithIds(listing.stdout, [id]);
    assert.equal(row.length, 1);
    assert.match(row[0], /^0x00000000 .* 660 {8}4096 {7}1 {10}dest {9}$/);
    const theirs = new TextDecoder().decode(
      (await new Deno.Command("ipcs", { args: ["-m"] }).output()).stdout,
    );
    assert.deepEqual(rowsWithIds(theirs, [id]), row, "util-linux ipcs shows the same row");
    const r = await enter(p1);
    // shmdt then IPC_RMID, as the C: our shmdt freed it, so IPC_RMID is
    // EINVAL. The C exits 1 (`shmctl: Invalid argument`); the port notes it.
    assert.equal(
      r.stderr,
      `shmproc1: note: segment ${formatKey(key)} (shmid ${id}) was already removed by ` +
        `someone else (shmctl IPC_RMID: EINVAL): nothing is left\n`,
    );
    assert.equal(r.stdout, PROMPT1);
    assert.equal(r.code, 0);
    expectLibcError(() => shmStat(id), "shmctl", "EINVAL");
    guard.check();
  },
);
