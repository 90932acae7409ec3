/**
 * From IPC_TRACE's machine lines (lib/trace_machine.ts) to a {@link Picture}:
 * one lifeline per process and per kernel object, the calls of every process
 * in the order the kernel saw them (by `CLOCK_MONOTONIC` at each call's
 * return), a call that blocked until another process acted drawn as a wait,
 * data sizes, errors, each process's end; runs of the same steps folded into
 * loops.
 *
 * Also {@link pictureCalls}: which lifelines a picture has and which calls
 * each process made, in the order of first use, ignoring pids, descriptors,
 * addresses and counts; the same for a Mermaid diagram
 * ({@link mermaidCalls}). Two runs of one example agree on it even when
 * their processes interleave differently, so the topic pages' diagrams are
 * checked against a real run with it ({@link callsDisagree}).
 *
 * @module
 */
import type { TracedObject, TraceRecord } from "../../lib/trace_machine.ts";
import type { Lifeline, LifelineKind, Picture, Step } from "./picture.ts";

/** How a process started on stage ended (for a process killed before it could say so). */
export interface ProcessEnd {
  pid: number;
  /** Its label when it wrote no trace line (a C original, `ls`). */
  role?: string;
  code: number;
  signal: string | null;
}

/** Parse a machine trace file's text; lines that are not JSON objects are skipped. */
export function parseTrace(text: string): TraceRecord[] {
  const records: TraceRecord[] = [];
  for (const line of text.split("\n")) {
    if (!line.startsWith("{")) continue;
    try {
      records.push(JSON.parse(line));
    } catch {
      // a line cut short by a kill: nothing to draw
    }
  }
  return records;
}

/** Calls whose data (or connection) comes from the object to the process. */
const INCOMING = new Set(["read", "recvmsg", "msgrcv", "mq_receive", "accept4", "accept"]);

/** Which kind wins when one object was seen as several (a FIFO is a pipe by inode). */
const KIND_RANK: Record<string, number> = {
  file: 0,
  pipe: 1,
  socket: 2,
  fifo: 3,
  segment: 3,
  semaphore: 3,
  queue: 3,
  "shm-object": 3,
};

/** Labels that say less than a name does. */
const GENERIC = new Set(["pipe", "socket", "file", "socket pair", "shared memory"]);

/** Union-find over object ids. */
class Ids {
  #parent = new Map<string, string>();
  find(id: string): string {
    let root = id;
    while (this.#parent.has(root) && this.#parent.get(root) !== root) {
      root = this.#parent.get(root)!;
    }
    this.#parent.set(id, root);
    return root;
  }
  union(a: string, b: string): void {
    const [ra, rb] = [this.find(a), this.find(b)];
    if (ra !== rb) this.#parent.set(rb, ra);
  }
}

function shorten(text: string, max = 44): string {
  // Addresses and the directories of paths change from run to run.
  const portable = text.replace(/0x[0-9a-f]{6,}/g, "0x…").replace(/"\/[^"]*\/([^"/]+)"/g, '"$1"');
  return portable.length > max ? `${portable.slice(0, max - 1)}…` : portable;
}

/** The label of a call's arrow: the call as the trace shows it, shortened, and its result. */
function callLabel(r: TraceRecord, names: Map<number, string>): string {
  if (r.call === "posix_spawnp") {
    const program = r.text.match(/^posix_spawnp\("([^"]*)"/)?.[1] ?? "?";
    const who = r.spawned !== undefined ? names.get(r.spawned) : undefined;
    return `posix_spawnp(${program.split("/").pop()})${who ? ` → ${who}` : ""}`;
  }
  if (r.call === "waitpid") {
    const how = r.text.match(/\[(.*)\]/)?.[1] ?? r.result;
    const who = r.target !== undefined ? names.get(r.target) : undefined;
    return `waitpid(${who ?? r.target}) = ${how}`;
  }
  if (r.call === "kill" && r.target !== undefined && names.has(r.target)) {
    const signal = r.text.match(/, (\w+)\)$/)?.[1] ?? "?";
    return `kill(${names.get(r.target)}, ${signal}) = ${r.error ? `-1 ${r.error}` : r.result}`;
  }
  const args = r.text.slice(r.text.indexOf("(") + 1, r.text.lastIndexOf(")"));
  const result = r.error ? `-1 ${r.error}` : shorten(r.result.replace(/ \(.*\)$/, ""), 20);
  return `${r.call}(${shorten(args, 36)}) = ${result}`;
}

