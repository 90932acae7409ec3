/*
 * read_shm.c of seed 004 ("Inter process communication using shared
 * memory"), REBUILT: the blog's code was lost (only its prose survives), so
 * this is written from that prose: it "tries to access the shared memory
 * created by the above code and read the data written in it. Note that the
 * value of key used by both the codes are same", reading with sscanf.
 * The printed lines are those of the port (read-shm.ts).
 *
 * - No IPC_CREAT: a missing segment is shmget's ENOENT ("run write_shm
 *   first"). SHMKEY may be set with -DSHMKEY=...; default 0x12345678.
 * - It does not remove the segment (the prose says nothing of removal):
 *   ipcrm -M 0x12345678, or deno task read-shm --remove.
 *
 * Build and run, after ./write_shm (see write_shm.c):
 *     cc -o read_shm read_shm.c && ./read_shm
 * Its port: deno task read-shm (examples/sysv-shm/README.md).
 */
#include <stdio.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef SHMKEY
#define SHMKEY 0x12345678
#endif
#define SHM_SIZE 4096

int main(void)
{
    int shmid, pid;
    char *data;
    char text[SHM_SIZE];

    if ((shmid = shmget(SHMKEY, SHM_SIZE, 0440)) < 0) {
        perror("shmget (run write_shm first)");
        exit(EXIT_FAILURE);
    }
    if ((data = shmat(shmid, NULL, SHM_RDONLY)) == (char *) -1) {
        perror("shmat");
        exit(EXIT_FAILURE);
    }
    if (sscanf(data, "message from pid %d: %4095[^\n]", &pid, text) != 2) {
        fprintf(stderr, "read_shm: the segment holds no write_shm message\n");
        shmdt(data);
        exit(EXIT_FAILURE);
    }
    printf("Data read from memory: %s\n", text);
    printf("Written by pid %d\n", pid);
    shmdt(data);
    return 0;
}
