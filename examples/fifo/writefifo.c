/*
 * The C original of writefifo.ts, transcribed from seed 000 ("Linux System
 * Programming - Part 6", section "İsimli Boru Haberleşmesi"), as the seed
 * wrote it, bugs included: each line is written without any delimiter
 * (strlen(buf) bytes), so two lines that reach the pipe before the reader's
 * next read() come out of it as one ("helloworld"); see readfifo.c.
 *
 * Changes, each marked "ipc-lab:" where it is made:
 * - gets() is gone from current C (removed in C11; glibc no longer declares
 *   it): fgets() reads the line and its newline is cut off, which is what
 *   gets() did. Like the seed's gets(), its result is not checked: at end
 *   of input the loop writes the last line again and again, as the
 *   original would (end it with a `quit` line or Ctrl+C).
 *
 * The FIFO must exist: mkfifo testfifo (the seed's mkfifo call is
 * commented out, as here). Build and run, in two terminals:
 *     cc -o writefifo writefifo.c && ./writefifo
 *     cc -o readfifo readfifo.c && ./readfifo
 * Its port: deno task writefifo (examples/fifo/README.md).
 */
/*--------------------------------------------------------
    isimli boru işlemleri
---------------------------------------------------------*/

/* writefifo.c */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <errno.h>

void exitsys(const char *msg);

int main(void)
{
    int fd;
    char buf[1024];
    
    /*
    if (mkfifo("testfifo", S_IRUSR|S_IWUSR|S_IRGRP|S_IROTH) < 0)
        exitsys("mkfifo");
    */
    
    if ((fd = open("testfifo", O_WRONLY)) < 0)
        exitsys("testfifo");
    
    for (;;) {
        printf("text:");
        fflush(stdout);
        /* ipc-lab: was gets(buf); */
        if (fgets(buf, sizeof(buf), stdin) != NULL)
            buf[strcspn(buf, "\n")] = '\0';
        if (write(fd, buf, strlen(buf)) < 0)
            exitsys("write");
        if (!strcmp(buf, "quit"))
            break;
    }
    
    close(fd);
    
    /*
    if (unlink("testfifo") < 0)
        exitsys("testfifo");
    */
    return 0;
}    

void exitsys(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}
