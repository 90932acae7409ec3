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
 * keys are decimal, `0x` hex or `0` octal; a key is read by the rule every
 * `--key` of the project follows (lib/keys.ts `parseKey`: 32 bits, not 0).
 *
 * Like util-linux: nothing is printed on success; each failure (a bad key,
 * key 0 = IPC_PRIVATE, a missing object) is reported and the others are
 * still tried; the exit code is 1 if any failed. A malformed id or option
 * is a usage error before anything is removed.
 * Not ported: `-a` / `--all` (removing everything is too easy to regret).
 *
 * @module
 */
import {
  formatKey,
  idOfKey,
  type IpcKind,
  ipcKindName,
  LibcError,
  parseInteger,
  parseKey,
  removeIpc,
  runMain,
  setTraceRole,
  UsageError,
} from "../../lib/libc.ts";

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
  /** The id, or the key's text: read by parseKey when its turn comes. */
  value: number | string;
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
    if (spec.byKey) {
      out.push({ option, ...spec, value: text });
      continue;
    }
    const id = parseInteger(text, `ipcrm: ${option}`);
    if (id < 0 || id > 0x7fffffff) throw new UsageError(`ipcrm: ${option} ${text}: out of range`);
    out.push({ option, ...spec, value: id });
  }
  return out;
}

/** What went wrong, in words, for one failed removal. */
function explain(r: Removal, value: number, e: LibcError): string {
  const what = ipcKindName(r.kind);
  const shown = r.byKey ? formatKey(value) : String(value);
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
    let value: number;
    try {
      // A key by the project's one rule (lib/keys.ts); 0, IPC_PRIVATE, names
      // no single object. Like util-linux, a bad key fails alone.
      value = typeof r.value === "number" ? r.value : parseKey(r.value, `ipcrm: ${r.option}`);
    } catch (e) {
      if (!(e instanceof UsageError)) throw e;
      console.error(e.message);
      failures++;
      continue;
    }
    try {
      const id = r.byKey ? idOfKey(r.kind, value) : value;
      removeIpc(r.kind, id);
    } catch (e) {
      if (!(e instanceof LibcError)) throw e;
      console.error(explain(r, value, e));
      failures++;
    }
  }
  return failures === 0 ? 0 : 1;
}

if (import.meta.main) {
  await runMain("ipcrm", () => main([...Deno.args]), { usage: USAGE });
}
