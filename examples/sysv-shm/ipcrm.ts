/**
 * ipcrm: remove System V IPC objects by id or by key, like util-linux
 * `ipcrm`.
 *
 * Ports: the `ipcrm` command named in seed 000 ("bir ipc nesnesi anahtar
 * veya handle değeri ile ipcrm shell komutu ile silinebilir": an IPC
 * object can be removed by its key or handle with the ipcrm command) and
 * seed 002.
 *
 * Demonstrates: System V objects outlive their programs; removing one is
 * an explicit `IPC_RMID`. By id: `shmctl(id, IPC_RMID, NULL)`,
 * `semctl(id, 0, IPC_RMID)`, `msgctl(id, IPC_RMID, NULL)`. By key: first
 * the id (`shmget(key, 0, 0)`, `semget(key, 0, 0)`, `msgget(key, 0)`),
 * then the same. A segment still attached is only marked (`dest` in ipcs)
 * and freed at its last detach; semaphore arrays and message queues go at
 * once, waking their waiters with EIDRM.
 *
 * Run: `deno task ipcrm -m <shmid>`, `-M <shmkey>`, `-s <semid>`,
 * `-S <semkey>`, `-q <msqid>`, `-Q <msgkey>`; several may be given. Ids and
 * keys are decimal, `0x` hex or `0` octal.
 *
 * Like util-linux: nothing is printed on success; each failure is reported
 * and the others are still tried; the exit code is 1 if any failed.
 * Not ported: `-a` / `--all` (removing everything is too easy to regret).
 *
 * @module
 */
import { LibcError, parseInteger, runMain, setTraceRole, UsageError } from "../../lib/libc.ts";
import { formatKey } from "../../lib/keys.ts";
import { idOfKey, type IpcKind, ipcKindName, removeIpc } from "../../lib/sysv_ipcs.ts";

const USAGE =
  "usage: ipcrm [-m shmid] [-M shmkey] [-s semid] [-S semkey] [-q msqid] [-Q msgkey] ...";

const OPTIONS: Record<string, { kind: IpcKind; byKey: boolean }> = {
  "-m": { kind: "shm", byKey: false },
  "-M": { kind: "shm", byKey: true },
  "-s": { kind: "sem", byKey: false },
  "-S": { kind: "sem", byKey: true },
  "-q": { kind: "msg", byKey: false },
  "-Q": { kind: "msg", byKey: true },
};

interface Removal {
  option: string;
  kind: IpcKind;
  byKey: boolean;
  value: number;
}

function parseArgs(args: string[]): Removal[] {
  if (args.length === 0) throw new UsageError(USAGE);
  const out: Removal[] = [];
  for (let i = 0; i < args.length; i++) {
    const option = args[i];
    const spec = OPTIONS[option];
    if (spec === undefined) {
      throw new UsageError(`ipcrm: unknown option ${JSON.stringify(option)}\n${USAGE}`);
    }
    const text = args[++i];
    if (text === undefined) throw new UsageError(`ipcrm: ${option} needs a value\n${USAGE}`);
    const value = parseInteger(text, `ipcrm: ${option}`);
    if (spec.byKey ? value < -0x80000000 || value > 0xffffffff : value < 0 || value > 0x7fffffff) {
      throw new UsageError(`ipcrm: ${option} ${text}: out of range`);
    }
    out.push({ option, ...spec, value });
  }
  return out;
}

/** What went wrong, in words, for one failed removal. */
function explain(r: Removal, e: LibcError): string {
  const what = ipcKindName(r.kind);
  const shown = r.byKey ? formatKey(r.value) : String(r.value);
  const why = `${e.call}: ${e.code} (${e.description})`;
  if (r.byKey && e.code === "ENOENT") {
    return `ipcrm: ${r.option} ${shown}: no ${what} with this key (${why})`;
  }
  if (e.code === "EINVAL" || e.code === "EIDRM") {
    return `ipcrm: ${r.option} ${shown}: no ${what} with this id (${why})`;
  }
  if (e.code === "EPERM" || e.code === "EACCES") {
    return `ipcrm: ${r.option} ${shown}: permission denied: only its owner, its creator or root ` +
      `may remove it (${why})`;
  }
  return `ipcrm: ${r.option} ${shown}: ${why}`;
}

function main(args: string[]): number {
  setTraceRole("ipcrm");
  const removals = parseArgs(args);
  let failures = 0;
  for (const r of removals) {
    if (r.byKey && r.value === 0) {
      console.error(
        `ipcrm: ${r.option} 0: key 0 is IPC_PRIVATE and names no single object; ` +
          `remove it by id (${r.option.toLowerCase()})`,
      );
      failures++;
      continue;
    }
    try {
      const id = r.byKey ? idOfKey(r.kind, r.value) : r.value;
      removeIpc(r.kind, id);
    } catch (e) {
      if (!(e instanceof LibcError)) throw e;
      console.error(explain(r, e));
      failures++;
    }
  }
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) {
  await runMain("ipcrm", () => main([...Deno.args]));
}
