/**
 * Framing for byte streams: a pipe, FIFO or stream socket delivers bytes,
 * not messages, so a reader that wants lines must find their ends itself.
 * FFI-free: import it without `--allow-ffi`. {@link LineSplitter} is the one
 * line splitter of the project; `LineReader` (stdin.ts) reads lines from a
 * descriptor with it.
 *
 * @module
 */

/**
 * One line taken out of a byte stream by {@link LineSplitter}.
 *
 * @example
 * ```ts
 * import { LineSplitter, type SplitLine } from "./lines.ts";
 * const s = new LineSplitter();
 * s.push(new TextEncoder().encode("hi\n"));
 * const line: SplitLine | undefined = s.next(); // { text: "hi", oversized: false, bytes: 2 }
 * ```
 */
export interface SplitLine {
  /** The line's text without its `"\n"` (empty for an oversized line). */
  text: string;
  /** True when the line was longer than the limit and was discarded. */
  oversized: boolean;
  /** The line's length in bytes (without the newline). */
  bytes: number;
}

const decoder = new TextDecoder();

/**
 * Framing for a byte stream: `read` on a pipe returns whatever is there, so
 * one read may hold two messages ("helloworld" in the C original) or half
 * of one. Push each chunk read; take complete lines out. A line ends at a
 * newline, or at any of the `terminators` given (readfifo also ends a
 * message at a NUL byte: C strings). A line longer than `maxLineBytes` is
 * not buffered: it is skipped up to its end and reported once as
 * `oversized` (so a peer that never sends a newline cannot make us buffer
 * without bound).
 *
 * @example
 * ```ts
 * import { LineSplitter } from "./lines.ts";
 * const s = new LineSplitter();
 * s.push(new TextEncoder().encode("hel"));
 * s.push(new TextEncoder().encode("lo\nworld\n"));
 * s.next()?.text; // "hello"
 * s.next()?.text; // "world"
 * s.next();       // undefined: nothing complete left
 * const c = new LineSplitter(Infinity, [0, 10]); // C strings or lines
 * c.push(new TextEncoder().encode("hello\0world\n"));
 * c.next()?.text; // "hello"
 * ```
 */
export class LineSplitter {
  /** The longest line kept, in bytes (without the newline). */
  readonly maxLineBytes: number;
  /** The bytes that end a line (default: only the newline, 10). */
  readonly terminators: readonly number[];
  #buf = new Uint8Array(0);
  #start = 0;
  #skipping = 0; // > 0: inside an oversized line, bytes skipped so far

  /**
   * Split lines at any of `terminators` (bytes; default `[10]`, the
   * newline), keeping at most `maxLineBytes` of an unfinished one.
   */
  constructor(maxLineBytes = Infinity, terminators: readonly number[] = [10]) {
    this.maxLineBytes = maxLineBytes;
    this.terminators = terminators;
  }

  /** Index of the first terminator at or after `from`, or -1. */
  #findEnd(from: number): number {
    if (this.terminators.length === 1) return this.#buf.indexOf(this.terminators[0], from);
    for (let i = from; i < this.#buf.length; i++) {
      if (this.terminators.includes(this.#buf[i])) return i;
    }
    return -1;
  }

  /** Bytes held of a line whose newline has not arrived yet. */
  get pendingBytes(): number {
    return this.#buf.length - this.#start;
  }

  /** Add the bytes of one read. */
  push(chunk: Uint8Array): void {
    const rest = this.#buf.subarray(this.#start);
    const joined = new Uint8Array(rest.length + chunk.length);
    joined.set(rest);
    joined.set(chunk, rest.length);
    this.#buf = joined;
    this.#start = 0;
  }

  /** The next complete line, or `undefined` when none is complete yet. */
  next(): SplitLine | undefined {
    for (;;) {
      const newline = this.#findEnd(this.#start);
      if (this.#skipping > 0) {
        if (newline === -1) {
          this.#skipping += this.#buf.length - this.#start;
          this.#buf = new Uint8Array(0);
          this.#start = 0;
          return undefined;
        }
        const bytes = this.#skipping + newline - this.#start;
        this.#skipping = 0;
        this.#start = newline + 1;
        return { text: "", oversized: true, bytes };
      }
      if (newline === -1) {
        if (this.pendingBytes > this.maxLineBytes) {
          // Start skipping; keep counting until the newline comes.
          this.#skipping = this.pendingBytes;
          this.#buf = new Uint8Array(0);
          this.#start = 0;
        }
        return undefined;
      }
      const bytes = newline - this.#start;
      const line = this.#buf.subarray(this.#start, newline);
      this.#start = newline + 1;
      if (bytes > this.maxLineBytes) return { text: "", oversized: true, bytes };
      return { text: decoder.decode(line), oversized: false, bytes };
    }
  }

  /**
   * C's `fgets` over the bytes pushed so far: up to and including the first
   * newline, at most `max` bytes, as raw bytes (never decoded: a byte that
   * is not UTF-8 stays as typed). `undefined` when that needs more input;
   * with `atEnd` (no more input will come) what is left, or an empty array
   * when nothing is. Not for a splitter that also reports oversized lines.
   *
   * @example
   * ```ts
   * import { LineSplitter } from "./lines.ts";
   * const s = new LineSplitter();
   * s.push(new TextEncoder().encode("abcdef\nx"));
   * s.takeRaw(4);       // "abc" as bytes: fgets(buf, 4, ...) keeps 3 and its NUL
   * s.takeRaw(100);     // "def\n"
   * s.takeRaw(100);     // undefined: "x" may go on
   * s.takeRaw(100, true); // "x"
   * ```
   */
  takeRaw(max: number, atEnd = false): Uint8Array | undefined {
    const rest = this.#buf.subarray(this.#start);
    const newline = rest.indexOf(10);
    let take = -1; // not enough yet
    if (newline !== -1) take = Math.min(newline + 1, max);
    else if (rest.length >= max) take = max;
    else if (atEnd) take = rest.length;
    if (take === -1) return undefined;
    this.#start += take;
    return rest.slice(0, take);
  }

  /**
   * At end of file: what is left after the last newline, as a line (an
   * unterminated last line), or `undefined` when nothing is left.
   */
  end(): SplitLine | undefined {
    if (this.#skipping > 0) {
      const bytes = this.#skipping + this.pendingBytes;
      this.#skipping = 0;
      this.#buf = new Uint8Array(0);
      this.#start = 0;
      return { text: "", oversized: true, bytes };
    }
    if (this.pendingBytes === 0) return undefined;
    const line = this.#buf.subarray(this.#start);
    this.#buf = new Uint8Array(0);
    this.#start = 0;
    if (line.length > this.maxLineBytes) {
      return { text: "", oversized: true, bytes: line.length };
    }
    return { text: decoder.decode(line), oversized: false, bytes: line.length };
  }
}
