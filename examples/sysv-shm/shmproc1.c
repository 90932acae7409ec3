/*
 * The C original of shmproc1.ts, transcribed from seed 000 ("Linux System
 * Programming - Part 6", section "Paylaşılan Bellek Alanları"), as the
 * seed wrote it, bugs included: shmat() returns (void *) -1 on failure,
 * and `buf < 0` is never true, so a failed attach is not noticed here.
 *
 * Changes, each marked "ipc-lab:" where it is made:
 * - SHMKEY may be set with -DSHMKEY=... (tests run with keys of their own);
 *   its default is the seed's 0x12345678.
 *
 * Build and run, in two terminals:
 *     cc -o shmproc1 shmproc1.c && ./shmproc1     (waits for ENTER)
 *     cc -o shmproc2 shmproc2.c && ./shmproc2     (ENTER prints the text)
 * Its port: deno task shmproc1 (examples/sysv-shm/README.md).
 */
/*---------------------------------------------------
    Paylaşılan bellek alanı uygulaması    
---------------------------------------------------*/

/* shmproc1.c  - Yazma yapan uygulama*/

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    
    strcpy(buf, "This is a test");
    printf("press ENTER to key to continue...\n");
    getchar();
    
    shmdt(buf);
    
    if (shmctl(shmid, IPC_RMID, NULL) < 0)
        exitsys("shmctl");
        
    
    return 0;
}

void exitsys(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}