/** A step without its wait ids, as text: equal keys fold into one loop. */
function stepKey(s: Step): string {
  if (s.type === "loop") return `loop(${s.steps.map(stepKey).join(",")})`;
  if (s.type === "call") return JSON.stringify({ ...s, waitId: undefined });
  return JSON.stringify(s);
}

/** Fold repeated runs of 1 to 4 steps into loops (waits never fold: they pair with a call). */
export function foldLoops(steps: Step[]): Step[] {
  const out: Step[] = [];
  let i = 0;
  const plain = (s: Step) => s.type !== "wait" && !(s.type === "call" && s.waitId !== undefined);
  while (i < steps.length) {
    let folded = false;
    for (let period = 1; period <= 4 && !folded; period++) {
      const body = steps.slice(i, i + period);
      if (body.length < period || !body.every(plain)) continue;
      const key = body.map(stepKey).join("|");
      let count = 1;
      while (
        steps.slice(i + count * period, i + (count + 1) * period).length === period &&
        steps.slice(i + count * period, i + (count + 1) * period).every(plain) &&
        steps.slice(i + count * period, i + (count + 1) * period).map(stepKey).join("|") === key
      ) count++;
      if (count >= 2) {
        out.push({ type: "loop", count, steps: body });
        i += count * period;
        folded = true;
      }
    }
    if (!folded) out.push(steps[i++]);
  }
  return out;
}

/**
 * Build the picture of a run from its trace records and how the stage's
 * processes ended.
 */
