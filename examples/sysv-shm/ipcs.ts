/**
 * ipcs: list the machine's System V IPC objects, like util-linux `ipcs`.
 *
 * Ports: the `ipcs` / `ipcs -a` / `ipcs -m` listings shown in seeds 000,
 * 002 and 003 ("O anda sistemde yaratılmış bütün IPC nesneleri, ipcs
 * komutu ile görülebilmektedir": every IPC object on the system can be
 * seen with ipcs).
 *
 * Demonstrates: System V objects are a kernel table, not files. The port
 * walks it with `shmctl(SHM_INFO)` (the highest index in use) and
 * `shmctl(index, SHM_STAT_ANY)` for every index, and likewise
 * `semctl(SEM_INFO/SEM_STAT_ANY)` and `msgctl(MSG_INFO/MSG_STAT_ANY)`;
 * owner names come from `getpwuid_r` (numeric uid when there is no user).
 * The columns are util-linux's default format, byte for byte: key, id,
 * owner, perms, then bytes / nattch / status for shared memory (status
 * `dest`: IPC_RMID was called but processes are still attached; the key
 * then reads 0x00000000), nsems for semaphore arrays, used-bytes and
 * messages for message queues.
 *
 * Run: `deno task ipcs` (all three kinds, like `ipcs -a`), `deno task ipcs
 * -m` (shared memory), `-s` (semaphore arrays), `-q` (message queues);
 * `deno task ipcs --json` (or `-m --json`...) for scripts: one JSON object
 * with `sharedMemory`, `semaphoreArrays`, `messageQueues` arrays.
 *
 * Where it departs from util-linux and why: only the default format (no
 * `-t`, `-p`, `-c`, `-l`, `-u`, `-i`, `--human`); `--json` is this port's
 * own (util-linux's `lsipc --json` has other field names).
 *
 * @module
 */
import {
  formatKey,
  listMessageQueues,
  listSemaphoreArrays,
  listSharedMemory,
  type MsgEntry,
  runMain,
  type SemEntry,
  setTraceRole,
  type ShmEntry,
  UsageError,
  userName,
  writeAll,
} from "../../lib/libc.ts";

const USAGE = "usage: ipcs [-a|--all] [-m|--shmems] [-s|--semaphores] [-q|--queues] [--json]" +
  "   (-ms is -m -s; none: all three kinds)";

type Section = "msg" | "shm" | "sem";

const OPTIONS: Record<string, Section[]> = {
  "-a": ["msg", "shm", "sem"],
  "--all": ["msg", "shm", "sem"],
  "-m": ["shm"],
  "--shmems": ["shm"],
  "-s": ["sem"],
  "--semaphores": ["sem"],
  "-q": ["msg"],
  "--queues": ["msg"],
};

/** printf("%-Ns", s) */
function left(value: string | number, width: number): string {
  return String(value).padEnd(width);
}

const names = new Map<number, string | undefined>();
function ownerName(uid: number): string | undefined {
  if (!names.has(uid)) names.set(uid, userName(uid));
  return names.get(uid);
}

/** `printf("0x%08x %-10d %-10.10s", key, id, name)` or `%-10u` of the uid. */
function keyIdOwner(key: number, id: number, uid: number): string {
  const name = ownerName(uid);
  return `${formatKey(key)} ${left(id, 10)} ${
    name === undefined ? left(uid, 10) : left(name.slice(0, 10), 10)
  }`;
}

function shmRows(list: ShmEntry[]): string {
  let out = "------ Shared Memory Segments --------\n" +
    `${["key", "shmid", "owner", "perms", "bytes", "nattch"].map((h) => left(h, 10)).join(" ")} ` +
    `${left("status", 12)}\n`;
  for (const s of list) {
    out += `${keyIdOwner(s.key, s.id, s.uid)} ${left(s.perms.toString(8), 10)} ` +
      `${left(s.size, 10)} ${left(s.nattch, 10)} ${left(s.markedForRemoval ? "dest" : " ", 6)} ` +
      `${left(s.locked ? "locked" : " ", 6)}\n`;
  }
  return out;
}

function semRows(list: SemEntry[]): string {
  let out = "------ Semaphore Arrays --------\n" +
    `${["key", "semid", "owner", "perms", "nsems"].map((h) => left(h, 10)).join(" ")}\n`;
  for (const s of list) {
    out += `${keyIdOwner(s.key, s.id, s.uid)} ${left(s.perms.toString(8), 10)} ` +
      `${left(s.nsems, 10)}\n`;
  }
  return out;
}

function msgRows(list: MsgEntry[]): string {
  let out = "------ Message Queues --------\n" +
    `${["key", "msqid", "owner", "perms"].map((h) => left(h, 10)).join(" ")} ` +
    `${left("used-bytes", 12)} ${left("messages", 12)}\n`;
  for (const q of list) {
    out += `${keyIdOwner(q.key, q.id, q.uid)} ${left(q.perms.toString(8), 10)} ` +
      `${left(q.usedBytes, 12)} ${left(q.messages, 12)}\n`;
  }
  return out;
}

function withNames<T extends { id: number; key: number; uid: number; perms: number }>(entry: T) {
  const { id, ...rest } = entry;
  return {
    id,
    keyHex: formatKey(entry.key),
    owner: ownerName(entry.uid) ?? String(entry.uid),
    permsOctal: entry.perms.toString(8),
    ...rest,
  };
}

function main(args: string[]): number {
  setTraceRole("ipcs");
  let json = false;
  const wanted = new Set<Section>();
  // getopt style: `-ms` is `-m -s`.
  const words = args.flatMap((a) =>
    /^-[amsq]{2,}$/.test(a) ? [...a.slice(1)].map((c) => `-${c}`) : [a]
  );
  for (const a of words) {
    if (a === "--json") json = true;
    else if (OPTIONS[a]) { for (const s of OPTIONS[a]) wanted.add(s); }
    else throw new UsageError(`ipcs: invalid option ${JSON.stringify(a)}\n${USAGE}`);
  }
  if (wanted.size === 0) { for (const s of OPTIONS["-a"]) wanted.add(s); }
  // util-linux prints the kinds in this order whatever the option order.
  const sections = (["msg", "shm", "sem"] as const).filter((s) => wanted.has(s));

  if (json) {
    const out: Record<string, unknown[]> = {};
    for (const s of sections) {
      if (s === "msg") out.messageQueues = listMessageQueues().map(withNames);
      if (s === "shm") {
        out.sharedMemory = listSharedMemory().map((e) => ({
          ...withNames(e),
          status: [...(e.markedForRemoval ? ["dest"] : []), ...(e.locked ? ["locked"] : [])],
        }));
      }
      if (s === "sem") out.semaphoreArrays = listSemaphoreArrays().map(withNames);
    }
    console.log(JSON.stringify(out, null, 2));
    return 0;
  }

  let text = "\n";
  for (const s of sections) {
    if (s === "msg") text += msgRows(listMessageQueues());
    if (s === "shm") text += shmRows(listSharedMemory());
    if (s === "sem") text += semRows(listSemaphoreArrays());
    text += "\n";
  }
  // One write, so the listing is not interleaved with anything else.
  writeAll(1, new TextEncoder().encode(text));
  return 0;
}

if (import.meta.main) {
  await runMain("ipcs", () => main([...Deno.args]), { usage: USAGE });
}
