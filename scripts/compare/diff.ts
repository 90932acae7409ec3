/**
 * The pure part of `deno task compare`: read IPC_TRACE lines (the ports'
 * own, and the C originals' through scripts/compare/ipc_trace_preload.c),
 * reduce them to tokens, align the C's calls with the port's per process,
 * read the departures a port's header lists, and print the two columns.
 *
 * A token is the function's name, plus the command for `shmctl`
 * (`shmctl(IPC_RMID)`). Consecutive calls with the same token in one
 * process are one entry (`write ×10`), and polls that fall between two
 * such calls are counted before them ({@link foldWaits}), so a loop that
 * waits in slices does not make the output depend on timing. Calls on fds
 * 0, 1 and 2 (the terminal) are left out: the C does that I/O through
 * stdio, which calls libc inside glibc, where the interposer does not see
 * it.
 *
 * Departures, in a port's header JSDoc, after the line
 * {@link DEPARTURES_HEADING}: one bullet per reason, opening with one or
 * more codes in backticks, then `:` and the why:
 *
 *     * Calls that differ from the C (checked by `deno task compare`):
 *     * - `-fork` `+posix_spawnp`: a JS runtime cannot fork (see above).
 *     * - `~shmctl(IPC_RMID)`: before shmdt, not after (see above).
 *     * - `child: -close`: the child's descriptors close at its exit.
 *
 * `+T` is a call only the port makes, `-T` one only the C makes, `~T` one
 * both make, in another place. A code may open with a process (`child: `,
 * the name a section of the output has); without one it holds in every
 * process of the program. A port that makes just the C's calls says
 * `none` after the heading, on its line.
 *
 * @module
 */

/** The line, in a port's header, that opens its list of departures. */
export const DEPARTURES_HEADING = "Calls that differ from the C (checked by `deno task compare`):";

/** One IPC_TRACE line: `[role pid] call(args) = result`. */
export interface TraceLine {
  /** The process's role (`parent`, `shmproc1`, `cpipe:child`). */
  role: string;
  pid: number;
  /** The function called (`shmctl`). */
  name: string;
  /** The text between the parentheses. */
  args: string;
  /** The text after ` = `. */
  result: string;
}

const LINE = /^\[(\S+) (\d+)\] ([A-Za-z_]\w*)\((.*)\) = (.*)$/;

/**
 * The trace lines in `text` (a process's stderr), in order; other lines
 * (messages, prompts) are skipped.
 *
 * @example
 * ```ts
 * import { parseTrace } from "./diff.ts";
 * parseTrace("[shmproc1 5029] shmctl(52, IPC_STAT, ...) = 0\nhello\n")[0].name; // "shmctl"
 * ```
 */
export function parseTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const raw of text.split("\n")) {
    // A trace line may follow a prompt that has no newline ("text:[writefifo 12] ...").
    const at = raw.search(/\[\S+ \d+\] [A-Za-z_]\w*\(/);
    if (at < 0) continue;
    const m = LINE.exec(raw.slice(at));
    if (m) {
      out.push({ role: m[1], pid: Number(m[2]), name: m[3], args: m[4], result: m[5] });
    }
  }
  return out;
}

/**
 * The token a call is aligned by: its name, and for `shmctl` its command.
 *
 * @example
 * ```ts
 * import { parseTrace, tokenOf } from "./diff.ts";
 * tokenOf(parseTrace("[a 1] shmctl(5, IPC_RMID, NULL) = 0")[0]); // "shmctl(IPC_RMID)"
 * ```
 */
export function tokenOf(line: TraceLine): string {
  if (line.name === "shmctl") {
    const cmd = line.args.split(",")[1]?.trim();
    if (cmd) return `shmctl(${cmd})`;
  }
  return line.name;
}

/** Calls whose first argument is the descriptor they work on. */
const FD_FIRST = new Set(["read", "write", "close", "fstat", "fsync", "fcntl", "isatty"]);

/**
 * Whether a call only does terminal I/O: a read, write, close... of fd 0,
 * 1 or 2, or a poll of those fds only. (`dup2(fd, 1)` is not: it is how
 * cpipe plumbs its children.)
 *
 * @example
 * ```ts
 * import { isTerminalIo, parseTrace } from "./diff.ts";
 * isTerminalIo(parseTrace("[a 1] read(0, <4096 bytes>) = 1")[0]); // true
 * ```
 */
