/*
 * The C original of shmproc2.ts, transcribed from seed 000 ("Linux System
 * Programming - Part 6", section "Paylaşılan Bellek Alanları"), as the
 * seed wrote it, bugs included: the `buf < 0` test after shmat() (never
 * true), and a segment this program created (run before shmproc1) is left
 * in the kernel when nobody else removes it.
 *
 * Changes, each marked "ipc-lab:" where it is made:
 * - SHMKEY may be set with -DSHMKEY=... (tests run with keys of their own);
 *   its default is the seed's 0x12345678.
 *
 * Build and run after ./shmproc1 (see shmproc1.c):
 *     cc -o shmproc2 shmproc2.c && ./shmproc2
 * Its port: deno task shmproc2 (examples/sysv-shm/README.md).
 */
/* shmproc2.c - Okuma yapan uygulama */

#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/ipc.h>
#include <sys/shm.h>

#ifndef SHMKEY  /* ipc-lab: -DSHMKEY=... may override the seed's key */
#define SHMKEY        0x12345678
#endif

void exitsys(const char *msg);

int main(void)
{
    int shmid;
    char *buf;
    
    if ((shmid = shmget(SHMKEY, 4096, S_IRUSR|S_IWUSR|S_IRGRP|S_IWGRP|IPC_CREAT)) < 0)
        exitsys("shmget");
    
    if ((buf = (char *) shmat(shmid, NULL, 0)) < 0)
        exitsys("shmat");
    
    printf("Press ENTER to continue...\n");
    getchar();
    
    puts(buf);
    
    shmdt(buf);
        
    return 0;
}

void exitsys(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}
