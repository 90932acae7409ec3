/*
 * write_shm.c of seed 004 ("Inter process communication using shared
 * memory"), REBUILT: the blog's code was lost (only its prose survives), so
 * this is written from that prose, in the seed's words: "creates a shared
 * memory ... and then writes a message in the shared memory. Note the use
 * of IPC_CREAT flag with the shmget call", writing with sprintf; read_shm.c
 * reads it back with sscanf through the same key. Nothing here is the
 * blog's own text but the calls the prose names; the message format and
 * the printed lines are those of the port (write-shm.ts), which was built
 * from the same prose first.
 *
 * - SHMKEY may be set with -DSHMKEY=... (tests run with keys of their own);
 *   its default, 0x12345678, is the key of seed 000's shmproc pair.
 * - The message is argv[1] when given, else "This is a test".
 *
 * Build and run:
 *     cc -o write_shm write_shm.c && ./write_shm
 *     cc -o read_shm read_shm.c && ./read_shm
 * The segment stays after both exit (System V): ipcrm -M 0x12345678, or
 * deno task read-shm --remove, removes it.
 * Its port: deno task write-shm (examples/sysv-shm/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef SHMKEY
#define SHMKEY 0x12345678
#endif
#define SHM_SIZE 4096

int main(int argc, char *argv[])
{
    int shmid;
    char *data;

    if ((shmid = shmget(SHMKEY, SHM_SIZE, 0660 | IPC_CREAT)) < 0) {
        perror("shmget");
        exit(EXIT_FAILURE);
    }
    if ((data = shmat(shmid, NULL, 0)) == (char *) -1) {
        perror("shmat");
        exit(EXIT_FAILURE);
    }
    snprintf(data, SHM_SIZE, "message from pid %d: %s", (int) getpid(),
             argc > 1 ? argv[1] : "This is a test");
    printf("Data written in memory: %s\n", data);
    shmdt(data);
    return 0;
}
