/** Tour scenes for examples/sysv-shm. @module */
import type { Scene } from "../stage.ts";
import { ipcsKey, randomKey, sysvWithKey } from "../probes.ts";

export const sysvShmScenes: Scene[] = [
  {
    topic: "sysv-shm",
    title: "shmproc1 / shmproc2: System V shared memory by key",
    story: "shmproc1 creates a 4096-byte segment for a key, attaches it and copies " +
      "'This is a test' into it; shmproc2 attaches the same key and reads the bytes " +
      "directly, with no copy through the kernel. shmproc1 then removes it (IPC_RMID).",
    async play(stage) {
      const key = randomKey();
      const one = stage.start("shmproc1", "shmproc1", ["--key", key]);
      await one.waitFor("press ENTER to key to continue...");
      const two = stage.start("shmproc2", "shmproc2", ["--key", key]);
      await two.waitFor("Press ENTER to continue...");
      await two.type("");
      const r2 = await two.finish();
      stage.expect(two.stdout.includes("This is a test\n"), "shmproc2 printed This is a test");
      await one.type("");
      const r1 = await one.finish();
      stage.expect(r1.code === 0 && r2.code === 0, "both exited 0");
      stage.expect(
        (await sysvWithKey(key)).length === 0,
        `no segment with key ${key} in /proc/sysvipc/shm`,
      );
    },
  },
  {
    topic: "sysv-shm",
    title: "write-shm / read-shm: a segment outlives its writer",
    story: "write-shm sprintf()s a message into a segment and exits: the segment stays " +
      "in the kernel. read-shm finds it by key (no IPC_CREAT), sscanf()s it, and with " +
      "--remove removes it. ipcs shows it in between.",
    async play(stage) {
      const key = randomKey();
      const w = stage.start("write-shm", "write-shm", ["--key", key]);
      const rw = await w.finish();
      stage.expect(rw.code === 0, "write-shm exited 0 and left the segment");
      const ipcs = stage.start("ipcs", "ipcs", ["-m"]);
      await ipcs.finish();
      stage.expect(
        ipcs.stdout.includes(ipcsKey(key)),
        "ipcs lists the segment",
      );
      const r = stage.start("read-shm", "read-shm", ["--key", key, "--remove"]);
      const rr = await r.finish();
      stage.expect(
        /Data read from memory: .*This is a test/.test(r.stdout),
        "read-shm printed the message",
      );
      stage.expect(rr.code === 0, "read-shm exited 0");
      stage.expect((await sysvWithKey(key)).length === 0, "read-shm --remove removed the segment");
    },
  },
];
