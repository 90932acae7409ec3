/**
 * pipe-semantics: the rules of `read` and `write` on a pipe, as experiments.
 *
 * Source: seed 000, section "Read ve Write Fonksiyonlarının Borudaki
 * Davranışları" (no program there: the rules are prose). Each numbered
 * experiment prints the rule (the seed's words, then in English), what
 * the program did, and what the kernel answered. Every figure printed is
 * measured on this machine, none is typed in: the capacity comes from
 * `fcntl(F_GETPIPE_SZ)` and from filling a pipe, PIPE_BUF from
 * `fpathconf(_PC_PIPE_BUF)`.
 *
 * Run: `deno task pipe-semantics` (text), `deno task pipe-semantics --json`
 * (one JSON document, what tests/pipe_semantics_test.ts checks).
 * `IPC_TRACE=1` shows every libc call, the children's too.
 *
 * Two corrections to the seed, both measured here:
 * - "PIPE_BUF is the pipe's length, 4096" (experiment 9): PIPE_BUF is the
 *   atomicity limit, the largest write that is never interleaved with
 *   other writers' data. The capacity is a different number, 65536 by
 *   default on Linux (16 pages), changeable per pipe with F_SETPIPE_SZ.
 * - "a blocking write larger than the pipe does not block, it writes what
 *   fits and returns" (experiment 6): in blocking mode, Linux `write`
 *   returns only when everything is written (the seed's next bullet says
 *   so too); it is the *non-blocking* write that returns a partial count
 *   (experiment 5).
 *
 * Where it departs from a C version: the extra processes (the writers of
 * experiment 7, `sh`, `wc`, `yes`) are started with posix_spawnp, since a
 * JavaScript runtime cannot fork (see pipe-parent-child.ts); the writers
 * of experiment 7 are this same script run with `--writer`. Deno ignores
 * SIGPIPE, so in this process a write without reader fails with EPIPE;
 * the spawned `yes` of experiment 8 gets SIGPIPE back at its default and
 * is killed by it, as in C.
 *
 * @module
 */
import {
  denoArgv,
  describeExit,
  F,
  fcntl,
  type FileAction,
  LibcError,
  type Pipe,
  pipe,
  pipeBufOf,
  read,
  runMain,
  setTraceRole,
  spawn,
  takeFlag,
  UsageError,
  write,
  writeAll,
} from "../../lib/libc.ts";

