/*
 * The C original of pipe-parent-child.ts, transcribed from seed 000
 * ("Linux System Programming - Part 6", section "İsimsiz Boruların
 * Kullanılması"), as the seed wrote it. The seed gives it no file name.
 *
 * Changes, each marked "ipc-lab:" where it is made:
 * - #include <sys/wait.h> for wait(): the seed calls it undeclared, which
 *   current compilers refuse (implicit declaration).
 *
 * Build and run: cc -o pipe_parent_child pipe_parent_child.c && ./pipe_parent_child
 * Its port: deno task pipe-parent-child (examples/pipes/README.md).
 */
/*------------------------------------------------------------------
    Üst ve alt prosesler arasında isimsiz boru haberleşmes
------------------------------------------------------------------*/

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>   /* ipc-lab: wait() was used undeclared */

void exitsys(const char *msg);
void do_parent(int fd);
void do_child(int fd);

int main(int argc, char *argv[])
{
    int fds[2];
    pid_t pid;
        
    if (pipe(fds) < 0)
        exitsys("pipe");
    
    if ((pid = fork()) < 0)
        exitsys("fork");
    
    if (pid != 0) {            /* parent yazma yapacak */
        close(fds[0]);        
        do_parent(fds[1]);
        close(fds[1]);
        if (wait(NULL) < 0)
            exitsys("wait");
        
    }
    else {                    /* child okuma yapacak */
        close(fds[1]);        
        do_child(fds[0]);
        close(fds[0]);
    }
        
    return 0;
}

void do_parent(int fd)
{
    int i;
    
    for (i = 0; i < 10; ++i)
        if (write(fd, &i, sizeof(int)) < 0)
            exitsys("write");
}

void do_child(int fd)
{
    ssize_t n;
    int val;
    
    while ((n = read(fd, &val, sizeof(int))) > 0)
        printf("%d ", val);
    printf("\n");
    
    if (n < 0)
        exitsys("read");
}

void exitsys(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}
