/*
 * The C original of cpipe.ts, transcribed from seed 000 ("Linux System
 * Programming - Part 6", section "Shell Üzerinde Boru işlemleri"), as the
 * seed wrote it (its title comment kept in the seed's mangled encoding).
 *
 * Changes, each marked "ipc-lab:" where it is made:
 * - #include <sys/wait.h> for waitpid(): the seed calls it undeclared,
 *   which current compilers refuse (implicit declaration).
 *
 * Build and run: cc -o cpipe cpipe.c && ./cpipe ls wc   (prints what ls | wc prints)
 * Its port: deno task cpipe ls wc (examples/pipes/README.md).
 */
/*-------------------------------------------------------------------
    exec'li boru iþlemi (shell boru iþlemlerini nasil yapmaktadir?)
---------------------------------------------------------------------*/

#include <stdio.h>
#include <stdlib.h>
#include <errno.h>
#include <unistd.h>
#include <sys/wait.h>   /* ipc-lab: waitpid() was used undeclared */

void exitsys(const char *msg);
void do_child1(const char *path, int fd);
void do_child2(const char *path, int fd);

/* usage cpipe <prog1> <prog2> */

int main(int argc, char *argv[])
{
    int fds[2];
    pid_t pidChild1, pidChild2;
    
    if (argc != 3) {
        fprintf(stderr, "wrong number of arguments!..\n");
        exit(EXIT_FAILURE);
    }
    
    if (pipe(fds) < 0)
        exitsys("pipe");
    
    if ((pidChild1 = fork()) < 0)
        exitsys("fork");
    
    if (pidChild1 != 0) {
        if ((pidChild2 = fork()) < 0)
            exitsys("fork");
        
        if (pidChild2 == 0) {        /* second child */
            close(fds[1]);
            do_child2(argv[2], fds[0]);
        
            /* unreachable code */
        }
    }
    else {        /* first child */
        close(fds[0]);
        do_child1(argv[1], fds[1]);
        
        /* unreachable code */
    }

    close(fds[0]);
    close(fds[1]);
    
    if (waitpid(pidChild1, NULL, 0) < 0)
        exitsys("waitpid");
    
    if (waitpid(pidChild2, NULL, 0) < 0)
        exitsys("waitpid");
    
    
    return 0;
}

void do_child1(const char *path, int fd)
{
    if (dup2(fd, STDOUT_FILENO) < 0)
        exitsys("dup2");
    close(fd);
        
    if (execlp(path, path, (char *) NULL) < 0)
        exitsys("execlp");
}

void do_child2(const char *path, int fd)
{
    if (dup2(fd, STDIN_FILENO) < 0)
        exitsys("dup2");
    close(fd);
    
    if (execlp(path, path, (char *) NULL) < 0)
        exitsys("execlp");
}

void exitsys(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}
