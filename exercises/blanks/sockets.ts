/** Practice mode: the exercises of examples/sockets (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const SOCKETS: Exercise[] = [
  {
    name: "echo-client",
    example: "examples/sockets/echo-client.ts",
    origin: "seed 002 names sockets; the classic C echo client",
    goal: "Make the socket, connect it to the server's path, send each line and read its echo " +
      "back, then close the socket.",
    hints: [
      "A client needs no bind or listen: a socket, then connect to the path the server bound. " +
      "After that the socket is an ordinary descriptor: write and read.",
      "The socket is non-blocking: use the forms that wait signal-friendly and await them " +
      "(connectAsync, writeAllAsync). The server echoes exactly the bytes it got, so send the " +
      "newline too, and read the reply as a whole line through the LineReader on fd (replies).",
      "The calls, in the C's order: socket(AF_UNIX, SOCK_STREAM, 0), connect(fd, &addr, " +
      "sizeof addr), per line write(fd, line, strlen(line)) and read() until the newline, " +
      "close(fd). Here: socket({ nonblock: true }), await connectAsync(fd, path), " +
      "await writeAllAsync(fd, encoder.encode(`${text}\\n`)), await replies.readLine(), " +
      "server.close().",
    ],
    tests: {
      file: "tests/sockets_test.ts",
      filter:
        "^(echo-client: |echo: |echo-server(-deno)?: (four concurrent|SIGKILL of one client))",
    },
    diagnoses: [
      {
        when: "EAGAIN",
        say: "The socket is non-blocking: a connect to a server whose backlog is full, or a " +
          "write into a full socket, fails with EAGAIN instead of waiting as in the C. Use the " +
          "forms that wait: await connectAsync(fd, path) (C: connect), await writeAllAsync(fd, " +
          "bytes) (C: write).",
      },
      {
        when: "did not end|timed out",
        say: "The client waits for an echo that never ends in a newline: the server sends back " +
          "exactly the bytes it got. Send the line with its '\\n' (C's fgets keeps it; " +
          "write(fd, line, strlen(line))), and read the reply until the newline " +
          "(replies.readLine()).",
      },
    ],
    blanks: [
      {
        find: "  using server = socket({ nonblock: true });\n",
        todo: "  using server = todo<ReturnType<typeof socket>>(\n" +
          '    "make a Unix stream socket, non-blocking (C: fd = socket(AF_UNIX, SOCK_STREAM, 0))",\n' +
          "  );\n",
      },
      {
        find: "    await connectAsync(fd, path);\n",
        todo: "    await todo<Promise<void>>(\n" +
          '      "connect fd to the socket file at path (C: connect(fd, &addr, sizeof addr))",\n' +
          "    );\n",
      },
      {
        find: "      await writeAllAsync(fd, encoder.encode(`${text}\\n`));\n",
        todo: "      await todo<Promise<void>>(\n" +
          '        "send text and a newline to the server (C: write(fd, line, strlen(line)))",\n' +
          "      );\n",
      },
      {
        find: "      const echo = await replies.readLine();\n",
        todo: "      const echo = await todo<Promise<string | null>>(\n" +
          '        "read the echo from the socket up to its newline (C: read(fd, buf, ...))",\n' +
          "      );\n",
      },
      {
        find: "  // close(fd);\n  server.close();\n",
        todo: "  // close(fd);\n" +
          '  todo("close the socket: the server then reads end-of-file (C: close(fd))");\n',
      },
    ],
  },
  {
    name: "fd-pass-sender",
    example: "examples/sockets/fd-pass-sender.ts",
    origin: "seed 002 names sockets; the C pattern of passing a descriptor",
    goal: "Listen on a Unix socket, accept each receiver and send it the open file's " +
      "descriptor (sendmsg with SCM_RIGHTS), then remove the socket file.",
    hints: [
      "A server's socket: socket, bind it to the path (that creates the socket file), listen, " +
      "then accept each receiver into a connected descriptor of its own.",
      "The descriptor travels as ancillary data: at least one ordinary byte, plus a control " +
      "message {SOL_SOCKET, SCM_RIGHTS, fd}; lib/socket.ts builds the structs (sendFds, " +
      "sendFdsAsync). close does not remove the socket file: unlink it at the end.",
      "The calls, in the C's order: socket(), bind(), listen(), accept(), sendmsg(), " +
      "close(cfd), close(sfd), unlink(PATH). Here: socket({ nonblock: true }), " +
      "bind(sfd, path), listen(sfd, 16), (await acceptAsync(sfd, { nonblock: true }))!, " +
      'await sendFdsAsync(conn.fd, new TextEncoder().encode("F"), [file.fd]), unlink(path).',
    ],
    tests: {
      file: "tests/sockets_test.ts",
      filter: "^(fd passing: (the receiver reads|by default|errors)|fd-pass-sender: )",
    },
    diagnoses: [
      {
        when: "left behind",
        say: "The socket file stayed: close(sfd) does not remove the file that bind made. " +
          "Remove it yourself at the end, after closing the socket (C: unlink(PATH)).",
      },
      {
        when: "EINVAL|ECONNREFUSED",
        say: "Nobody could connect: a bound socket accepts connections only after listen " +
          "(C: listen(sfd, 16), between bind and accept). accept on a socket that does not " +
          "listen fails with EINVAL, and the receiver's connect is refused (ECONNREFUSED).",
      },
    ],
    blanks: [
      {
        find: "  using server = socket({ nonblock: true });\n",
        todo: "  using server = todo<ReturnType<typeof socket>>(\n" +
          '    "make a Unix stream socket, non-blocking (C: sfd = socket(AF_UNIX, SOCK_STREAM, 0))",\n' +
          "  );\n",
      },
      {
        find: "    bind(sfd, path); // creates the socket file\n",
        todo:
          '    todo("bind sfd to path: this creates the socket file (C: bind(sfd, &addr, sizeof addr))");\n',
      },
      {
        find: "  listen(sfd, 16);\n",
        todo: '  todo("let sfd accept connections, a backlog of 16 (C: listen(sfd, 16))");\n',
      },
      {
        find: "    using conn = (await acceptAsync(sfd, { nonblock: true }))!;\n",
        todo: "    using conn = await todo<Promise<Fd>>(\n" +
          '      "accept the next receiver (C: cfd = accept(sfd, NULL, NULL))",\n' +
          "    );\n",
      },
      {
        find: '      await sendFdsAsync(conn.fd, new TextEncoder().encode("F"), [file.fd]);\n',
        todo: "      await todo<Promise<number>>(\n" +
          '        "send the byte F with file.fd attached as SCM_RIGHTS (C: sendmsg(cfd, &msg, 0))",\n' +
          "      );\n",
      },
      {
        find: "  // unlink(PATH);\n  unlink(path);\n",
        todo: "  // unlink(PATH);\n" +
          '  todo("remove the socket file: close did not (C: unlink(PATH))");\n',
      },
    ],
  },
];