export function buildPicture(
  title: string,
  records: TraceRecord[],
  ends: ProcessEnd[] = [],
): Picture {
  const sorted = records.map((r, i) => ({ r: { ...r }, i })).sort((a, b) =>
    a.r.t1 - b.r.t1 || a.i - b.i
  ).map(
    ({ r }) => r,
  );

  // Objects: one per id, merged over aliases; the most telling kind and label.
  const ids = new Ids();
  for (const r of sorted) if (r.object && r.alias) ids.union(r.object.id, r.alias);
  // A stdin/stdout/stderr object is drawn only when the run shows it elsewhere
  // too (the pipe a parent made for its child's fd 1); else it is the user's
  // terminal, or the tour's pipes standing in for it: no lifeline.
  const named = new Set<string>();
  for (const r of sorted) {
    if (r.object && !r.object.std) named.add(ids.find(r.object.id));
    for (const i of r.inherits ?? []) named.add(ids.find(i.object.id));
  }
  for (const r of sorted) {
    if (r.object?.std && !named.has(ids.find(r.object.id))) delete r.object;
  }
  const objects = new Map<string, { kind: LifelineKind; label: string }>();
  const see = (object: TracedObject) => {
    const root = ids.find(object.id);
    const seen = objects.get(root);
    const kind = object.kind as LifelineKind;
    if (!seen) objects.set(root, { kind, label: object.label });
    else {
      if ((KIND_RANK[kind] ?? 0) > (KIND_RANK[seen.kind] ?? 0)) seen.kind = kind;
      if (GENERIC.has(seen.label) && !GENERIC.has(object.label)) seen.label = object.label;
    }
  };
  for (const r of sorted) {
    if (r.object) see(r.object);
    for (const i of r.inherits ?? []) see(i.object);
  }

  // Processes: a role each; a role two processes share is numbered.
  const roleOf = new Map<number, string>();
  for (const r of sorted) if (!roleOf.has(r.pid)) roleOf.set(r.pid, r.role);
  for (const e of ends) if (!roleOf.has(e.pid) && e.role) roleOf.set(e.pid, e.role);
  for (const r of sorted) {
    if (r.spawned !== undefined && !roleOf.has(r.spawned)) {
      const program = r.text.match(/^posix_spawnp\("([^"]*)"/)?.[1] ?? "child";
      roleOf.set(r.spawned, program.split("/").pop()!);
    }
  }
  const names = new Map<number, string>();
  const byRole = new Map<string, number[]>();
  for (const [pid, role] of roleOf) byRole.set(role, [...(byRole.get(role) ?? []), pid]);
  for (const [role, pids] of byRole) {
    pids.forEach((pid, k) => names.set(pid, pids.length > 1 ? `${role} ${k + 1}` : role));
  }

  // Lifelines in order of first appearance.
  const lifelines: Lifeline[] = [];
  const lifelineOf = new Map<string, string>();
  const used = new Set<string>();
  const add = (key: string, label: string, kind: LifelineKind): string => {
    const known = lifelineOf.get(key);
    if (known) return known;
    const base = (kind === "process" ? "p_" : "o_") +
      (label.replace(/[^A-Za-z0-9]+/g, "_").replace(/^_|_$/g, "") || "x");
    let id = base;
    for (let k = 2; used.has(id); k++) id = `${base}_${k}`;
    used.add(id);
    lifelineOf.set(key, id);
    lifelines.push({ id, label, kind });
    return id;
  };
  const processLine = (pid: number) => add(`pid:${pid}`, names.get(pid) ?? `pid ${pid}`, "process");
  const objectLine = (id: string) => {
    const root = ids.find(id);
    const o = objects.get(root)!;
    return add(`obj:${root}`, o.label, o.kind);
  };

  // Steps, with the start of each call that waited for another process.
  type Entry = { t: number; order: number; step: Step };
  const entries: Entry[] = [];
  let waitIds = 0;
  const exited = new Set<number>();
  sorted.forEach((r, order) => {
    const me = processLine(r.pid);
    if (r.call === "exit") {
      exited.add(r.pid);
      entries.push({
        t: r.t1,
        order,
        step: { type: "exit", who: me, label: `exit ${r.result}`, error: r.result !== "0" },
      });
      return;
    }
    if (r.spawned !== undefined) {
      const child = processLine(r.spawned);
      entries.push({
        t: r.t1,
        order,
        step: { type: "spawn", from: me, to: child, label: callLabel(r, names) },
      });
      for (const i of r.inherits ?? []) {
        const object = objectLine(i.object.id);
        entries.push({
          t: r.t1,
          order,
          step: {
            type: "call",
            from: child,
            to: object,
            label: `fd ${i.fd} is the ${objects.get(ids.find(i.object.id))!.label} (file action)`,
          },
        });
      }
      return;
    }
    const other = r.object
      ? objectLine(r.object.id)
      : r.target !== undefined && names.has(r.target)
      ? processLine(r.target)
      : me;
    const incoming = INCOMING.has(r.call) && other !== me && r.object !== undefined;
    const step: Step = {
      type: "call",
      from: incoming ? other : me,
      to: incoming ? me : other,
      label: callLabel(r, names),
    };
    if (r.bytes !== undefined && r.bytes > 0) step.bytes = r.bytes;
    if (r.error) step.error = true;
    // It waited for the other side if it spent over a millisecond in the
    // kernel and, meanwhile, another process made a whole call on the same
    // object (the write a read waited for, the semop a semtimedop waited
    // for). A call the other side was already in when this one began is not
    // one this call waited for: more likely this call woke it.
    const waited = r.object !== undefined && r.t1 - r.t0 > 1_000_000 &&
      sorted.some((o) =>
        o.pid !== r.pid && o.t0 > r.t0 && o.t1 < r.t1 && o.object !== undefined &&
        ids.find(o.object.id) === ids.find(r.object!.id)
      );
    if (waited) {
      const id = ++waitIds;
      step.waitId = id;
      entries.push({
        t: r.t0,
        order,
        step: { type: "wait", id, who: me, label: `${r.call} blocks` },
      });
    }
    entries.push({ t: r.t1, order, step });
  });
  for (const e of ends) {
    if (exited.has(e.pid) || !roleOf.has(e.pid)) continue;
    const last = Math.max(0, ...sorted.map((r) => r.t1)) + 1;
    entries.push({
      t: last,
      order: sorted.length,
      step: {
        type: "exit",
        who: processLine(e.pid),
        label: e.signal ? `killed by ${e.signal}` : `exit ${e.code}`,
        error: e.signal !== null || e.code !== 0,
      },
    });
  }
  entries.sort((a, b) => a.t - b.t || a.order - b.order);
  return { title, lifelines, steps: foldLoops(entries.map((e) => e.step)) };
}

/**
 * What a picture shows, as compared between runs: every lifeline's label,
 * and for each process the calls it made, each named once, in the order of
 * first use. Repetition counts and the interleaving of processes depend on
 * timing (how many requests one read got, which process the scheduler ran
 * first); which calls each process makes, and in what order it first makes
 * them, do not.
 */
export interface PictureCalls {
  lifelines: string[];
  calls: Record<string, string[]>;
}

