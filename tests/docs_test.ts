/**
 * Keep the documentation true: every task is in the README, every topic has
 * a page, every example opens with the header the project promises.
 */
import assert from "node:assert/strict";
import { ROOT, TASKS } from "../scripts/tasks.ts";

const config = { tasks: TASKS };
const readme = Deno.readTextFileSync(`${ROOT}/README.md`);

Deno.test("every task in deno.json is mentioned in the README", () => {
  const missing = Object.keys(config.tasks).filter((t) => !readme.includes(`deno task ${t}`));
  assert.deepEqual(missing, [], `README.md does not mention: ${missing.join(", ")}`);
});

Deno.test("every task's script exists", () => {
  const missing = Object.entries(config.tasks)
    .map(([, cmd]) => cmd.split(/\s+/).find((w) => w.endsWith(".ts")))
    .filter((p): p is string => p !== undefined)
    .filter((p) => {
      try {
        Deno.statSync(`${ROOT}/${p}`);
        return false;
      } catch {
        return true;
      }
    });
  assert.deepEqual(missing, []);
});

Deno.test("every example topic has a page, and every example a header comment", () => {
  for (const topic of Deno.readDirSync(`${ROOT}/examples`)) {
    if (!topic.isDirectory) continue;
    const dir = `${ROOT}/examples/${topic.name}`;
    const page = Deno.readTextFileSync(`${dir}/README.md`);
    assert.match(page, /```mermaid/, `${topic.name}/README.md has no diagram`);
    for (const file of Deno.readDirSync(dir)) {
      if (!file.name.endsWith(".ts")) continue;
      const text = Deno.readTextFileSync(`${dir}/${file.name}`);
      assert.match(text, /^\/\*\*/, `${topic.name}/${file.name} does not open with a comment`);
      const header = text.slice(0, text.indexOf("*/"));
      assert.match(
        header,
        /seed|Beyond the seeds|beyond the seeds/i,
        `${file.name}: no original/seed named`,
      );
      assert.match(header, /Run/i, `${file.name}: header does not say how to run it`);
    }
  }
});

Deno.test("the API reference builds (deno doc --html) and every export is documented (--lint)", async () => {
  const out = await Deno.makeTempDir({ prefix: "ipc-lab-docs-" });
  try {
    const html = await new Deno.Command(Deno.execPath(), {
      args: ["doc", "--html", "--name=ipc-lab", `--output=${out}/api`, "lib/libc.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(html.code, 0, new TextDecoder().decode(html.stderr));
    assert.ok(Deno.statSync(`${out}/api/index.html`).isFile);
    const lint = await new Deno.Command(Deno.execPath(), {
      args: ["doc", "--lint", "lib/libc.ts"],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(lint.code, 0, new TextDecoder().decode(lint.stderr));
  } finally {
    await Deno.remove(out, { recursive: true });
  }
});
