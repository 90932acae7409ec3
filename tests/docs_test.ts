/**
 * Keep the documentation true: every task is in the README, every topic has
 * a page, every example opens with the header the project promises.
 */
import "./_helpers/bind_libc.ts"; // before anything calls libc: see the module
import assert from "node:assert/strict";
import { ROOT, TASKS } from "../scripts/tasks.ts";
import { ORIGINALS } from "../scripts/c_originals.ts";
import { LIBC_SYMBOLS } from "../lib/ffi/symbols.ts";

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
      assertRunSection(`examples/${topic.name}/${file.name}`, header);
    }
  }
});

/**
 * The header's "Run" section: from the comment line that starts with `Run`
 * (` * Run: ...`, ` * Run, in two terminals:`, ` * Run it ...`) to the end of
 * its paragraph, indented command lines after a blank line included. Empty
 * when there is no such line.
 */
function runSection(header: string): string {
  const lines = header.split("\n").map((l) => l.replace(/^\s*\/?\*+ ?/, ""));
  const first = lines.findIndex((l) => /^Run\b/.test(l));
  if (first < 0) return "";
  const section: string[] = [];
  for (let i = first; i < lines.length; i++) {
    if (lines[i].trim() === "" && !/^ {4}\S/.test(lines[i + 1] ?? "")) break;
    section.push(lines[i]);
  }
  return section.join("\n");
}

/**
 * A program's header says how to run it: a `Run` section that names the
 * `deno task` that runs this file. A module no task runs says so: `Run: not
 * a program; <the files that import it> import it`, and those files exist.
 */
function assertRunSection(path: string, header: string): void {
  const section = runSection(header);
  assert.ok(section, `${path}: its header has no line starting with "Run"`);
  const tasks = Object.entries(TASKS).filter(([, cmd]) => cmd.split(/\s+/).includes(path))
    .map(([name]) => name);
  if (tasks.length > 0) {
    assert.ok(
      tasks.some((t) =>
        new RegExp(`\`deno task ${t}(?![\\w-])|^ {4}.*\\bdeno task ${t}(?![\\w-])`, "m").test(
          section,
        )
      ),
      `${path}: its Run section does not name \`deno task ${
        tasks.join("` or `deno task ")
      }\`:\n${section}`,
    );
    return;
  }
  assert.match(
    section,
    /^Run: not a program; [\s\S]*?\bimports? it\b/,
    `${path}: no task runs it, so its Run line says "Run: not a program; ... import(s) it"`,
  );
  const dir = path.slice(0, path.lastIndexOf("/"));
  for (const [, name] of section.matchAll(/\b([\w-]+\.ts)\b/g)) {
    const here = [...Deno.readDirSync(`${ROOT}/${dir}`)].some((e) => e.name === name);
    assert.ok(here, `${path}: its Run line names ${name}, which is not in ${dir}`);
  }
}

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

Deno.test("every exported function and class of lib/ has an @example", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", "lib/libc.ts"],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  type Declaration = {
    kind: string;
    location: { filename: string };
    jsDoc?: { tags?: Array<{ kind: string }> };
  };
  // `deno doc --json` format 2 (Deno 2.7 on) nests declarations in modules
  // and symbols; format 1 (Deno 2.5, 2.6) lists them flat, each with its name.
  type DocSymbol = { name: string; declarations: Declaration[] };
  const doc = JSON.parse(new TextDecoder().decode(out.stdout)) as {
    nodes: Record<string, { symbols: DocSymbol[] }> | Array<Declaration & { name: string }>;
  };
  const symbols: DocSymbol[] = Array.isArray(doc.nodes)
    ? doc.nodes.map((d) => ({ name: d.name, declarations: [d] }))
    : Object.values(doc.nodes).flatMap((module) => module.symbols);
  const missing: string[] = [];
  for (const symbol of symbols) {
    for (const d of symbol.declarations) {
      if (d.kind !== "function" && d.kind !== "class") continue;
      if (!d.jsDoc?.tags?.some((t) => t.kind === "example")) {
        missing.push(`${symbol.name} (${d.location.filename.split("/").pop()})`);
      }
    }
  }
  assert.deepEqual(missing, [], `no @example: ${missing.join(", ")}`);
});

