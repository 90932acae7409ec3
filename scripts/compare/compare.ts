/**
 * `deno task compare <program>`: run a C original and its port on the same
 * input and show the libc calls each makes, side by side, aligned per
 * process, every documented departure marked.
 *
 * The C side is the real C process, traced by an LD_PRELOAD interposer
 * (scripts/compare/ipc_trace_preload.c, built here with `cc`) in the
 * ports' IPC_TRACE format; the port side is the port's own IPC_TRACE. The
 * scenarios (input, peer) are in scripts/compare/scenarios.ts, the
 * alignment and the departures' syntax in scripts/compare/diff.ts.
 *
 * Exit status: 0 when every difference is listed in the port's header, 1
 * when one is not or when a program did not end as its scenario expects,
 * 2 on bad arguments.
 *
 * @module
 */
import { runMain, takeFlag, UsageError } from "../../lib/args.ts";
import { formatKey } from "../../lib/keys.ts";
import { buildC, type Original, original, ORIGINALS, requireTool } from "../c_originals.ts";
import type { Finished } from "../task_process.ts";
import {
  type Departure,
  DEPARTURES_HEADING,
  type Difference,
  differences,
  type Pair,
  pairProcesses,
  parseDepartures,
  parseTrace,
  processesOf,
  render,
  unused,
  WIDTH,
} from "./diff.ts";
import { endingProblem, portSource, readPortSource, runSide, SCENARIOS } from "./scenarios.ts";

/** The interposer's source, relative to the project root. */
export const PRELOAD_SOURCE = "scripts/compare/ipc_trace_preload.c";

/** Build the LD_PRELOAD interposer (cached like the originals); returns its path. */
export function buildPreload(): Promise<string> {
  return buildC(PRELOAD_SOURCE, {}, ["-shared", "-fPIC", "-ldl"]);
}

/** One program compared: the runs, the alignment, what is listed and what is not. */
export interface Comparison {
  original: Original;
  /** The port's source, relative to the root. */
  portFile: string;
  key: number;
  /** How each side's traced program ended. */
  ended: { c: Finished; port: Finished };
  /** The departures the port's header lists (`undefined`: it has no list). */
  departures?: Departure[];
  pairs: Pair[];
  found: Difference[];
  /** Differences no departure lists. */
  unlisted: Difference[];
  /** Departures listed but not seen in this run. */
  unused: Departure[];
  /** What went wrong besides differences (a side ended badly, a bad list). */
  problems: string[];
}

/** A random SysV key, not 0 (IPC_PRIVATE) and not the seeds' 0x12345678. */
function randomKey(): number {
  const v = new Uint32Array(1);
  for (;;) {
    crypto.getRandomValues(v);
    const key = v[0] & 0x7fffffff;
    if (key !== 0 && key !== 0x12345678) return key;
  }
}

/** The C's roles carry the build's hash (`shmproc1-0123456789abcdef`): drop it. */
function cRole(role: string): string {
  return role.replace(/-[0-9a-f]{16}(?=$|:)/, "");
}

/**
 * Run `name`'s scenario with the C original (traced through `preload`)
 * and then with its port, and compare their calls.
 *
 * @example
 * ```ts ignore
 * import { buildPreload, compareProgram } from "./compare.ts";
 * const result = await compareProgram("shmproc1", await buildPreload());
 * console.log(result.unlisted.length === 0 ? "all listed" : "unlisted differences");
 * ```
 */
