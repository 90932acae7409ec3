/** Tour scenes for examples/fifo and the pipe-semantics experiments. @module */
import type { Scene } from "../stage.ts";

export const pipeSemanticsScene: Scene = {
  topic: "pipes",
  title: "pipe-semantics: the seed's read/write rules, as experiments",
  story: "Nine experiments on real pipes: what a blocking read returns, EOF, EAGAIN, " +
    "partial writes, PIPE_BUF atomicity with four writer processes, SIGPIPE/EPIPE, " +
    "and the real capacity. Every figure is measured.",
  async play(stage) {
    const p = stage.start("pipe-semantics", "pipe-semantics");
    const r = await p.finish();
    stage.expect(r.code === 0, "all nine experiments ran", `exit ${r.code}`);
    stage.expect(
      /read failed with EAGAIN/.test(p.stdout),
      "O_NONBLOCK read on an empty pipe: EAGAIN",
    );
    stage.expect(
      / 0 run\(s\) were not whole records/.test(p.stdout),
      "no write of PIPE_BUF bytes was split",
    );
    stage.expect(
      /our write failed with EPIPE; yes killed by SIGPIPE/.test(p.stdout),
      "EPIPE here, SIGPIPE in a child",
    );
    stage.expect(
      /PIPE_BUF = 4096; F_GETPIPE_SZ = 65536/.test(p.stdout),
      "capacity 65536 is not PIPE_BUF 4096",
    );
  },
};

export const fifoScenes: Scene[] = [
  {
    topic: "fifo",
    title: "writefifo / readfifo: a named pipe between unrelated processes",
    story: "readfifo waits for a writer on testfifo (made in the user's directory); writefifo " +
      "opens it for writing and sends each typed line as a C string with its NUL, until quit.",
    async play(stage) {
      const reader = stage.start("reader", "readfifo");
      await reader.waitFor("waiting for a writer");
      const writer = stage.start("writer", "writefifo");
      for (const line of ["hello", "world", "quit"]) {
        await writer.waitFor(
          new RegExp(`(text:[^]*){${["hello", "world", "quit"].indexOf(line) + 1}}`),
        );
        await writer.type(line);
      }
      const [rw, rr] = [await writer.finish(), await reader.finish()];
      stage.expect(
        reader.stdout === "hello\nworld\n",
        "the reader printed hello and world on their own lines",
      );
      stage.expect(rw.code === 0 && rr.code === 0, "quit ended both (exit 0)");
    },
  },
  {
    topic: "fifo",
    title: "fifo-server / fifo-client: one request FIFO, a reply FIFO per client",
    story: "The server reads requests from its well-known FIFO; each client makes its own " +
      "reply FIFO named after its pid, asks for sequence numbers and reads the answer.",
    async play(stage) {
      const server = stage.start("server", "fifo-server");
      await server.waitFor("serving sequence numbers");
      const clients = [3, 2, 4].map((n, i) =>
        stage.start(`client ${i + 1}`, "fifo-client", [String(n)])
      );
      const codes = [];
      for (const c of clients) codes.push((await c.finish()).code);
      const starts = clients.map((c) => Number(c.stdout.trim()));
      stage.expect(codes.every((c) => c === 0), "every client exited 0");
      const ranges = starts.map((s, i) => [s, s + [3, 2, 4][i]]).sort((a, b) => a[0] - b[0]);
      stage.expect(
        ranges[0][0] === 0 && ranges.every((r, i) => i === 0 || r[0] === ranges[i - 1][1]),
        "the ranges 0..9 were handed out once each, no reply went to the wrong client",
        JSON.stringify(ranges),
      );
      server.signal("SIGTERM");
      const rs = await server.finish();
      stage.expect(rs.code === 143, "SIGTERM stopped the server (exit 143), removing its FIFO");
    },
  },
];
