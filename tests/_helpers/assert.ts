/** Assertions shared by the tests of lib/. */
import assert from "node:assert/strict";
import { LibcError } from "../../lib/errno.ts";

/**
 * Run `fn`, which must fail with a {@link LibcError} of libc call `call` and
 * errno name `code`; returns the error for further checks.
 */
export function expectLibcError(fn: () => unknown, call: string, code: string): LibcError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof LibcError, `expected LibcError, got ${e}`);
    assert.equal(e.call, call);
    assert.equal(e.code, code);
    return e;
  }
  assert.fail(`${call} did not fail`);
}