function callName(label: string): string {
  return label.replace(/^✘ /, "").match(/^[A-Za-z_0-9]+/)?.[0] ?? label;
}

/**
 * Calls left out of the comparison: how a port waits, whose count depends on
 * timing (`poll` in slices, `kill(peer, 0)` asking whether the peer lives).
 */
function timingDependent(label: string): boolean {
  const l = label.replace(/^✘ /, "");
  return l.startsWith("poll(") || /^kill\([^,]*, 0\)/.test(l);
}

/**
 * An object's label without what changes from run to run: SysV keys
 * (`0x…`), random name tags (`-d16073b3`), pids in names (`seqnum_cl.N`).
 */
function runFree(label: string): string {
  // (and the same written as scripts/trace/pages.ts's `portable` writes them)
  return label.replace(/0x[0-9a-f]+|\bKEY\b/g, "0x…").replace(/-[0-9a-f]{8}\b|-TAG\b/g, "-…")
    .replace(/PID\d*|\d+/g, "N");
}

/** {@link PictureCalls} of a picture. */
export function pictureCalls(picture: Picture): PictureCalls {
  const lifeline = new Map(picture.lifelines.map((l) => [l.id, l]));
  const calls: Record<string, string[]> = {};
  const visit = (steps: Step[]) => {
    for (const s of steps) {
      if (s.type === "loop") visit(s.steps);
      else if ((s.type === "call" || s.type === "spawn") && !timingDependent(s.label)) {
        const caller = lifeline.get(s.from)?.kind === "process" ? s.from : s.to;
        (calls[lifeline.get(caller)?.label ?? caller] ??= []).push(callName(s.label));
      }
    }
  };
  visit(picture.steps);
  for (const k of Object.keys(calls)) calls[k] = [...new Set(calls[k])];
  return {
    lifelines: picture.lifelines.map((l) => l.kind === "process" ? l.label : runFree(l.label))
      .sort(),
    calls,
  };
}

/**
 * {@link PictureCalls} of a Mermaid diagram as scripts/trace/mermaid.ts
 * writes it (processes are the participants whose id starts with `p_`).
 */
export function mermaidCalls(text: string): PictureCalls {
  const labels = new Map<string, string>();
  for (const m of text.matchAll(/^\s*participant (\S+) as (.+)$/gm)) labels.set(m[1], m[2].trim());
  const calls: Record<string, string[]> = {};
  for (const m of text.matchAll(/^\s*([A-Za-z0-9_]+?)-{1,2}>>([A-Za-z0-9_]+?): (.+)$/gm)) {
    const [from, to, label] = [m[1], m[2], m[3]];
    if (timingDependent(label)) continue;
    const caller = from.startsWith("p_") ? from : to;
    (calls[labels.get(caller) ?? caller] ??= []).push(callName(label));
  }
  for (const k of Object.keys(calls)) calls[k] = [...new Set(calls[k])];
  const lifelines = [...labels].map(([id, label]) => id.startsWith("p_") ? label : runFree(label));
  return { lifelines: lifelines.sort(), calls };
}

/**
 * How `part` (a page's diagram) disagrees with `run`: nothing when it has the
 * same lifelines and the same calls in the same order of first use, or, as
 * an `excerpt`, only lifelines and calls that are in the run, in its order.
 */
export function callsDisagree(part: PictureCalls, run: PictureCalls, excerpt = false): string[] {
  const problems: string[] = [];
  const inOrder = (a: string[], b: string[]) => {
    let j = 0;
    for (const x of b) if (j < a.length && a[j] === x) j++;
    return j === a.length;
  };
  if (excerpt) {
    const missing = part.lifelines.filter((l) => !run.lifelines.includes(l));
    if (missing.length) problems.push(`lifelines not in the run: ${missing.join(", ")}`);
  } else if (part.lifelines.join("|") !== run.lifelines.join("|")) {
    problems.push(
      `lifelines ${part.lifelines.join(", ")}; the run has ${run.lifelines.join(", ")}`,
    );
  }
  for (const who of new Set([...Object.keys(part.calls), ...Object.keys(run.calls)])) {
    const [a, b] = [part.calls[who] ?? [], run.calls[who] ?? []];
    if (excerpt ? inOrder(a, b) : a.join(" ") === b.join(" ")) continue;
    problems.push(`${who}: ${a.join(" ") || "(nothing)"}; the run: ${b.join(" ") || "(nothing)"}`);
  }
  return problems;
}
