/**
 * The op and resource sanitizers are on for every test on every supported
 * Deno (tests/_helpers/sanitizers.ts: on by default in Deno 2.5 to 2.7,
 * `Deno.test.sanitizer` from 2.8), and an older Deno stops with one
 * sentence naming the minimum (lib/deno_version.ts).
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { denoTooOld, MIN_DENO } from "../lib/deno_version.ts";

const HELPER = new URL("./_helpers/bind_libc.ts", import.meta.url).href;

Deno.test("a test file that imports the helpers fails a test that leaks an op or a resource", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ipc-lab-sanitizers-" });
  try {
    // The same first import as every test file; no deno.json in `dir`, so
    // only the helper turns the sanitizers on (from Deno 2.8).
    await Deno.writeTextFile(
      `${dir}/leaks_test.ts`,
      `import ${JSON.stringify(HELPER)};
Deno.test("leaks a timer", () => { setTimeout(() => {}, 3_600_000); });
Deno.test("leaks a file", () => { Deno.openSync("/dev/null"); });
Deno.test("leaks nothing", () => {});
`,
    );
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["test", "--no-check", "--allow-all", "leaks_test.ts"],
      cwd: dir,
      env: { NO_COLOR: "1" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(out.stdout) + new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 1, text);
    assert.match(text, /leaks a timer \.\.\. FAILED/, text);
    assert.match(text, /A timer was started in this test, but never completed/, text);
    assert.match(text, /leaks a file \.\.\. FAILED/, text);
    assert.match(text, /A file was opened during the test, but not closed/, text);
    assert.match(text, /leaks nothing \.\.\. ok/, text);
    assert.match(text, /FAILED \| 1 passed \| 2 failed/, text);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("denoTooOld: one sentence naming the minimum for a Deno before it, null from it on", () => {
  assert.deepEqual(MIN_DENO, [2, 5]);
  assert.equal(
    denoTooOld("2.4.4"),
    "ipc-lab needs Deno 2.5 or newer; this is Deno 2.4.4 (upgrade with `deno upgrade`, " +
      "or run without installing: `npx -y deno@2.9.6 task tour`).",
  );
  assert.match(
    denoTooOld("1.46.3") ?? "",
    /^ipc-lab needs Deno 2\.5 or newer; this is Deno 1\.46\.3 /,
  );
  assert.match(denoTooOld("2.0.6") ?? "", /needs Deno 2\.5 or newer/);
  for (const v of ["2.5.0", "2.5.7", "2.8.3", "2.9.6", "2.10.0", "3.0.0", Deno.version.deno]) {
    assert.equal(denoTooOld(v), null, v);
  }
});