export function isTerminalIo(line: TraceLine): boolean {
  if (FD_FIRST.has(line.name)) {
    const fd = Number(line.args.split(",")[0]);
    return fd >= 0 && fd <= 2;
  }
  if (line.name === "poll") {
    const fds = [...line.args.matchAll(/fd=(-?\d+)/g)].map((m) => Number(m[1]));
    return fds.length > 0 && fds.every((fd) => fd >= 0 && fd <= 2);
  }
  return false;
}

/** Consecutive calls of one process with the same token. */
export interface Entry {
  token: string;
  /** The first of the calls. */
  first: TraceLine;
  /** How many calls in a row. */
  count: number;
}

/** One process of one side: its role, pid and (collapsed) calls. */
export interface Process {
  role: string;
  pid: number;
  entries: Entry[];
}

/**
 * Group `lines` by process, in the order each pid first appears (a child
 * where it was started); leave out
 * terminal I/O and processes whose role is in `ignoreRoles`; collapse
 * repeats. `roleOf` may rename roles (the C's carry the build's hash).
 *
 * @example
 * ```ts
 * import { parseTrace, processesOf } from "./diff.ts";
 * const lines = parseTrace("[p 1] write(4, <4 bytes>) = 4\n[p 1] write(4, <4 bytes>) = 4\n");
 * processesOf(lines)[0].entries[0].count; // 2
 * ```
 */
export function processesOf(
  lines: TraceLine[],
  options: { ignoreRoles?: string[]; roleOf?: (role: string) => string } = {},
): Process[] {
  const byPid = new Map<number, Process>();
  for (const line of lines) {
    const role = options.roleOf ? options.roleOf(line.role) : line.role;
    if (options.ignoreRoles?.includes(role)) continue;
    let p = byPid.get(line.pid);
    if (!p) {
      p = { role, pid: line.pid, entries: [] };
      byPid.set(line.pid, p);
    }
    if (isTerminalIo(line)) continue;
    const token = tokenOf(line);
    const last = p.entries.at(-1);
    if (last && last.token === token) last.count++;
    else p.entries.push({ token, first: line, count: 1 });
  }
  // A child is placed where its parent started it (fork's or
  // posix_spawnp's result), not where it first printed: children that run
  // at the same time print in any order.
  const born = new Map<number, number>();
  lines.forEach((line, k) => {
    if (!born.has(line.pid)) born.set(line.pid, k);
    const child = /^(\d+)$|\(pid (\d+)\)/.exec(line.result);
    const pid = Number(child?.[1] ?? child?.[2]);
    if ((line.name === "fork" || line.name === "posix_spawnp") && pid > 0 && !born.has(pid)) {
      born.set(pid, k);
    }
  });
  const out = [...byPid.values()].filter((p) => p.entries.length > 0);
  out.sort((a, b) => born.get(a.pid)! - born.get(b.pid)!);
  for (const p of out) p.entries = foldWaits(p.entries);
  return out;
}

/**
 * A program that waits in slices (`poll` with a short timeout, then the
 * call it waited for) makes the polls fall between repeats of a call at
 * random: `waitpid, poll, waitpid` one run, `waitpid ×2` the next. So polls
 * between two entries of one token are moved before them, and the two
 * become one: `poll, waitpid ×2`.
 *
 * @example
 * ```ts
 * import { foldWaits, parseTrace, processesOf } from "./diff.ts";
 * const [p] = processesOf(parseTrace(
 *   "[a 1] read(3, <4 bytes>) = 4\n[a 1] poll([{fd=3, events=0x1}], 1, 50) = 1\n" +
 *     "[a 1] read(3, <4 bytes>) = 4\n",
 * ));
 * foldWaits(p.entries).map((e) => `${e.token} ×${e.count}`); // ["poll ×1", "read ×2"]
 * ```
 */
