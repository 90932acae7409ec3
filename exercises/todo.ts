/**
 * The blank in an exercise: `todo("create the pipe (C: pipe(fds))")` stands
 * where the example makes a call its lesson is about. It throws, so an
 * exercise run before its blanks are filled stops at the first one and
 * says which (`pipe-parent-child: TODO: create the pipe (C: pipe(fds))`,
 * exit 1). Replace each `todo(...)` (the whole expression or statement)
 * with the call.
 *
 * @module
 */

/** What an unfilled blank throws. */
export class TodoError extends Error {
  constructor(what: string) {
    super(`TODO: ${what}`);
    this.name = "TodoError";
  }
}

/**
 * A blank to fill: throws {@link TodoError}. The type parameter is the type
 * of the value the call you write there returns, so the rest of the
 * program type-checks as it is.
 *
 * @example
 * ```ts
 * import { todo } from "./todo.ts";
 * const fd = todo<number>("open the FIFO for writing (C: open(path, O_WRONLY))");
 * ```
 */
export function todo<T = void>(what: string): T {
  throw new TodoError(what);
}