export async function compareProgram(name: string, preload: string): Promise<Comparison> {
  const o = original(name);
  const key = randomKey();
  const problems: string[] = [];
  // A side that could not run its scenario to the end (a wait that timed
  // out, a peer that failed) is a problem of this program, not of the run.
  const side = async (which: "c" | "port"): Promise<Finished> => {
    try {
      return await runSide(which, o, key, preload);
    } catch (e) {
      problems.push(`the ${which === "c" ? "C original" : "port"}'s run failed: ${e}`);
      return { code: -1, signal: null, stdout: "", stderr: "" };
    }
  };
  const c = await side("c");
  const port = await side("port");
  const scenario = SCENARIOS[o.name];
  const cProblem = c.code !== -1 && endingProblem(scenario.ending.c, c);
  if (cProblem) problems.push(`the C original ${cProblem}:\n${c.stdout}${c.stderr}`);
  const portProblem = port.code !== -1 && endingProblem(scenario.ending.port, port);
  if (portProblem) problems.push(`the port ${portProblem}:\n${port.stdout}${port.stderr}`);

  let departures: Departure[] | undefined;
  try {
    departures = parseDepartures(await readPortSource(o));
    if (departures === undefined) {
      problems.push(`${portSource(o)}: its header has no "${DEPARTURES_HEADING}" list`);
    }
  } catch (e) {
    problems.push(`${portSource(o)}: ${(e as Error).message}`);
  }
  const cProcesses = processesOf(parseTrace(c.stderr), { ignoreRoles: ["stdbuf"], roleOf: cRole });
  const portProcesses = processesOf(parseTrace(port.stderr));
  const pairs = pairProcesses(cProcesses, portProcesses, departures ?? []);
  const found = differences(pairs, departures ?? []);
  return {
    original: o,
    portFile: portSource(o),
    key,
    ended: { c, port },
    departures,
    pairs,
    found,
    unlisted: found.filter((d) => !d.listed),
    unused: unused(departures ?? [], found),
    problems,
  };
}

/**
 * Whether a comparison passed: no unlisted difference and no problem. (A
 * departure listed but not seen is only noted: a port that waits in
 * slices polls in one run and not in the next.)
 */
export function passed(c: Comparison): boolean {
  return c.unlisted.length === 0 && c.problems.length === 0;
}

function codeOf(d: Difference): string {
  return `${d.process}: ${d.sign}${d.token}`;
}

/** Wrap prose to the output's width, each line after the first indented by `indent`. */
function wrap(text: string, indent = "  "): string[] {
  const out: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/)) {
    if (line && line.length + 1 + word.length > WIDTH) {
      out.push(line);
      line = indent + word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) out.push(line);
  return out;
}