export function foldWaits(entries: Entry[]): Entry[] {
  const out: Entry[] = [];
  for (const entry of entries) {
    const [before, last] = [out.at(-2), out.at(-1)];
    if (
      last?.token === "poll" && before && before.token === entry.token && entry.token !== "poll"
    ) {
      // before, poll, entry  ->  poll, before+entry (merging with an earlier poll)
      out.splice(-2, 2);
      const earlier = out.at(-1);
      if (earlier?.token === "poll") earlier.count += last.count;
      else out.push(last);
      out.push({ ...before, count: before.count + entry.count });
    } else if (last && last.token === entry.token) {
      last.count += entry.count;
    } else {
      out.push({ ...entry });
    }
  }
  return out;
}

/** One step of an alignment: a call both make, or one only one side makes. */
export interface Step {
  kind: "both" | "c" | "port";
  c?: Entry;
  port?: Entry;
}

/**
 * Align two processes' entries: a longest common subsequence of tokens.
 * Among the longest, it prefers those that leave the tokens in `moved`
 * unmatched (a departure `~T` says T is made in another place), and, at a
 * tie, puts the C's extra calls before the port's.
 *
 * @example
 * ```ts
 * import { align, parseTrace, processesOf } from "./diff.ts";
 * const [c] = processesOf(parseTrace("[a 1] pipe([3, 4]) = 0\n[a 1] close(3) = 0"));
 * const [port] = processesOf(parseTrace("[b 2] pipe2([21, 22], O_CLOEXEC) = 0\n[b 2] close(21) = 0"));
 * align(c.entries, port.entries).map((s) => s.kind); // ["c", "port", "both"]
 * ```
 */
export function align(c: Entry[], port: Entry[], moved: Set<string> = new Set()): Step[] {
  const n = c.length, m = port.length;
  // best[i][j]: the best score aligning c[i..] with port[j..]. A match
  // scores 2, a match of a moved token 1 less than that, by a margin that
  // never outweighs one more match.
  const big = 2 * (n + m + 1);
  const best: number[][] = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  const score = (i: number, j: number) =>
    c[i].token !== port[j].token ? -Infinity : moved.has(c[i].token) ? big - 1 : big;
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      best[i][j] = Math.max(best[i + 1][j], best[i][j + 1], score(i, j) + best[i + 1][j + 1]);
    }
  }
  const steps: Step[] = [];
  let i = 0, j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && score(i, j) + best[i + 1][j + 1] === best[i][j]) {
      steps.push({ kind: "both", c: c[i++], port: port[j++] });
    } else if (i < n && (j === m || best[i + 1][j] === best[i][j])) {
      steps.push({ kind: "c", c: c[i++] });
    } else {
      steps.push({ kind: "port", port: port[j++] });
    }
  }
  return steps;
}

/** One departure a port's header lists. */
export interface Departure {
  /** `+` only the port makes it, `-` only the C, `~` both, in another place. */
  sign: "+" | "-" | "~";
  token: string;
  /** The process it holds in (a section's name), or undefined: all of them. */
  process?: string;
  /** The code as written (`child: -close`). */
  code: string;
  /** The reason given. */
  why: string;
}

const CODE = /^(?:([A-Za-z][\w.-]*): )?([-+~])([A-Za-z_]\w*(?:\([A-Z_]+\))?)$/;

/**
 * The departures listed in `source` (a port's text): the bullets after
 * {@link DEPARTURES_HEADING} in its first JSDoc comment. Throws on a
 * bullet that does not open with codes, or a malformed code; returns
 * `undefined` when the header has no such list.
 *
 * @example
 * ```ts
 * import { parseDepartures } from "./diff.ts";
 * const text = "/**\n * Calls that differ from the C (checked by `deno task compare`):\n" +
 *   " * - `-fork` `+posix_spawnp`: no fork in a JS runtime.\n *\n * @module\n *" + "/\n";
 * parseDepartures(text)?.map((d) => d.code); // ["-fork", "+posix_spawnp"]
 * ```
 */
