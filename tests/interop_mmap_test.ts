/**
 * Interop of mmap_ex2: the C original (examples/mmap/mmap_ex2.c, built
 * with cc) and its port (`deno task mmap-ex2`) on one `shared_mmap` file in
 * one directory, in every mix (C + C, C + port, port + C, port + port, so
 * each start order of a mixed pair), for `s` (MAP_SHARED) and `p`
 * (MAP_PRIVATE), typed at a person's pace: each line only once its prompt
 * is there.
 *
 * What each side must print is computed from the C program's semantics (a
 * model of the file and of each process's mapping, below), not taken from
 * what the port prints; C + C is held to the same model, so every mix is
 * held to what two C programs print.
 *
 * Ending: a C side is ended with SIGINT like a person's Ctrl+C (at EOF the
 * original loops forever, so its stdin stays open until it is gone); a port
 * side with EOF (Ctrl+D: a newline, exit 0, the port's documented
 * departure) or with SIGINT (exit 130, nothing more printed).
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { start, startC, type Started, tempDir } from "./_helpers/run.ts";
import { LeakGuard } from "./_helpers/leaks.ts";
import { buildOriginal, cProgram } from "../scripts/c_originals.ts";
import { type Program, taskProgram } from "../scripts/task_process.ts";

const CONTENTS = `(*) What's difference between Shared mmap and Private mmap?${
  " ".repeat(6)
}- end - `;
const PROMPT = "'*' print Current mmap otherwise input text to mmap. >>";
const HEADER = "74 byte writing... to file -> shared_mmap\n";
const MMAP_SIZE = 64;
const encoder = new TextEncoder();
/** `char contents[]`: the 73 characters and the NUL, what each start writes at offset 0. */
const CONTENTS_BYTES = encoder.encode(`${CONTENTS}\0`);

/** `printf("%.*s", 64, p)`: at most 64 bytes, and only up to the first NUL. */
function percentDotStar(bytes: Uint8Array): Uint8Array {
  const shown = bytes.subarray(0, MMAP_SIZE);
  const nul = shown.indexOf(0);
  return nul === -1 ? shown : shown.subarray(0, nul);
}

