/** Tour scenes for examples/msg-queues, examples/sockets and examples/semaphores. @module */
import { ROOT, type Scene, taskArgv } from "../stage.ts";
import { inDevShm, ipcsKey, randomKey, randomName, sysvWithKey } from "../probes.ts";

/** Whether the POSIX queue `name` still exists: posix-mq-send opens it without O_CREAT. */
async function queueExists(name: string): Promise<boolean> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [...taskArgv("posix-mq-send"), "--name", name],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  return !new TextDecoder().decode(out.stderr).includes(`no queue ${name}`);
}

function exists(path: string): boolean {
  try {
    Deno.lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

export const msgQueueScenes: Scene[] = [
  {
    topic: "msg-queues",
    title: "sysv-msg-server / sysv-msg-client: typed messages on one System V queue",
    story: "Two clients send requests of mtype 1 into the one queue; the server answers each " +
      "with mtype = that client's pid, and each client takes out only its own type. " +
      "sysv-msg-client --stop then asks the server to remove the queue and end.",
    async play(stage) {
      const key = randomKey();
      const server = stage.start("server", "sysv-msg-server", ["--key", key]);
      await server.waitFor("waiting for requests");
      const one = stage.start("client 1", "sysv-msg-client", ["--key", key]);
      const two = stage.start("client 2", "sysv-msg-client", ["--key", key]);
      await one.type("hello from one");
      await two.type("hello from two");
      await one.waitFor("reply: HELLO FROM ONE\n");
      await two.waitFor("reply: HELLO FROM TWO\n");
      await two.type("second line of two");
      await one.type("second line of one");
      await two.waitFor("reply: SECOND LINE OF TWO\n");
      await one.waitFor("reply: SECOND LINE OF ONE\n");
      const ipcs = stage.start("ipcs", "ipcs", ["-q"]);
      await ipcs.finish();
      stage.expect(ipcs.stdout.includes(ipcsKey(key)), "ipcs -q lists the queue");
      await one.endInput();
      await two.endInput();
      const [r1, r2] = [await one.finish(), await two.finish()];
      stage.expect(
        one.stdout === "reply: HELLO FROM ONE\nreply: SECOND LINE OF ONE\n" &&
          two.stdout === "reply: HELLO FROM TWO\nreply: SECOND LINE OF TWO\n",
        "each client got its own replies, in upper case, and no other",
        JSON.stringify([one.stdout, two.stdout]),
      );
      stage.expect(
        server.stdout.includes(`request from pid ${one.pid}: hello from one\n`) &&
          server.stdout.includes(`request from pid ${two.pid}: hello from two\n`),
        "the server saw each request with its client's pid",
      );
      stage.expect(r1.code === 0 && r2.code === 0, "both clients ended at EOF (exit 0)");
      const stop = stage.start("stop", "sysv-msg-client", ["--key", key, "--stop"]);
      const rstop = await stop.finish();
      const rs = await server.finish();
      stage.expect(
        rstop.code === 0 && stop.stdout === "stop request sent\n",
        "sysv-msg-client --stop sent the stop request (mtype 2)",
      );
      stage.expect(
        server.stdout.endsWith(`stop request from pid ${stop.pid}: removing the queue\n`) &&
          rs.code === 0,
        "the server removed the queue and ended (exit 0)",
        `exit ${rs.code}`,
      );
      const left = await sysvWithKey(key);
      stage.expect(left.length === 0, `no SysV object with key ${key} left`, left.join(", "));
    },
  },
  {
    topic: "msg-queues",
    title: "posix-mq-receive / posix-mq-send: a POSIX queue gives the highest priority first",
    story:
      "The receiver creates a queue by name and waits for ENTER; the sender puts in low (1), " +
      "urgent (7) and normal (3). Each mq_receive takes the oldest message of the highest " +
      "priority; quit ends the receiver, which unlinks the queue.",
    async play(stage) {
      const name = randomName("mq");
      const receiver = stage.start("receiver", "posix-mq-receive", ["--name", name]);
      await receiver.waitFor("press ENTER to start receiving...");
      const sender = stage.start("sender", "posix-mq-send", ["--name", name]);
      for (const [priority, text] of [[1, "low"], [7, "urgent"], [3, "normal"]]) {
        await sender.type(`${priority} ${text}`);
        await sender.waitFor(`sent with priority ${priority}: ${text}\n`);
      }
      await receiver.type("");
      await receiver.waitFor("priority 1: low\n");
      await sender.type("quit");
      await sender.waitFor("sent with priority 0: quit\n");
      await sender.endInput();
      const [rr, rs] = [await receiver.finish(), await sender.finish()];
      stage.expect(
        receiver.stdout.includes(
          "3 messages waiting\npriority 7: urgent\npriority 3: normal\npriority 1: low\n",
        ),
        "sent as low, urgent, normal; received as urgent, normal, low",
      );
      stage.expect(
        receiver.stdout.endsWith("priority 0: quit\n") && rr.code === 0,
        "quit (priority 0) ended the receiver (exit 0)",
        `exit ${rr.code}`,
      );
      stage.expect(rs.code === 0, "the sender ended at EOF (exit 0)", `exit ${rs.code}`);
      stage.expect(!(await queueExists(name)), `the queue ${name} was unlinked`);
    },
  },
];

/** echo-server or echo-server-deno, the same client, the same lines. */
function echoScene(task: "echo-server" | "echo-server-deno"): Scene {
  const deno = task === "echo-server-deno";
  return {
    topic: "sockets",
    title: deno
      ? "echo-server-deno / echo-client: the same server through Deno.listen"
      : "echo-server / echo-client: a Unix domain socket through libc",
    story: deno
      ? "Now Deno.listen({ transport: 'unix' }) and for-await over the listener instead of " +
        "socket/bind/listen and a poll table: the same echo-client, the same lines, the same output."
      : "The server binds echo.sock (the file is only the address), listens, and echoes what " +
        "each accepted client writes. SIGTERM makes it close and unlink the socket file.",
    async play(stage) {
      const path = `${stage.dir}/echo.sock`;
      const server = stage.start("server", task);
      await server.waitFor(`echo-server: listening on ${path}\n`);
      stage.expect(Deno.lstatSync(path).isSocket === true, "echo.sock is a socket file");
      const client = stage.start("client", "echo-client");
      const lines = ["hello", "a stream has no message boundaries", "çok güzel"];
      for (const line of lines) {
        await client.type(line);
        await client.waitFor(`echo: ${line}\n`);
      }
      await server.waitFor("client 1 connected\n");
      await client.endInput();
      const rc = await client.finish();
      await server.waitFor("client 1 disconnected\n");
      stage.expect(
        client.stdout === lines.map((l) => `echo: ${l}\n`).join(""),
        "every line came back as it was sent",
        JSON.stringify(client.stdout),
      );
      stage.expect(rc.code === 0, "the client ended at EOF (exit 0)", `exit ${rc.code}`);
      stage.expect(
        server.stdout ===
          `echo-server: listening on ${path}\nclient 1 connected\nclient 1 disconnected\n`,
        "the server saw the client come and go",
        JSON.stringify(server.stdout),
      );
      server.signal("SIGTERM");
      const rs = await server.finish();
      stage.expect(rs.code === 143, "SIGTERM stopped the server (exit 143)", `exit ${rs.code}`);
      stage.expect(!exists(path), "echo.sock was removed");
    },
  };
}

export const socketScenes: Scene[] = [
  echoScene("echo-server"),
  echoScene("echo-server-deno"),
  {
    topic: "sockets",
    title: "fd-pass-sender / fd-pass-receiver: an open file descriptor over a socket",
    story: "The sender opens secret.txt and deletes it: only its descriptor leads to the file " +
      "now. It passes the descriptor with sendmsg(SCM_RIGHTS); the receiver, told no path, " +
      "reads the file through the descriptor it received.",
    async play(stage) {
      const content = `only through the descriptor ${crypto.randomUUID().slice(0, 8)}\n`;
      await Deno.writeTextFile(`${stage.dir}/secret.txt`, content);
      const sender = stage.start("sender", "fd-pass-sender", ["--file", "secret.txt", "--unlink"]);
      await sender.waitFor(/passing fd \d+: .*secret\.txt, now deleted\n/);
      stage.expect(!exists(`${stage.dir}/secret.txt`), "secret.txt has no name any more");
      const receiver = stage.start("receiver", "fd-pass-receiver");
      const [rr, rs] = [await receiver.finish(), await sender.finish()];
      stage.expect(
        /^received fd \d+\n/.test(receiver.stdout) &&
          receiver.stdout.replace(/^received fd \d+\n/, "") === content,
        "the receiver read the deleted file through the passed fd",
        JSON.stringify(receiver.stdout),
      );
      stage.expect(
        /passed fd \d+ to receiver 1\n$/.test(sender.stdout),
        "the sender passed its fd to receiver 1",
      );
      stage.expect(rr.code === 0 && rs.code === 0, "both exited 0");
      stage.expect(!exists(`${stage.dir}/fd-pass.sock`), "fd-pass.sock was removed");
    },
  },
  {
    topic: "sockets",
    title: "fd-pass-sender --clients 2: two receivers, one open file, one offset",
    story: "By default the sender passes a file that never had a name (O_TMPFILE). A passed " +
      "descriptor is the same open file: the first receiver reads it to the end, and the " +
      "second starts where the first stopped, at the end.",
    async play(stage) {
      const sender = stage.start("sender", "fd-pass-sender", ["--clients", "2"]);
      await sender.waitFor("an unnamed file (O_TMPFILE)\n");
      const first = stage.start("receiver 1", "fd-pass-receiver");
      const r1 = await first.finish();
      const second = stage.start("receiver 2", "fd-pass-receiver");
      const r2 = await second.finish();
      const rs = await sender.finish();
      stage.expect(
        /^received fd \d+\nThis file has no name: only the descriptor you were passed leads to it\.\n$/
          .test(first.stdout),
        "receiver 1 read the unnamed file",
      );
      stage.expect(
        /^received fd \d+\n$/.test(second.stdout),
        "receiver 2 read nothing: the shared offset was already at the end",
        JSON.stringify(second.stdout),
      );
      stage.expect(r1.code === 0 && r2.code === 0 && rs.code === 0, "all three exited 0");
    },
  },
];

/** sem-ping + sem-pong for a few rounds, with the SysV or the POSIX lock. */
function pingPongScene(posix: boolean): Scene {
  const rounds = 5;
  return {
    topic: "semaphores",
    title: posix
      ? "sem-ping --posix / sem-pong: the lock is a POSIX named semaphore"
      : "sem-ping / sem-pong: shared memory guarded by a System V semaphore",
    story: posix
      ? "The same exchange with sem_open/sem_wait/sem_post on a named semaphore (a file in " +
        "/dev/shm) instead of a SysV set; sem-ping unlinks it at the end."
      : `Two processes take turns through one segment for ${rounds} rounds, every access under ` +
        "a semaphore lock (semop -1/+1 with SEM_UNDO). Each answers the other's message with its " +
        "SHA-256: every digest must verify, no message may be torn.",
    async play(stage) {
      const key = randomKey();
      const name = randomName("sem");
      const semFile = `sem.${name.slice(1)}`;
      const ping = stage.start("ping", "sem-ping", [
        "--key",
        key,
        "--rounds",
        String(rounds),
        ...(posix ? ["--posix", "--sem-name", name] : []),
      ]);
      await ping.waitFor("waiting for sem-pong\n");
      if (posix) {
        stage.expect(await inDevShm(semFile), `the semaphore is the file /dev/shm/${semFile}`);
      } else {
        const ipcs = stage.start("ipcs", "ipcs", ["-m", "-s"]);
        await ipcs.finish();
        stage.expect(
          ipcs.stdout.split(ipcsKey(key)).length === 3,
          "ipcs lists the segment and the semaphore set",
        );
      }
      const pong = stage.start("pong", "sem-pong", ["--key", key]);
      const [rp, rq] = [await ping.finish(), await pong.finish()];
      stage.expect(
        posix
          ? ping.stdout.includes(`lock: POSIX named semaphore ${name}\n`)
          : /lock: SysV semaphore set \(semid \d+\)\n/.test(ping.stdout),
        posix ? "the lock is the POSIX semaphore" : "the lock is the SysV semaphore set",
      );
      const verified = [
        ...ping.stdout.matchAll(
          /^round \d+: sem-pong's digest ([0-9a-f]{16}) of my message verified$/gm,
        ),
      ].map((m) => m[1]);
      const replied = [
        ...pong.stdout.matchAll(
          /^round \d+: message intact, replied with its digest ([0-9a-f]{16})$/gm,
        ),
      ].map((m) => m[1]);
      stage.expect(
        verified.length === rounds && JSON.stringify(verified) === JSON.stringify(replied),
        `sem-ping verified each of the ${rounds} digests sem-pong replied with`,
        `${verified.length} verified, ${replied.length} replied`,
      );
      stage.expect(
        ping.stdout.endsWith(
          `sem-ping: ${rounds} rounds, every digest verified, no torn message\n`,
        ) &&
          pong.stdout.endsWith(`sem-pong: ${rounds} rounds, every message intact\n`),
        "no torn message on either side",
      );
      stage.expect(rp.code === 0 && rq.code === 0, "both exited 0", `${rp.code}, ${rq.code}`);
      const left = await sysvWithKey(key);
      stage.expect(left.length === 0, `no SysV object with key ${key} left`, left.join(", "));
      if (posix) stage.expect(!(await inDevShm(semFile)), `${name} was unlinked from /dev/shm`);
    },
  };
}

export const semaphoreScenes: Scene[] = [pingPongScene(false), pingPongScene(true)];
