/**
 * The op and resource sanitizers, on for every test on every supported Deno
 * (imported first by tests/_helpers/bind_libc.ts, which every test file
 * imports first). Deno 2.5 to 2.7 turn them on by default and reject
 * deno.json's `"test": { "sanitizeOps": true }` ("unknown field"); from
 * 2.8 they are off by default and `Deno.test.sanitizer` turns them on for
 * the test file (tests registered after this call; a test's own
 * `sanitizeOps: false` still wins). tests/sanitizers_test.ts checks that a
 * leak fails a test.
 */

/** `Deno.test.sanitizer`, which Deno 2.8 added (absent before). */
type ModuleSanitizer = (options: { ops?: boolean; resources?: boolean }) => void;

const sanitizer = (Deno.test as { sanitizer?: ModuleSanitizer }).sanitizer;
sanitizer?.({ ops: true, resources: true });
