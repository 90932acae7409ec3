/**
 * What a run left behind, found and removed: processes by a mark in their
 * environment (every child inherits it; pid 1 here does not reap orphans),
 * System V objects and /dev/shm entries that appeared during the run.
 * Used by `deno task test:aarch64` and `deno task exercise check`.
 *
 * @module
 */

/** The pids of the processes whose environment holds `mark` (`NAME=value`). */
export function markedProcesses(mark: string): number[] {
  const pids: number[] = [];
  for (const e of Deno.readDirSync("/proc")) {
    const pid = Number(e.name);
    if (!Number.isInteger(pid) || pid === Deno.pid) continue;
    try {
      if (Deno.readTextFileSync(`/proc/${pid}/environ`).split("\0").includes(mark)) pids.push(pid);
    } catch {
      // gone already, or not ours to read
    }
  }
  return pids;
}

/** SIGKILL what still runs with `mark`; one line each (`say`) naming it. */
export function killMarked(mark: string, say: (line: string) => void): number {
  const pids = markedProcesses(mark);
  for (const pid of pids) {
    let command = "?";
    try {
      command = Deno.readTextFileSync(`/proc/${pid}/cmdline`).split("\0").join(" ").trim();
    } catch { /* gone */ }
    say(`killing pid ${pid}, left running: ${command.slice(0, 160)}`);
    try {
      Deno.kill(pid, "SIGKILL");
    } catch { /* gone */ }
  }
  return pids.length;
}

/** One System V object or /dev/shm entry: `shm 0x1234abcd (id 5)`, `/dev/shm/x`. */
export interface IpcThing {
  kind: "shm" | "sem" | "msg" | "posix-shm";
  /** The SysV id, or the /dev/shm name. */
  id: string;
  /** The SysV key in hex, or the name. */
  key: string;
  /** Pids /proc/sysvipc names for it: creator and last user (shm), last sender and receiver (msg). */
  pids: number[];
}

/** Every System V object (from /proc/sysvipc) and /dev/shm entry there is now. */
export function ipcObjects(): IpcThing[] {
  const things: IpcThing[] = [];
  for (const kind of ["shm", "sem", "msg"] as const) {
    let text = "";
    try {
      text = Deno.readTextFileSync(`/proc/sysvipc/${kind}`);
    } catch {
      continue;
    }
    for (const line of text.trim().split("\n").slice(1)) {
      const f = line.trim().split(/\s+/);
      const hex = `0x${(Number(f[0]) >>> 0).toString(16).padStart(8, "0")}`;
      // shm: key shmid perms size cpid lpid ...; msg: key msqid perms cbytes qnum lspid lrpid ...
      const pids = kind === "shm" ? [f[4], f[5]] : kind === "msg" ? [f[5], f[6]] : [];
      things.push({ kind, id: f[1], key: hex, pids: pids.map(Number).filter((p) => p > 0) });
    }
  }
  try {
    for (const e of Deno.readDirSync("/dev/shm")) {
      things.push({ kind: "posix-shm", id: e.name, key: `/${e.name}`, pids: [] });
    }
  } catch { /* no /dev/shm */ }
  return things;
}

/**
 * Remove the System V objects that are in `after` but were not in `before`
 * and that one of `ours` (the run's pids) made or last used (`ipcrm`): what
 * other programs made at the same time is theirs. Returns what it removed,
 * as `segment 0x… (id N)`. (A semaphore set names no pid in /proc: the
 * tests' own leak guards remove theirs.)
 */
export async function removeNew(
  before: IpcThing[],
  after: IpcThing[],
  ours: Set<number>,
): Promise<string[]> {
  const seen = new Set(before.map((t) => `${t.kind}:${t.id}`));
  const removed: string[] = [];
  const words = { shm: "segment", sem: "semaphore set", msg: "message queue" };
  for (const t of after.filter((t) => !seen.has(`${t.kind}:${t.id}`))) {
    if (t.kind === "posix-shm" || !t.pids.some((p) => ours.has(p))) continue;
    const flag = { shm: "-m", sem: "-s", msg: "-q" }[t.kind];
    const r = await new Deno.Command("ipcrm", { args: [flag, t.id], stderr: "null" }).output();
    if (r.success) removed.push(`${words[t.kind]} ${t.key} (id ${t.id})`);
  }
  return removed;
}