/** One experiment's outcome; `figures` are measured values only. */
interface Experiment {
  n: number;
  title: string;
  /** The seed's words (Turkish), where the seed has the rule. */
  seed?: string;
  /** The rule in English. */
  rule: string;
  did: string;
  kernel: string;
  figures: Record<string, number | string | boolean>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CHILD_PERMISSIONS = ["--allow-ffi", "--allow-env=IPC_TRACE"];

/** errno name of a failing call, or null when it succeeded. */
function errnoOf(f: () => unknown): string | null {
  try {
    f();
    return null;
  } catch (e) {
    if (e instanceof LibcError) return e.code;
    throw e;
  }
}

/** Write into a non-blocking pipe until EAGAIN; the bytes it took. */
function fill(p: Pipe, chunk = 4096): number {
  const buf = new Uint8Array(chunk);
  let total = 0;
  for (;;) {
    try {
      total += write(p.write.fd, buf);
    } catch (e) {
      if (e instanceof LibcError && e.code === "EAGAIN") return total;
      throw e;
    }
  }
}

/** Read a non-blocking pipe until EAGAIN or EOF; the bytes it held. */
function drain(p: Pipe): number {
  const buf = new Uint8Array(65536);
  let total = 0;
  for (;;) {
    try {
      const n = read(p.read.fd, buf);
      if (n === 0) return total;
      total += n;
    } catch (e) {
      if (e instanceof LibcError && e.code === "EAGAIN") return total;
      throw e;
    }
  }
}

/** Read a blocking fd to EOF. */
function readToEnd(fd: number): Uint8Array {
  const parts: Uint8Array[] = [];
  const buf = new Uint8Array(65536);
  for (let n = read(fd, buf); n > 0; n = read(fd, buf)) parts.push(buf.slice(0, n));
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

async function blockingReadAndEof(): Promise<Experiment[]> {
  using data = pipe();
  using go = pipe();
  // The child writes "hello", waits for our go-ahead, writes "world".
  using child = spawn("sh", ["sh", "-c", "printf hello; read go; printf world"], {
    fileActions: [{ dup2: [data.write.fd, 1] }, { dup2: [go.read.fd, 0] }],
  });
  data.write.close();
  go.read.close();
  const buf = new Uint8Array(100);
  const t0 = performance.now();
  const first = read(data.read.fd, buf); // blocks until the child wrote
  const waitedMs = Math.round(performance.now() - t0);
  const firstText = decoder.decode(buf.subarray(0, first));
  writeAll(go.write.fd, encoder.encode("go\n"));
  const second = read(data.read.fd, buf);
  const secondText = decoder.decode(buf.subarray(0, second));
  go.write.close();
  const status = await child.wait(); // its write end is closed now
  const eof = read(data.read.fd, buf);
  return [{
    n: 1,
    title: "A blocking read returns what is there",
    seed: "Read fonksiyonu eğer boruda hiçbir byte yok ise blokede bekler fakat boruda en az " +
      "1 byte var ise talep edilen miktarda okumak için beklemez. Olanı okur ve okuduğu " +
      "byte sayısına geri döner.",
    rule: "read blocks while the pipe is empty; with at least one byte there it returns " +
      "at once with what is there, not the amount asked for.",
    did:
      `a child (sh) wrote "hello" and then waited for us; we called read(fd, buf, ${buf.length}) ` +
      `on the empty pipe, then let the child write "world" and read again.`,
    kernel: `the first read waited ${waitedMs} ms and returned ${first} ("${firstText}"), ` +
      `not ${buf.length}; the second returned ${second} ("${secondText}").`,
    figures: {
      asked: buf.length,
      firstRead: first,
      firstText,
      secondRead: second,
      secondText,
      waitedMs,
    },
  }, {
    n: 2,
    title: "End of file once every writer has closed",
    seed: "Fakat boruda hiçbir bilgi yoksa ve karşı taraf boruyu kapatmış ise 0 ile geri döner.",
    rule: "read on an empty pipe returns 0 (end of file) once no write end is open anywhere.",
    did: "closed our copy of the write end (right after the spawn), let the child exit " +
      "(closing its copy), then read the empty pipe.",
    kernel: `the child ${describeExit(status)}; read returned ${eof}.`,
    figures: { readAfterWritersClosed: eof, childExit: status.code ?? -1 },
  }];
}

function nonBlockingRead(): Experiment {
  using p = pipe({ nonblock: true });
  const buf = new Uint8Array(100);
  const whileOpen = errnoOf(() => read(p.read.fd, buf));
  p.write.close();
  const afterClose = read(p.read.fd, buf);
  return {
    n: 3,
    title: "O_NONBLOCK read on an empty pipe: EAGAIN",
    seed: "Fakat boruda hiç bilgi yok ise -1 değeri ile geri döner ve errno EAGAIN değeri ile " +
      "set edilir.",
    rule: "in non-blocking mode, read on an empty pipe fails at once with EAGAIN " +
      "(while a writer exists; with no writer left it is end of file, 0).",
    did: "pipe2(O_NONBLOCK); read from the empty pipe; closed the write end; read again.",
    kernel: `read failed with ${whileOpen ?? "nothing (it succeeded!)"}; ` +
      `after the writer closed, read returned ${afterClose}.`,
    figures: { errnoWhileWriterOpen: whileOpen ?? "none", readAfterWriterClosed: afterClose },
  };
}

function nonBlockingWriteFull(): Experiment {
  using p = pipe({ nonblock: true });
  const filled = fill(p);
  const small = errnoOf(() => write(p.write.fd, new Uint8Array(1)));
  const page = errnoOf(() => write(p.write.fd, new Uint8Array(4096)));
  const drained = drain(p);
  return {
    n: 4,
    title: "O_NONBLOCK write into a full pipe: EAGAIN, nothing written",
    seed: "Eğer tüm bilgiyi yazacak kadar boruda yer yoksa -1 değeri ile geri döner ve boruya " +
      "hiçbir bilgi yazmaz. Bu durumda errno EAGAIN değeri ile set edilir.",
    rule: "in non-blocking mode, a write that does not fit fails with EAGAIN and writes " +
      "nothing (for writes of at most PIPE_BUF; larger ones may be partial, see 5).",
    did: "pipe2(O_NONBLOCK); wrote 4096-byte blocks until EAGAIN; then tried 1 byte and " +
      "4096 bytes more; then drained the pipe and counted.",
    kernel: `the pipe took ${filled} bytes; the 1-byte write failed with ${small ?? "nothing"}, ` +
      `the 4096-byte write with ${page ?? "nothing"}; draining gave back ${drained} bytes ` +
      `(${drained === filled ? "the failed writes added nothing" : "MORE than was accepted!"}).`,
    figures: {
      filled,
      errnoOneByte: small ?? "none",
      errnoPage: page ?? "none",
      drained,
      nothingWritten: drained === filled,
    },
  };
}

function nonBlockingWritePartial(): Experiment {
  using p = pipe({ nonblock: true });
  const asked = 1 << 20;
  const written = write(p.write.fd, new Uint8Array(asked));
  const next = errnoOf(() => write(p.write.fd, new Uint8Array(asked)));
  const capacity = fcntl(p.write.fd, F.GETPIPE_SZ);
  return {
    n: 5,
    title: "A large O_NONBLOCK write is partial",
    seed: "Eğer write ile biz boru büyüklüğünden daha fazla sayıda byte'ı boruya yazmaya " +
      "çalışırsak bu durumda write boruya yazabildiği kadar değeri boruya yazar ve yazdığı " +
      "byte sayısı ile geri döner. Fakat boruda hiç yer yoksa -1 değeri ile geri döner ve " +
      "errno EAGAIN değeri ile set edilir.",
    rule: "in non-blocking mode, a write larger than the free space writes what fits and " +
      "returns that count; with no space at all it fails with EAGAIN.",
    did: `pipe2(O_NONBLOCK); write(fd, buf, ${asked}) into the empty pipe, then the same again.`,
    kernel: `the first write returned ${written} of ${asked} (the capacity is ${capacity}); ` +
      `the second failed with ${next ?? "nothing"}.`,
    figures: { asked, written, capacity, errnoWhenFull: next ?? "none" },
  };
}

async function blockingWriteLarge(): Promise<Experiment> {
  using data = pipe();
  using result = pipe();
  using wc = spawn("wc", ["wc", "-c"], {
    fileActions: [{ dup2: [data.read.fd, 0] }, { dup2: [result.write.fd, 1] }],
  });
  data.read.close();
  result.write.close();
  const capacity = fcntl(data.write.fd, F.GETPIPE_SZ);
  const asked = 3 * capacity + 1234;
  // One blocking write(2) call: it returns when wc has taken everything.
  const written = write(data.write.fd, new Uint8Array(asked));
  data.write.close();
  const counted = Number(decoder.decode(readToEnd(result.read.fd)).trim());
  await wc.wait();
  return {
    n: 6,
    title: "A blocking write larger than the pipe waits until all is written",
    seed: "Eğer write fonksiyonu ile borunun uzunluğundan daha fazla bilgi yazmak istersek " +
      "write yine tüm bilgiler boruya aktarılana kadar bekler. (The seed also says the " +
      'opposite: "Eğer yazılacak miktar borunun toplam uzunluğundan büyük ise bu durumda ' +
      'write bloke olmaz.")',
    rule: "in blocking mode write returns only when every byte is in the pipe, however " +
      'large; the seed\'s "it does not block and writes one pipe-full" is what the ' +
      "non-blocking write does (5), not the blocking one.",
    did: `one blocking write(fd, buf, ${asked}) (more than 3 times the capacity ${capacity}) ` +
      `into a pipe read by a child \`wc -c\`.`,
    kernel: `write returned ${written}; wc counted ${counted} bytes.`,
    figures: { asked, written, counted, capacity },
  };
}

/** The writer helper of experiment 7: `--writer LETTER SIZE COUNT READYFD`. */
function writerMode(args: string[]): number {
  setTraceRole("writer");
  const [letter, sizeText, countText, readyText] = args;
  const size = Number(sizeText), count = Number(countText), readyFd = Number(readyText);
  if (!letter || !(size > 0) || !(count > 0) || !(readyFd > 2)) {
    throw new UsageError("usage: pipe-semantics --writer LETTER SIZE COUNT READYFD", 1, {
      withUsage: false, // the helper's own command line, not the user's
    });
  }
  const record = new Uint8Array(size).fill(letter.charCodeAt(0));
  // Tell the parent we are here, then wait for the start signal on stdin,
  // so all writers really write at the same time.
  write(readyFd, encoder.encode(letter));
  read(0, new Uint8Array(1));
  let short = 0;
  for (let i = 0; i < count; i++) {
    // ONE write(2) per record: the kernel decides whether it is atomic.
    if (write(1, record) !== size) short++;
  }
  return short === 0 ? 0 : 3;
}

interface RaceResult {
  writers: number;
  recordBytes: number;
  recordsEach: number;
  totalBytes: number;
  expectedBytes: number;
  /** Runs of one writer's bytes whose length is not a whole number of records. */
  splitRecords: number;
  /** How many times the byte stream switched from one writer to another. */
  switches: number;
}

async function race(
  writers: number,
  recordBytes: number,
  recordsEach: number,
): Promise<RaceResult> {
  using data = pipe();
  using ready = pipe();
  using go = pipe();
  const letters = "ABCDEFGH".slice(0, writers).split("");
  const children = letters.map((letter) => {
    const actions: FileAction[] = [
      { dup2: [data.write.fd, 1] },
      { dup2: [go.read.fd, 0] },
      { dup2: [ready.write.fd, ready.write.fd] },
    ];
    return spawn(
      Deno.execPath(),
      denoArgv(
        import.meta.url,
        ["--writer", letter, String(recordBytes), String(recordsEach), String(ready.write.fd)],
        CHILD_PERMISSIONS,
      ),
      { fileActions: actions },
    );
  });
  try {
    data.write.close();
    ready.write.close();
    go.read.close();
    // Wait until every writer is running, then start them all at once.
    const seen = new Uint8Array(writers);
    let got = 0;
    while (got < writers) {
      const n = read(ready.read.fd, seen.subarray(got));
      if (n === 0) throw new Error("a writer ended before it was ready");
      got += n;
    }
    writeAll(go.write.fd, new Uint8Array(writers));
    go.write.close();

    // Read the merged stream in small reads and find the runs.
    const buf = new Uint8Array(4096);
    let total = 0, runByte = -1, runLength = 0, splitRecords = 0, switches = 0;
    for (let n = read(data.read.fd, buf); n > 0; n = read(data.read.fd, buf)) {
      total += n;
      for (let i = 0; i < n; i++) {
        if (buf[i] === runByte) {
          runLength++;
          continue;
        }
        if (runByte !== -1) {
          switches++;
          if (runLength % recordBytes !== 0) splitRecords++;
        }
        runByte = buf[i];
        runLength = 1;
      }
    }
    if (runLength % recordBytes !== 0) splitRecords++;
    for (const child of children) {
      const status = await child.wait();
      if (!status.success) throw new Error(`a writer ${describeExit(status)}`);
    }
    return {
      writers,
      recordBytes,
      recordsEach,
      totalBytes: total,
      expectedBytes: writers * recordBytes * recordsEach,
      splitRecords,
      switches,
    };
  } finally {
    for (const child of children) child[Symbol.dispose]();
  }
}

async function atomicity(pipeBuf: number, capacity: number): Promise<Experiment> {
  const small = await race(4, pipeBuf, 64);
  const large = await race(4, 2 * capacity + 1000, 6);
  const describe = (r: RaceResult) =>
    `${r.totalBytes} of ${r.expectedBytes} bytes arrived; the stream switched writer ` +
    `${r.switches} times; ${r.splitRecords} run(s) were not whole records`;
  return {
    n: 7,
    title: "Writes of at most PIPE_BUF bytes never interleave; larger ones can",
    seed: "Dolayısı ile başka bir proseste boruya yazma yapıyorsa araya girme olabilir.",
    rule: "a write of at most PIPE_BUF bytes is atomic: its bytes arrive together, never " +
      "mixed with another writer's. A larger write may be split, and other writers' data " +
      "may come between the parts.",
    did: `4 writer processes (this script with --writer), started together, each made ` +
      `${small.recordsEach} write() calls of ${small.recordBytes} bytes (= PIPE_BUF) of its ` +
      `own letter into one pipe; then the same with ${large.recordsEach} writes of ` +
      `${large.recordBytes} bytes each. We read the merged stream and cut it into runs of ` +
      `one letter.`,
    kernel: `PIPE_BUF-sized writes: ${describe(small)}. Larger writes: ${describe(large)}` +
      `${large.splitRecords > 0 ? " (they were interleaved)" : " (not this time: it may happen)"}.`,
    figures: {
      smallRecordBytes: small.recordBytes,
      smallTotalBytes: small.totalBytes,
      smallExpectedBytes: small.expectedBytes,
      smallSwitches: small.switches,
      smallSplitRecords: small.splitRecords,
      largeRecordBytes: large.recordBytes,
      largeTotalBytes: large.totalBytes,
      largeExpectedBytes: large.expectedBytes,
      largeSwitches: large.switches,
      largeSplitRecords: large.splitRecords,
    },
  };
}

async function noReader(): Promise<Experiment> {
  using p = pipe();
  p.read.close();
  const here = errnoOf(() => write(p.write.fd, encoder.encode("x")));
  using q = pipe();
  q.read.close();
  using yes = spawn("yes", ["yes"], { fileActions: [{ dup2: [q.write.fd, 1] }] });
  q.write.close();
  const status = await yes.wait();
  return {
    n: 8,
    title: "Writing to a pipe nobody reads: SIGPIPE, or EPIPE",
    rule: "(not in the seed; POSIX write(2)) a write to a pipe with no read end open " +
      "sends the writer SIGPIPE, which kills it; a process that ignores SIGPIPE gets " +
      "the error EPIPE instead.",
    did: "closed a pipe's read end and wrote 1 byte from this process (Deno ignores " +
      "SIGPIPE); then started `yes` (SIGPIPE at its default) writing into another pipe " +
      "whose read end was closed.",
    kernel: `our write failed with ${here ?? "nothing"}; yes ${describeExit(status)}.`,
    figures: {
      errnoHere: here ?? "none",
      childSignal: status.signalName ?? "none",
      childExitCode: status.code ?? -1,
    },
  };
}

function capacityVsPipeBuf(): Experiment {
  using p = pipe({ nonblock: true });
  const pipeBuf = pipeBufOf(p.write.fd);
  const reported = fcntl(p.write.fd, F.GETPIPE_SZ);
  const filled = fill(p);
  drain(p);
  const resizedTo = fcntl(p.write.fd, F.SETPIPE_SZ, 100_000);
  const filledAfter = fill(p);
  drain(p);
  const onePage = fcntl(p.write.fd, F.SETPIPE_SZ, 1);
  const filledOnePage = fill(p);
  return {
    n: 9,
    title: "Capacity (F_GETPIPE_SZ) is not PIPE_BUF",
    seed: "Borunun uzunluğu ilgili sistemde PIPE_BUF sembolik sabiti ile belirtilmiş " +
      "durumdadır. ... Mevcut linux sistemlerinde boru uzunluğu, yani PIPE_BUF değeri " +
      "4096'dır.",
    rule: "PIPE_BUF is the atomicity limit (experiment 7), not the pipe's size. The " +
      "capacity is separate: 16 pages by default on Linux, per pipe, and F_SETPIPE_SZ " +
      "changes it (rounded up to a power-of-two number of pages).",
    did: "fpathconf(fd, _PC_PIPE_BUF); fcntl(fd, F_GETPIPE_SZ); filled the pipe; " +
      "F_SETPIPE_SZ 100000 and filled again; F_SETPIPE_SZ 1 and filled again.",
    kernel: `PIPE_BUF = ${pipeBuf}; F_GETPIPE_SZ = ${reported}; the pipe took ${filled} ` +
      `bytes. Asking for 100000 gave ${resizedTo} (it took ${filledAfter}); asking for 1 ` +
      `gave ${onePage} (it took ${filledOnePage}). Only a one-page pipe holds just PIPE_BUF.`,
    figures: {
      pipeBuf,
      capacityReported: reported,
      capacityFilled: filled,
      resizeAsked: 100_000,
      resizedTo,
      filledAfterResize: filledAfter,
      onePageSize: onePage,
      filledOnePage,
    },
  };
}

function printText(experiments: Experiment[]): void {
  for (const e of experiments) {
    const lines = [`${e.n}. ${e.title}`];
    if (e.seed) lines.push(`   seed:   ${e.seed}`);
    lines.push(`   rule:   ${e.rule}`, `   did:    ${e.did}`, `   kernel: ${e.kernel}`, "");
    console.log(lines.join("\n"));
  }
}

const USAGE = "usage: pipe-semantics [--json]";

async function main(args: string[]): Promise<number> {
  if (args[0] === "--writer") return writerMode(args.slice(1));
  setTraceRole("pipe-semantics");
  const json = takeFlag(args, "json");
  if (args.length > 0) throw new UsageError(USAGE);

  const experiments: Experiment[] = [];
  experiments.push(...await blockingReadAndEof());
  experiments.push(nonBlockingRead());
  experiments.push(nonBlockingWriteFull());
  experiments.push(nonBlockingWritePartial());
  experiments.push(await blockingWriteLarge());
  const capacity = capacityVsPipeBuf();
  experiments.push(
    await atomicity(Number(capacity.figures.pipeBuf), Number(capacity.figures.capacityReported)),
  );
  experiments.push(await noReader());
  experiments.push(capacity);

  if (json) console.log(JSON.stringify({ experiments }, null, 2));
  else printText(experiments);
  return 0;
}

if (import.meta.main) {
  await runMain("pipe-semantics", () => main([...Deno.args]), { usage: USAGE });
}