export function parseDepartures(source: string): Departure[] | undefined {
  const end = source.indexOf("*/");
  if (!source.startsWith("/**") || end < 0) return undefined;
  const lines = source.slice(3, end).split("\n").map((l) => l.replace(/^\s*\* ?/, ""));
  const at = lines.findIndex((l) => l.startsWith(DEPARTURES_HEADING));
  if (at < 0) return undefined;
  const after = lines[at].slice(DEPARTURES_HEADING.length).trim();
  if (/^none\b/.test(after)) return [];
  if (after !== "") throw new Error(`after "${DEPARTURES_HEADING}" only "none" may follow`);
  // Bullets: "- " at the start, continued by indented lines.
  const bullets: string[] = [];
  for (const line of lines.slice(at + 1)) {
    if (line.startsWith("- ")) bullets.push(line.slice(2));
    else if (/^\s+\S/.test(line) && bullets.length > 0) {
      bullets[bullets.length - 1] += ` ${line.trim()}`;
    } else break;
  }
  const out: Departure[] = [];
  for (const bullet of bullets) {
    const m = /^((?:`[^`]+`[ ,]*)+):\s*(.*)$/.exec(bullet);
    if (!m) {
      throw new Error(`a departure must open with \`codes\` and a colon: "- ${bullet}"`);
    }
    for (const [, code] of m[1].matchAll(/`([^`]+)`/g)) {
      const c = CODE.exec(code);
      if (!c) {
        throw new Error(
          `bad departure code \`${code}\`: want \`+call\`, \`-call\` or \`~call\`, ` +
            `optionally after a process (\`child: -close\`)`,
        );
      }
      out.push({
        sign: c[2] as Departure["sign"],
        token: c[3],
        process: c[1],
        code,
        why: m[2].trim(),
      });
    }
  }
  return out;
}

/** A process of the C paired with one of the port (either may be missing). */
export interface Pair {
  /** Its name in the output and in departures (`parent`, `child`, `shmproc1`). */
  name: string;
  c?: Process;
  port?: Process;
  steps: Step[];
}

/**
 * Pair the C's processes with the port's: by order of first appearance
 * (the first is the main program, later ones its children). A pair is
 * named after the port's role, or, for a process only the C has, after
 * the C's role without the program name (`cpipe:child` is `child`).
 *
 * @example
 * ```ts
 * import { pairProcesses, parseTrace, processesOf } from "./diff.ts";
 * const c = processesOf(parseTrace("[p 1] fork() = 2\n[p:child 2] close(4) = 0"));
 * const port = processesOf(parseTrace("[parent 7] close(21) = 0"));
 * pairProcesses(c, port).map((p) => p.name); // ["parent", "child"]
 * ```
 */
export function pairProcesses(
  c: Process[],
  port: Process[],
  departures: Departure[] = [],
): Pair[] {
  const pairs: Pair[] = [];
  for (let k = 0; k < Math.max(c.length, port.length); k++) {
    const name = port[k]?.role ?? c[k].role.replace(/^.*:/, "");
    const moved = new Set(
      departures.filter((d) => d.sign === "~" && (d.process ?? name) === name).map((d) => d.token),
    );
    pairs.push({
      name,
      c: c[k],
      port: port[k],
      steps: align(c[k]?.entries ?? [], port[k]?.entries ?? [], moved),
    });
  }
  return pairs;
}

/** One call only one side makes, and the departure that lists it, if any. */
export interface Difference {
  process: string;
  /** `-` only the C makes it, `+` only the port. */
  sign: "+" | "-";
  token: string;
  entry: Entry;
  listed?: Departure;
}

/**
 * Every call only one side makes, each with the departure that lists it:
 * `+T`/`-T` for T on that side, or `~T` when T is also on the other side
 * of the same process (made there in another place).
 *
 * @example
 * ```ts
 * import { differences, pairProcesses, parseDepartures, parseTrace, processesOf } from "./diff.ts";
 * const pairs = pairProcesses(
 *   processesOf(parseTrace("[p 1] pipe([3, 4]) = 0")),
 *   processesOf(parseTrace("[parent 7] pipe2([21, 22], O_CLOEXEC) = 0")),
 * );
 * differences(pairs, []).map((d) => `${d.sign}${d.token}`); // ["-pipe", "+pipe2"]
 * ```
 */