function concat(...parts: Array<Uint8Array | string>): Uint8Array {
  const bytes = parts.map((p) => typeof p === "string" ? encoder.encode(p) : p);
  const out = new Uint8Array(bytes.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of bytes) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

type Mode = "s" | "p";

/**
 * What two mmap_ex2 processes print, and what the file holds, by the C
 * program's rules: each start writes the 74 bytes at offset 0 of the file;
 * a typed line is `memcpy`'d (strlen bytes) to the start of the mapping;
 * `*` prints the mapping with `%.*s`. With `s` the mapping *is* the file's
 * page; with `p` it reads the file's page until the process first writes,
 * and from then on its own copy (Linux's copy-on-write).
 */
class Model {
  file = new Uint8Array(0);
  readonly out = new Map<string, Uint8Array[]>();
  readonly #copies = new Map<string, Uint8Array>();

  constructor(readonly mode: Mode) {}

  start(name: string): void {
    const grown = new Uint8Array(Math.max(this.file.length, CONTENTS_BYTES.length));
    grown.set(this.file);
    grown.set(CONTENTS_BYTES, 0);
    this.file = grown;
    this.out.set(name, [encoder.encode(HEADER + PROMPT)]);
  }

  #mapping(name: string): Uint8Array {
    return this.#copies.get(name) ?? this.file.subarray(0, MMAP_SIZE);
  }

  type(name: string, line: string): void {
    const bytes = encoder.encode(line);
    const out = this.out.get(name)!;
    if (bytes[0] === 0x2a /* '*' */) {
      out.push(concat("Current mmap -> '", percentDotStar(this.#mapping(name)), "'\n"));
    } else {
      // Lines here are shorter than the mapping (the C copies up to 99 bytes).
      assert.ok(bytes.length < MMAP_SIZE && !bytes.includes(0), "a line the model covers");
      if (this.mode === "s") {
        this.file.set(bytes, 0);
      } else {
        const copy = this.#copies.get(name) ?? this.file.slice(0, MMAP_SIZE);
        copy.set(bytes, 0);
        this.#copies.set(name, copy);
      }
    }
    out.push(encoder.encode(PROMPT));
  }

  /** The side's transcript, decoded as the harness decodes what a process prints. */
  transcript(name: string): string {
    return new TextDecoder().decode(concat(...this.out.get(name)!));
  }
}

type Kind = "C" | "port";

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

/** One running mmap_ex2, C or port, and how many prompts it has printed. */
class Side implements AsyncDisposable {
  prompts = 0;
  readonly process: Started;

  constructor(readonly kind: Kind, readonly name: string, mode: Mode, exe: string, dir: string) {
    this.process = kind === "C"
      ? startC(`mmap_ex2 ${mode} (C, ${name})`, exe, [mode], { cwd: dir })
      : start("mmap-ex2", [mode], { cwd: dir });
  }

  /** Wait until it has printed its `n`th prompt. */
  async waitForPrompt(n: number): Promise<void> {
    await this.process.waitFor(new RegExp(`(?:${escapeRegExp(PROMPT)}[\\s\\S]*?){${n}}`));
    this.prompts = n;
  }

  /** Type `line` at the prompt, and wait for the next prompt (the line was handled). */
  async type(line: string): Promise<void> {
    await this.process.write(line);
    await this.waitForPrompt(this.prompts + 1);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.process[Symbol.asyncDispose]();
  }
}

/**
 * The session every mix plays: the first process starts and types a line
 * before the second one exists; the second starts (and rewrites the
 * file); then lines and `*` go both ways, each side also looking at its
 * own mapping. A port side ends by EOF when it started first and by SIGINT
 * when second, so both endings are met.
 */
async function session(exe: string, mode: Mode, firstKind: Kind, secondKind: Kind) {
  const model = new Model(mode);
  await using dir = await tempDir("ipc-lab-interop-mmap-");
  using guard = new LeakGuard({ dir: dir.path });
  await using first = new Side(firstKind, "first", mode, exe, dir.path);
  await first.waitForPrompt(1);
  model.start("first");

  const act = async (side: Side, line: string) => {
    await side.type(line);
    model.type(side.name, line);
  };
  // Typed before the second process starts: with `s` its start overwrites this line.
  await act(first, "typed before the second started\n");

  await using second = new Side(secondKind, "second", mode, exe, dir.path);
  await second.waitForPrompt(1);
  model.start("second");

  await act(first, "*\n"); // s: the second's start rewrote the text; p: the own copy stays
  await act(first, "New memory map data\n");
  await act(second, "*\n"); // s: the first's line; p: the file's original text
  await act(second, "ikinci süreç yazdı\n"); // multibyte UTF-8: lengths are in bytes
  await act(first, "*\n");
  await act(second, "*\n");

  // The file while both still run: with `s` the typed lines are in it, with `p` nothing is.
  const path = `${dir.path}/shared_mmap`;
  assert.deepEqual(await Deno.readFile(path), model.file, "the file, both still running");

  await Promise.all([first, second].map(async (side) => {
    const how = side.kind === "C" || side.name === "second" ? "SIGINT" : "EOF";
    if (how === "SIGINT") side.process.kill("SIGINT");
    else await side.process.closeStdin();
    const r = await side.process.finish();
    const expected = model.transcript(side.name);
    const what = `${side.kind} ${side.name} (mode ${mode}, ended by ${how})`;
    if (side.kind === "C") {
      // Killed by the signal, as at a terminal; nothing more printed.
      assert.deepEqual([r.signal, r.code, r.stderr], ["SIGINT", 130, ""], what);
      assert.equal(r.stdout, expected, what);
    } else if (how === "EOF") {
      // The port's documented departure: EOF ends it with a newline and exit 0.
      assert.deepEqual([r.signal, r.code, r.stderr], [null, 0, ""], what);
      assert.equal(r.stdout, `${expected}\n`, what);
    } else {
      // The port catches SIGINT and exits 130 (documented), printing nothing more.
      assert.deepEqual([r.signal, r.code, r.stderr], [null, 130, ""], what);
      assert.equal(r.stdout, expected, what);
    }
  }));

  // The file afterwards; it is the programs' own output: remove it, then nothing is left.
  assert.deepEqual(await Deno.readFile(path), model.file, "the file after both ended");
  assert.deepEqual([...Deno.readDirSync(dir.path)].map((e) => e.name), ["shared_mmap"]);
  await Deno.remove(path);
  guard.check();
}

/** Run the sessions concurrently; fail with every failure, each named. */
async function allOf(cases: Array<[string, () => Promise<void>]>): Promise<void> {
  const results = await Promise.allSettled(cases.map(([, run]) => run()));
  const failures = results.flatMap((r, i) =>
    r.status === "rejected"
      ? [`--- ${cases[i][0]} ---\n${r.reason instanceof Error ? r.reason.stack : r.reason}`]
      : []
  );
  if (failures.length > 0) {
    throw new Error(`${failures.length} of ${cases.length} failed:\n${failures.join("\n")}`);
  }
}

const MIXES: Array<[Kind, Kind]> = [["C", "C"], ["C", "port"], ["port", "C"], ["port", "port"]];

for (const mode of ["s", "p"] as const) {
  const what = mode === "s"
    ? "a line typed in one is seen by '*' in the other and is in the file"
    : "only the writer's own '*' sees a line; the other and the file do not";
  Deno.test(`interop mmap_ex2 ${mode}: C and port in every mix and start order: ${what}; transcripts are C + C's`, async () => {
    const exe = await buildOriginal("mmap_ex2");
    await allOf(
      MIXES.map(([a, b]) => [
        `${a} first, ${b} second, mode ${mode}`,
        () => session(exe, mode, a, b),
      ]),
    );
  });
}

Deno.test("interop mmap_ex2 C + C: the slides' run: `New memory map data` typed in one, `*` in the other shows it and the rest of the text", async () => {
  const exe = await buildOriginal("mmap_ex2");
  await using dir = await tempDir("ipc-lab-interop-mmap-");
  using guard = new LeakGuard({ dir: dir.path });
  await using one = new Side("C", "terminal 1", "s", exe, dir.path);
  await using two = new Side("C", "terminal 2", "s", exe, dir.path);
  await Promise.all([one.waitForPrompt(1), two.waitForPrompt(1)]);
  await one.type("New memory map data\n");
  await two.type("*\n");
  one.process.kill("SIGINT");
  two.process.kill("SIGINT");
  const [r1, r2] = [await one.process.finish(), await two.process.finish()];
  assert.equal(r1.stdout, `74 byte writing... to file -> shared_mmap\n${PROMPT}${PROMPT}`);
  assert.equal(
    r2.stdout,
    "74 byte writing... to file -> shared_mmap\n" + PROMPT +
      "Current mmap -> 'New memory map data\ne between Shared mmap and Private mmap?     '\n" +
      PROMPT,
  );
  assert.deepEqual([r1.signal, r2.signal], ["SIGINT", "SIGINT"]);
  const path = `${dir.path}/shared_mmap`;
  assert.equal(
    new TextDecoder().decode(await Deno.readFile(path)),
    "New memory map data\ne between Shared mmap and Private mmap?      - end - \0",
  );
  await Deno.remove(path);
  guard.check();
});

// ---- bytes that are not UTF-8 ------------------------------------------------

/**
 * Run `program` in `dir`, type `input` (raw bytes, all at once: one
 * process, so the order is kept), wait until stdout holds `prompts`
 * prompts, then end it (`end`). Returns the raw stdout and how it ended.
 */
async function rawSession(
  program: Program,
  input: Uint8Array,
  prompts: number,
  end: "EOF" | "SIGINT",
): Promise<{ stdout: Uint8Array; status: Deno.CommandStatus; stderr: string }> {
  const child = new Deno.Command(program.command, {
    args: program.args,
    cwd: program.cwd,
    env: program.env,
    stdin: "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const stderr = new Response(child.stderr).text();
  const writer = child.stdin.getWriter();
  await writer.write(input);
  const chunks: Uint8Array[] = [];
  const prompt = PROMPT;
  const decoder = new TextDecoder("latin1"); // one character per byte: counting is exact
  let seen = "";
  let ended = false;
  for await (const chunk of child.stdout) {
    chunks.push(chunk);
    seen += decoder.decode(chunk, { stream: true });
    if (!ended && seen.split(prompt).length > prompts) {
      ended = true;
      if (end === "SIGINT") child.kill("SIGINT");
      else await writer.close();
    }
  }
  if (!ended) throw new Error(`${program.args.join(" ")} ended early: ${seen}`);
  if (end === "SIGINT") await writer.close().catch(() => {});
  return { stdout: concat(...chunks), status: await child.status, stderr: await stderr };
}

Deno.test("interop mmap_ex2: bytes that are not UTF-8 reach the mapping and the file unchanged, in C and port alike", async () => {
  const exe = await buildOriginal("mmap_ex2");
  const line = new Uint8Array([0xff, 0xfe, 0x0a]); // not UTF-8: a port decoding it would change it
  const input = concat(line, "*\n");
  const mapped = concat(line, CONTENTS_BYTES.subarray(line.length, MMAP_SIZE));
  const transcript = concat(HEADER, PROMPT, PROMPT, "Current mmap -> '", mapped, "'\n", PROMPT);
  const file = concat(line, CONTENTS_BYTES.subarray(line.length));
  await allOf((["C", "port"] as const).map((kind) => [kind, async () => {
    await using dir = await tempDir("ipc-lab-interop-mmap-");
    using guard = new LeakGuard({ dir: dir.path });
    const program = kind === "C"
      ? cProgram(exe, ["s"], dir.path)
      : taskProgram("mmap-ex2", ["s"], { cwd: dir.path });
    const r = await rawSession(program, input, 3, kind === "C" ? "SIGINT" : "EOF");
    assert.equal(r.stderr, "");
    if (kind === "C") {
      assert.equal(r.status.signal, "SIGINT");
      assert.deepEqual(r.stdout, transcript);
    } else {
      assert.equal(r.status.code, 0);
      assert.deepEqual(r.stdout, concat(transcript, "\n"));
    }
    const path = `${dir.path}/shared_mmap`;
    assert.deepEqual(await Deno.readFile(path), file);
    await Deno.remove(path);
    guard.check();
  }]));
});
