/*
 * The C original of readfifo.ts, transcribed from seed 000 ("Linux System
 * Programming - Part 6", section "İsimli Boru Haberleşmesi"), as the seed
 * wrote it, bugs included:
 * - whatever one read() returns is one message: two messages the writer
 *   sent quickly print as one line, and `quit` among them is not seen;
 * - a read() that fills all 1024 bytes writes buf[1024], one past the end.
 * No change was needed for a current glibc.
 *
 * The FIFO must exist: mkfifo testfifo. Build and run, in two terminals:
 *     cc -o readfifo readfifo.c && ./readfifo
 *     cc -o writefifo writefifo.c && ./writefifo
 * Its port: deno task readfifo (examples/fifo/README.md).
 */
/* readfifo.c */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/stat.h>
#include <errno.h>

void exitsys(const char *msg);

int main(void)
{
    int fd;
    char buf[1024];
    ssize_t n;
        
    if ((fd = open("testfifo", O_RDONLY)) < 0)
        exitsys("testfifo");
    
    while ((n = read(fd, buf, sizeof(buf))) > 0) {
        buf[n] = '\0';
        if (!strcmp(buf, "quit"))
            break;
        puts(buf);
    }
    if (n < 0)
        exitsys("read");

    close(fd);
    
    return 0;
}    

void exitsys(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}