export function differences(pairs: Pair[], departures: Departure[]): Difference[] {
  const out: Difference[] = [];
  for (const pair of pairs) {
    const here = departures.filter((d) => (d.process ?? pair.name) === pair.name);
    const only = (kind: "c" | "port") =>
      new Set(pair.steps.filter((s) => s.kind === kind).map((s) => (s.c ?? s.port)!.token));
    const onlyC = only("c"), onlyPort = only("port");
    for (const step of pair.steps) {
      if (step.kind === "both") continue;
      const sign = step.kind === "c" ? "-" : "+";
      const entry = (step.c ?? step.port)!;
      const other = sign === "-" ? onlyPort : onlyC;
      const listed = here.find((d) => d.token === entry.token && d.sign === sign) ??
        here.find((d) => d.token === entry.token && d.sign === "~" && other.has(d.token));
      out.push({ process: pair.name, sign, token: entry.token, entry, listed });
    }
  }
  return out;
}

/**
 * The departures that no difference used: listed, but not seen in this run.
 *
 * @example
 * ```ts
 * import { type Departure, unused } from "./diff.ts";
 * const d: Departure = { sign: "+", token: "poll", code: "+poll", why: "" };
 * unused([d], []).length; // 1
 * ```
 */
export function unused(departures: Departure[], found: Difference[]): Departure[] {
  return departures.filter((d) => !found.some((f) => f.listed === d));
}

/** Width of the output, in columns. */
export const WIDTH = 100;
const CELL = 45; // each side: 2 marks, a space, 45 characters; " | " between

function cellText(entry: Entry | undefined): string {
  if (!entry) return "";
  const { name, args, result } = entry.first;
  const count = entry.count > 1 ? ` ×${entry.count}` : "";
  const shown = result.length > 16 ? `${result.slice(0, 15)}…` : result;
  const tail = `) = ${shown}${count}`;
  const room = CELL - name.length - 1 - tail.length;
  if (room < 2) return `${name}(…${tail}`.slice(0, CELL);
  return `${name}(${args.length > room ? `${args.slice(0, room - 1)}…` : args}${tail}`;
}

function mark(sign: string, difference: Difference | undefined): string {
  if (!difference) return "  ";
  const listed = difference.listed;
  return `${listed?.sign === "~" ? "~" : sign}${listed ? "*" : "!"}`;
}

/**
 * The two columns of one program's comparison, C left and port right, one
 * section per process pair, marks before each cell: `-` only the C, `+`
 * only the port, `~` moved; then `*` listed in the port's header, `!` not
 * listed. Fits in {@link WIDTH} columns.
 *
 * @example
 * ```ts
 * import { differences, pairProcesses, parseTrace, processesOf, render } from "./diff.ts";
 * const pairs = pairProcesses(
 *   processesOf(parseTrace("[p 1] close(3) = 0")),
 *   processesOf(parseTrace("[main 7] close(21) = 0")),
 * );
 * console.log(render(pairs, differences(pairs, [])).join("\n"));
 * ```
 */
export function render(pairs: Pair[], found: Difference[]): string[] {
  const out: string[] = [];
  const byEntry = new Map(found.map((d) => [d.entry, d]));
  const row = (left: string, right: string) => `${left.padEnd(CELL + 3)} | ${right}`.trimEnd();
  for (const pair of pairs) {
    const who = (p: Process | undefined, side: string) =>
      p ? `${side} ${p.role} pid ${p.pid}` : `${side}: no such process`;
    out.push(`-- ${pair.name} ${"-".repeat(Math.max(0, WIDTH - 4 - pair.name.length))}`);
    out.push(row(`   ${who(pair.c, "C")}`, `   ${who(pair.port, "port")}`));
    // Runs of one-sided calls between two common ones share rows.
    let left: Entry[] = [], right: Entry[] = [];
    const flush = () => {
      for (let k = 0; k < Math.max(left.length, right.length); k++) {
        const l = left[k], r = right[k];
        out.push(row(
          `${mark("-", l && byEntry.get(l))} ${cellText(l)}`,
          `${mark("+", r && byEntry.get(r))} ${cellText(r)}`,
        ));
      }
      left = [];
      right = [];
    };
    for (const step of pair.steps) {
      if (step.kind === "c") left.push(step.c!);
      else if (step.kind === "port") right.push(step.port!);
      else {
        flush();
        out.push(row(`   ${cellText(step.c)}`, `   ${cellText(step.port)}`));
      }
    }
    flush();
  }
  return out;
}