Deno.test("least privilege: every example's task grants --allow-ffi and scoped env only", () => {
  // echo-server-deno uses Deno.listen instead of FFI (net + read/write for
  // the socket file); everything else talks to the kernel through libc.
  const exceptions = new Set(["echo-server-deno"]);
  for (const [name, command] of Object.entries(TASKS)) {
    // An example's task runs a file of examples/ (`deno task check` names examples/ too).
    const file = command.split(/\s+/).find((w) => w.endsWith(".ts")) ?? "";
    if (!command.startsWith("deno run") || !file.startsWith("examples/")) continue;
    if (exceptions.has(name)) continue;
    const flags = command.split(/\s+/).filter((w) => w.startsWith("-"));
    for (const flag of flags) {
      assert.ok(
        flag === "--allow-ffi" || /^--allow-env=[A-Z_,]+$/.test(flag),
        `task ${name} grants ${flag}`,
      );
    }
    assert.ok(flags.includes("--allow-ffi"), `task ${name} lacks --allow-ffi`);
  }
});

Deno.test("the C originals: nine beside their ports, each naming its seed; each page says how to run them", () => {
  const cFiles: string[] = [];
  for (const topic of Deno.readDirSync(`${ROOT}/examples`)) {
    if (!topic.isDirectory) continue;
    for (const file of Deno.readDirSync(`${ROOT}/examples/${topic.name}`)) {
      if (file.name.endsWith(".c")) cFiles.push(`examples/${topic.name}/${file.name}`);
    }
  }
  assert.deepEqual(cFiles.sort(), ORIGINALS.map((o) => o.source).sort());
  assert.equal(ORIGINALS.length, 9);
  for (const o of ORIGINALS) {
    const text = Deno.readTextFileSync(`${ROOT}/${o.source}`);
    const header = text.slice(0, text.indexOf("*/"));
    assert.match(header, /seed 00\d/, `${o.source}: its header names no seed`);
    assert.match(header, new RegExp(`deno task ${o.port}\\b`), `${o.source}: names no port task`);
    const page = Deno.readTextFileSync(`${ROOT}/${o.source.replace(/[^/]+$/, "README.md")}`);
    assert.match(page, /Run it against the C original/, `${o.source}: its page has no section`);
    assert.ok(page.includes(o.source.replace(/^.*\//, "")), `${o.source}: its page never names it`);
  }
});

/** The libc calls a table cell of C names: identifiers before `(` that libc exports. */
function cCalls(cell: string): string[] {
  return [...cell.matchAll(/\b([a-z_][a-z0-9_]*)\s*\(/g)]
    .map((m) => m[1])
    .filter((name) => Object.hasOwn(LIBC_SYMBOLS, name));
}

Deno.test("topic pages' C | port tables: every C call is named in the port, in the table's order", () => {
  let tables = 0;
  for (const topic of Deno.readDirSync(`${ROOT}/examples`)) {
    if (!topic.isDirectory) continue;
    const dir = `${ROOT}/examples/${topic.name}`;
    const lines = Deno.readTextFileSync(`${dir}/README.md`).split("\n");
    for (let i = 0; i < lines.length; i++) {
      const header = lines[i].split("|").slice(1, -1).map((c) => c.trim());
      if (header.length !== 2 || !/^C\b/.test(header[0]) || !/\bport\b/.test(header[1])) continue;
      tables++;
      const where = `examples/${topic.name}/README.md:${i + 1}`;
      const files = [...header[1].matchAll(/([\w./-]+\.ts)\b/g)].map((m) =>
        m[1].replace(/^.*\//, "")
      );
      assert.ok(files.length > 0, `${where}: the port column names no file: ${header[1]}`);
      const sources = files.map((f) => Deno.readTextFileSync(`${dir}/${f}`));
      let position = 0; // order is checked when the table is about one file
      for (let j = i + 2; j < lines.length && lines[j].startsWith("|"); j++) {
        const cCell = lines[j].split("|")[1] ?? "";
        for (const call of cCalls(cCell)) {
          const pattern = new RegExp(`\\b${call}\\s*\\(`, "g");
          if (sources.length === 1) {
            pattern.lastIndex = position;
            const found = pattern.exec(sources[0]);
            assert.ok(
              found,
              `${where}: ${files[0]} does not name ${call}( after the previous row's call (row ${
                j + 1
              })`,
            );
            position = found.index;
          } else {
            assert.ok(
              sources.some((s) => pattern.test(s)),
              `${where}: none of ${files.join(", ")} names ${call}( (row ${j + 1})`,
            );
          }
        }
      }
    }
  }
  assert.ok(tables >= 10, `only ${tables} C | port tables found`);
});
