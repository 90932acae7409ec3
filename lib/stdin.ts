/**
 * Reading lines from a descriptor (stdin by default, or a socket) through
 * libc `read`, split by {@link LineSplitter},
 * waiting with `poll` in short slices so that Ctrl+C still works while a
 * program waits for the user, and nothing is left pending at exit.
 *
 * @module
 */
import { readAsync } from "./fd.ts";
import { LineSplitter } from "./lines.ts";

/**
 * A buffered line reader. `readLine()` gives a line like C's `fgets`: with
 * its trailing `"\n"` when there was one (the last line before EOF may lack
 * it), or `null` at end of file.
 *
 * @example
 * ```ts
 * import { LineReader } from "./stdin.ts";
 * const stdin = new LineReader(0);
 * for (let line; (line = await stdin.readLine()) !== null;) {
 *   console.log(JSON.stringify(line));
 * }
 * ```
 */
export class LineReader {
  /** The descriptor lines are read from. */
  readonly fd: number;
  #lines = new LineSplitter();
  #eof = false;
  #chunk = new Uint8Array(4096);

  /** Read lines from `fd` (default 0, stdin). */
  constructor(fd = 0) {
    this.fd = fd;
  }

  /** The next line with its `"\n"` (if any), or `null` at end of file. */
  async readLine(): Promise<string | null> {
    for (;;) {
      const line = this.#lines.next();
      if (line) return `${line.text}\n`;
      if (this.#eof) return this.#lines.end()?.text ?? null;
      const n = await readAsync(this.fd, this.#chunk);
      if (n === 0) this.#eof = true;
      else this.#lines.push(this.#chunk.subarray(0, n));
    }
  }

  /**
   * `fgets(buf, size, fd)` over raw bytes: at most `size - 1` bytes, up to
   * and including the first newline; `null` at end of file when nothing is
   * left. The bytes stay as they were typed (C's `char` array).
   *
   * @example
   * ```ts
   * import { LineReader } from "./stdin.ts";
   * const line = await new LineReader(0).fgets(100); // Uint8Array or null
   * ```
   */
  async fgets(size: number): Promise<Uint8Array | null> {
    for (;;) {
      const line = this.#lines.takeRaw(size - 1, this.#eof);
      if (line !== undefined) return line.length === 0 && this.#eof ? null : line;
      const n = await readAsync(this.fd, this.#chunk);
      if (n === 0) this.#eof = true;
      else this.#lines.push(this.#chunk.subarray(0, n));
    }
  }
}

/**
 * Strip one trailing `"\n"` (and a `"\r"` before it) from a line.
 *
 * @example
 * ```ts
 * import { chomp } from "./stdin.ts";
 * chomp("quit\n"); // "quit"
 * ```
 */
export function chomp(line: string): string {
  if (line.endsWith("\r\n")) return line.slice(0, -2);
  if (line.endsWith("\n")) return line.slice(0, -1);
  return line;
}
