/**
 * The leak guard: after a test, no IPC object or file that the test's
 * processes made may remain. It is `deno test --parallel`-safe: instead of
 * comparing global snapshots (other tests run at the same moment), it looks
 * for what belongs to *this* test: SysV objects with the test's keys or
 * created by its processes, POSIX objects whose names carry its tag, and the
 * contents of its own temp directory.
 */
import assert from "node:assert/strict";

export interface SysvObject {
  kind: "shm" | "sem" | "msg";
  key: number;
  id: number;
  /** Creator pid (shm only; /proc/sysvipc/sem and msg do not show it). */
  cpid?: number;
  line: string;
}

/** Parse `/proc/sysvipc/{shm,sem,msg}`. */
export function sysvObjects(): SysvObject[] {
  const out: SysvObject[] = [];
  for (const kind of ["shm", "sem", "msg"] as const) {
    let text: string;
    try {
      text = Deno.readTextFileSync(`/proc/sysvipc/${kind}`);
    } catch {
      continue;
    }
    const [header, ...rows] = text.trim().split("\n");
    const columns = header.trim().split(/\s+/);
    for (const row of rows) {
      const cells = row.trim().split(/\s+/);
      const get = (name: string) => Number(cells[columns.indexOf(name)]);
      out.push({
        kind,
        key: get("key") >>> 0,
        id: get(kind === "shm" ? "shmid" : kind === "sem" ? "semid" : "msqid"),
        cpid: kind === "shm" ? get("cpid") : undefined,
        line: row.trim(),
      });
    }
  }
  return out;
}

function listDir(path: string): string[] {
  try {
    return [...Deno.readDirSync(path)].map((e) => e.name).sort();
  } catch {
    return [];
  }
}

export interface LeakScope {
  /** SysV keys the test uses. */
  keys?: number[];
  /** Pids of processes the test started (shm objects they created must be gone). */
  pids?: number[];
  /** A tag contained in every POSIX IPC name (/dev/shm, /dev/mqueue) the test makes. */
  tag?: string;
  /** The test's temp directory: its listing must equal what it was at start. */
  dir?: string;
}

/**
 * Note the state at the start of a test; `check()` at the end fails with
 * the list of leftovers.
 */
export class LeakGuard implements Disposable {
  readonly scope: LeakScope;
  readonly dirBefore: string[];

  constructor(scope: LeakScope) {
    this.scope = scope;
    this.dirBefore = scope.dir ? listDir(scope.dir) : [];
  }

  /** Add pids learned later (e.g. a child the example printed). */
  addPids(...pids: number[]): void {
    (this.scope.pids ??= []).push(...pids);
  }

  /** Every leftover, as readable lines (empty when clean). */
  leftovers(): string[] {
    const found: string[] = [];
    const keys = new Set((this.scope.keys ?? []).map((k) => k >>> 0));
    const pids = new Set(this.scope.pids ?? []);
    for (const o of sysvObjects()) {
      if ((o.key !== 0 && keys.has(o.key)) || (o.cpid !== undefined && pids.has(o.cpid))) {
        found.push(`SysV ${o.kind}: ${o.line}`);
      }
    }
    if (this.scope.tag) {
      for (const dir of ["/dev/shm", "/dev/mqueue"]) {
        for (const name of listDir(dir)) {
          if (name.includes(this.scope.tag)) found.push(`${dir}/${name}`);
        }
      }
    }
    if (this.scope.dir) {
      const before = new Set(this.dirBefore);
      const after = listDir(this.scope.dir);
      for (const name of after) if (!before.has(name)) found.push(`${this.scope.dir}/${name}`);
      for (const name of this.dirBefore) {
        if (!after.includes(name)) {
          found.push(`${this.scope.dir}/${name} (removed, was there before)`);
        }
      }
    }
    return found;
  }

  /** Fail the test if anything is left. */
  check(): void {
    const left = this.leftovers();
    assert.deepEqual(left, [], `IPC objects or files left behind:\n${left.join("\n")}`);
  }

  /**
   * Clean up after the test, passed or failed: remove any SysV object with
   * the test's keys, so a failing test leaves nothing for the next run.
   * (Cleanup, not a check: call `check()` for that.)
   */
  [Symbol.dispose](): void {
    if (this.scope.keys?.length) removeSysvByKey(this.scope.keys);
  }
}

/**
 * Remove SysV objects of the given keys (test cleanup after a failure, so
 * one failing test does not leave objects for the next run).
 */
export function removeSysvByKey(keys: number[]): void {
  const wanted = new Set(keys.map((k) => k >>> 0));
  for (const o of sysvObjects()) {
    if (!wanted.has(o.key)) continue;
    const flag = o.kind === "shm" ? "-m" : o.kind === "sem" ? "-s" : "-q";
    new Deno.Command("ipcrm", { args: [flag, String(o.id)], stdout: "null", stderr: "null" })
      .outputSync();
  }
}