/** The text report of one comparison (no trailing newline on the lines). */
export function report(c: Comparison): string[] {
  const o = c.original;
  const keyed = ["shmproc1", "shmproc2", "write_shm", "read_shm"].includes(o.name);
  const keyText = formatKey(c.key);
  const out = [
    `== ${o.name} ${"=".repeat(Math.max(0, WIDTH - 4 - o.name.length))}`,
    `C:     ${o.source}${keyed ? ` (-DSHMKEY=${keyText})` : ""}`,
    `port:  ${c.portFile} (deno task ${o.port}${keyed ? ` --key ${keyText}` : ""})`,
    ...wrap(`input: ${SCENARIOS[o.name].input}`, "       "),
    "",
    ...render(c.pairs, c.found),
    "",
  ];
  for (const problem of c.problems) {
    // Its first line is prose; the rest, if any, is what the program printed.
    const [first, ...rest] = problem.trimEnd().split("\n");
    out.push(...wrap(`PROBLEM: ${first}`), ...rest.map((l) => `  | ${l}`.slice(0, WIDTH)));
  }
  const listed = c.found.length - c.unlisted.length;
  if (c.pairs.length === 0) out.push(`${o.name}: no calls were traced`);
  else if (c.found.length === 0) out.push(`${o.name}: the same calls on both sides`);
  else if (c.unlisted.length === 0) {
    const n = c.found.length === 1
      ? "1 difference, listed"
      : `${c.found.length} differences, all listed`;
    out.push(`${o.name}: ${n} in ${c.portFile}`);
  } else {
    out.push(
      `${o.name}: ${c.unlisted.length} of ${c.found.length} differences NOT LISTED in ` +
        `${c.portFile} (${listed} listed):`,
    );
    for (const d of c.unlisted) {
      const call = `${d.entry.first.name}(${d.entry.first.args})`;
      out.push(`  \`${codeOf(d)}\``.padEnd(32) + call.slice(0, WIDTH - 33));
    }
  }
  if (c.unused.length > 0) {
    out.push(
      `${o.name}: listed, not seen in this run: ${c.unused.map((d) => `\`${d.code}\``).join(" ")}`,
    );
  }
  return out;
}

/** The legend printed once under the reports. */
export const LEGEND: string[] = [
  ...wrap(
    "Marks: - only the C makes the call, + only the port, ~ both, in another place; " +
      '* the port\'s header lists it (its section "Calls that differ from the C"), ' +
      "! it does not. ×N: N calls in a row (polls between them, waits in slices, counted " +
      "before them).",
  ),
  ...wrap(
    "Left out on both sides: calls on fds 0, 1 and 2 (the terminal). The C does its terminal " +
      "I/O through stdio, whose calls the interposer does not see.",
  ),
];

/** A comparison as plain data, for `--json`. */
export function toJson(c: Comparison): unknown {
  const entry = (e: Pair["steps"][number]["c"]) =>
    e && { call: `${e.first.name}(${e.first.args}) = ${e.first.result}`, count: e.count };
  return {
    program: c.original.name,
    task: c.original.port,
    source: c.original.source,
    port: c.portFile,
    key: c.key,
    passed: passed(c),
    ended: {
      c: { code: c.ended.c.code, signal: c.ended.c.signal },
      port: { code: c.ended.port.code, signal: c.ended.port.signal },
    },
    processes: c.pairs.map((p) => ({
      name: p.name,
      c: p.c ? { role: p.c.role, pid: p.c.pid } : null,
      port: p.port ? { role: p.port.role, pid: p.port.pid } : null,
      steps: p.steps.map((s) => ({
        kind: s.kind,
        token: (s.c ?? s.port)!.token,
        c: entry(s.c) ?? null,
        port: entry(s.port) ?? null,
      })),
    })),
    differences: c.found.map((d) => ({
      process: d.process,
      code: `${d.sign}${d.token}`,
      listedAs: d.listed?.code ?? null,
      why: d.listed?.why ?? null,
    })),
    unlisted: c.unlisted.map(codeOf),
    unused: c.unused.map((d) => d.code),
    problems: c.problems,
  };
}

const USAGE = "usage: deno task compare [--json] <program>... | --all";

function help(): string {
  return [
    USAGE,
    "",
    ...wrap(
      "Runs each C original and its port on the same input and prints the libc calls of " +
        "each, side by side (C | port), aligned per process. The C is traced through an " +
        "LD_PRELOAD interposer built with cc; the port by IPC_TRACE. A difference the " +
        "port's header does not list makes the exit status 1.",
      "",
    ),
    "",
    "programs (the original's name or its port's task):",
    ...ORIGINALS.map((o) => `  ${o.name.padEnd(18)} deno task ${o.port}`),
    "",
    "  --all    all nine, run in parallel",
    "  --json   the comparisons as JSON on stdout",
    "  --help   this text",
  ].join("\n");
}

/** The command line: programs to compare, or a usage error. */
export function parseArgs(args: string[]): { names: string[]; json: boolean } | { help: true } {
  if (args.includes("--help") || args.includes("-h")) return { help: true };
  const rest = [...args];
  const json = takeFlag(rest, "json");
  if (takeFlag(rest, "all")) {
    if (rest.length !== 0) throw new Error("--all takes no program names");
    return { names: ORIGINALS.map((o) => o.name), json };
  }
  if (rest.length === 0) throw new Error("name a program, or --all");
  const names: string[] = [];
  for (const a of rest) {
    if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    names.push(original(a).name);
  }
  return { names: [...new Set(names)], json };
}

async function main(args: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs(args);
  } catch (e) {
    throw new UsageError(`compare: ${(e as Error).message}`, 2); // runMain adds the usage
  }
  if ("help" in parsed) {
    console.log(help());
    return 0;
  }
  requireTool("cc");
  requireTool("stdbuf");
  const preload = await buildPreload();
  const results = await Promise.all(parsed.names.map((n) => compareProgram(n, preload)));
  if (parsed.json) {
    console.log(JSON.stringify(results.map(toJson), null, 2));
  } else {
    for (const r of results) console.log(`${report(r).join("\n")}\n`);
    console.log(LEGEND.join("\n"));
    const failed = results.filter((r) => !passed(r)).map((r) => r.original.name);
    if (results.length > 1) {
      console.log(
        failed.length === 0
          ? `all ${results.length} programs: every difference listed`
          : wrap(`FAILED: ${failed.join(", ")}`).join("\n"),
      );
    }
  }
  return results.every(passed) ? 0 : 1;
}

if (import.meta.main) {
  await runMain("compare", () => main([...Deno.args]), { usage: USAGE, help: help() });
}
