/** Practice mode: the exercises of examples/msg-queues (see exercises/catalogue.ts). @module */
import type { Exercise } from "../exercise.ts";

export const MSG_QUEUES: Exercise[] = [
  {
    name: "sysv-msg-server",
    example: "examples/msg-queues/sysv-msg-server.ts",
    origin: "System V message queues, seed 003",
    goal: "Create the queue for KEY, take requests out lowest type first, answer each with a " +
      "message whose type is the client's pid, and remove the queue at the end.",
    hints: [
      "One queue carries everything; the message type says who a message is for. Requests " +
      "have type REQUEST (1), a stop request STOP (2): msgrcv with a negative type, -STOP, " +
      "takes the lowest type <= 2 first, and never the server's own card (type CARD).",
      "Each client takes out only messages of its own pid's type: the reply's type must be the " +
      "pid in the request. At the end the queue stays until IPC_RMID removes it.",
      "The calls, in the C's order: msgget(KEY, IPC_CREAT|IPC_EXCL|0600), msgrcv(msqid, &req, " +
      "sizeof req.text + 4, -STOP, 0), msgsnd(msqid, &reply, len, 0) with reply.mtype = " +
      "req.pid, msgctl(msqid, IPC_RMID, NULL). Here: MessageQueue.create(key, { mode: 0o600 }), " +
      "await queue.receiveAsync(4 + TEXT_MAX, -STOP), await queue.sendAsync(pid, " +
      "encodeText(text.toUpperCase())), queue.remove().",
    ],
    tests: { file: "tests/msg_queues_test.ts", filter: "^sysv-msg(:|-server)" },
    diagnoses: [
      {
        when:
          "\\+ .sysv-msg-server: [^\\n]*no sysv-msg-server card|ignored a message of type 2147483647",
        say: "The server took its own card out of the queue: msgrcv with type 0 (or a type above " +
          "STOP) takes any message, the card included. Ask for the lowest type <= STOP " +
          "(C: msgrcv(msqid, &req, sizeof req.text + 4, -STOP, 0)).",
      },
      {
        when: "(\\+ '|--- stderr ---\\n)sysv-msg-client: no reply within",
        say: "A client got no reply, or another's: each client waits only for messages whose " +
          "type is its own pid. Send the reply with the pid from the request as its type " +
          "(C: reply.mtype = req.pid; msgsnd(msqid, &reply, len, 0)).",
      },
      {
        when: "left behind",
        say: "The queue is still there after the server ended: a System V queue outlives every " +
          "process until it is removed. Remove it after the stop request " +
          "(C: msgctl(msqid, IPC_RMID, NULL)).",
      },
    ],
    blanks: [
      {
        find: "  // msqid = msgget(KEY, IPC_CREAT | IPC_EXCL | 0600);\n" +
          "  let created: MessageQueue;\n  try {\n" +
          "    created = MessageQueue.create(key, { mode: 0o600 });\n",
        todo: "  // msqid = msgget(KEY, IPC_CREAT | IPC_EXCL | 0600);\n" +
          "  let created: MessageQueue;\n  try {\n" +
          "    created = todo<MessageQueue>(\n" +
          '      "create a new queue for KEY, mode 0600, refusing one that exists (C: msgget(KEY, IPC_CREAT | IPC_EXCL | 0600))",\n' +
          "    );\n",
      },
      {
        find: "      message = await queue.receiveAsync(4 + TEXT_MAX, -STOP);\n",
        todo: "      message = await todo<ReturnType<typeof queue.receiveAsync>>(\n" +
          '        "take the next request out, the lowest type <= STOP first (C: msgrcv(msqid, &req, sizeof req.text + 4, -STOP, 0))",\n' +
          "      );\n",
      },
      {
        find: "      await queue.sendAsync(pid, encodeText(text.toUpperCase()));\n",
        todo: "      todo(\n" +
          '        "send the text in upper case, as a message of type pid (C: reply.mtype = req.pid; msgsnd(msqid, &reply, len, 0))",\n' +
          "      );\n",
      },
      {
        find: "  // msgctl(msqid, IPC_RMID, NULL);\n  if (!queue.remove()) alreadyRemoved();\n",
        todo: "  // msgctl(msqid, IPC_RMID, NULL);\n" +
          '  if (!todo<boolean>("remove the queue (C: msgctl(msqid, IPC_RMID, NULL))")) alreadyRemoved();\n',
      },
    ],
  },
  {
    name: "posix-mq-receive",
    example: "examples/msg-queues/posix-mq-receive.ts",
    origin: "POSIX message queues, seed 003",
    goal: "Create the POSIX queue with its attributes, read them back, receive messages " +
      "(highest priority first) until quit, then close the queue and remove its name.",
    hints: [
      "mq_open with O_CREAT takes a mode and a struct mq_attr (here ATTR: 10 messages of at most " +
      "256 bytes); the port also opens it O_NONBLOCK, so that an empty queue is EAGAIN instead " +
      "of a wait that freezes the program.",
      "mq_receive needs a buffer of at least mq_msgsize bytes (from mq_getattr), even for a short " +
      "message; it returns the oldest message of the highest priority. At the end mq_close " +
      "closes the descriptor, and only mq_unlink removes the queue's name.",
      "The calls, in the C's order: mq_open(NAME, O_CREAT | O_RDONLY, 0600, &attr), " +
      "mq_getattr(mqd, &attr), mq_receive(mqd, buf, attr.mq_msgsize, &prio), mq_close(mqd), " +
      "mq_unlink(NAME). Here: PosixMessageQueue.open(name, { flags: O.CREAT | O.RDONLY | " +
      "O.NONBLOCK, mode: 0o600, attr: ATTR }), queue.attributes(), " +
      "queue.receive(attr.messageSize) (--drain) and await queue.receiveAsync(" +
      "attr.messageSize, { timeoutMs: CHECK_AFTER_MS }), queue.close(), queue.remove().",
    ],
    tests: { file: "tests/msg_queues_test.ts", filter: "^posix-mq(:|-receive)" },
    diagnoses: [
      {
        when: "EMSGSIZE",
        say: "mq_receive fails with EMSGSIZE whenever its buffer is smaller than the queue's " +
          "mq_msgsize, even for a short message: pass the size mq_getattr gave " +
          "(C: mq_receive(mqd, buf, attr.mq_msgsize, &prio)).",
      },
      {
        when: "mq_open did not fail",
        say: "The queue's name is still there after the receiver ended: mq_close only closes " +
          "this process's descriptor; the queue lives on until its name is removed " +
          "(C: mq_unlink(NAME), after mq_close).",
      },
    ],
    blanks: [
      {
        find: "  using queue = PosixMessageQueue.open(name, {\n" +
          "    flags: O.CREAT | O.RDONLY | O.NONBLOCK,\n    mode: 0o600,\n    attr: ATTR,\n  })",
        todo: "  using queue = todo<PosixMessageQueue>(\n" +
          '    "open NAME for reading, non-blocking, creating it with mode 0600 and ATTR (C: mq_open(NAME, O_CREAT | O_RDONLY, 0600, &attr))",\n' +
          "  )",
      },
      {
        find: "  const attr = queue.attributes();\n",
        todo: "  const attr = todo<ReturnType<typeof queue.attributes>>(\n" +
          '    "read the queue\'s attributes (C: mq_getattr(mqd, &attr))",\n' +
          "  );\n",
      },
      {
        find: "        message = queue.receive(attr.messageSize);\n",
        todo: "        message = todo<ReturnType<typeof queue.receive>>(\n" +
          '          "take the next message out, without waiting (C: mq_receive(mqd, buf, attr.mq_msgsize, &prio))",\n' +
          "        );\n",
      },
      {
        find:
          "      message = await queue.receiveAsync(attr.messageSize, { timeoutMs: CHECK_AFTER_MS });\n",
        todo: "      message = await todo<ReturnType<typeof queue.receiveAsync>>(\n" +
          '        "wait up to CHECK_AFTER_MS for the next message and take it out (C: poll, then mq_receive(mqd, buf, attr.mq_msgsize, &prio))",\n' +
          "      );\n",
      },
      {
        find: "  // mq_close(mqd);\n  queue.close();\n",
        todo: "  // mq_close(mqd);\n" +
          '  todo("close the queue descriptor (C: mq_close(mqd))");\n',
      },
      {
        find: "  // mq_unlink(NAME);\n  if (!queue.remove()) alreadyRemoved();\n",
        todo: "  // mq_unlink(NAME);\n" +
          '  if (!todo<boolean>("remove the queue\'s name (C: mq_unlink(NAME))")) alreadyRemoved();\n',
      },
    ],
  },
];
