/*
 * The C original of mmap-ex2.ts: mmap_ex2.c of seed 003 (the mmap slides,
 * "mmap: example", parts 1/3 to 3/3), transcribed as the slides show it,
 * bugs included: at end of input fgets() returns NULL, the empty "error
 * handling" block does nothing and the loop goes on forever with the last
 * line (end the program with Ctrl+C, as the slides' run does).
 *
 * Changes, each marked "ipc-lab:" where it is made:
 * - The slides show no #include lines: the headers the calls need.
 * - The slides' text extraction spaced out escapes and arrows ("\ n",
 *   "- >"), and collapsed the six spaces of `contents` to four; they are
 *   written here as the program has them: "\n", "->", six spaces (73
 *   characters and the NUL: the 74 bytes the slides' run prints).
 * - MMAP_FILENAME may be set with -DMMAP_FILENAME=... ; default "shared_mmap".
 *
 * Build and run, in two terminals in one directory:
 *     cc -o mmap_ex2 mmap_ex2.c && ./mmap_ex2 s     (or p)
 * Its port: deno task mmap-ex2 s (examples/mmap/README.md).
 */
#include <stdio.h>      /* ipc-lab: the slides show no #include lines */
#include <stdlib.h>
#include <string.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/mman.h>

#ifndef MMAP_FILENAME   /* ipc-lab: -DMMAP_FILENAME=... may override it */
#define MMAP_FILENAME   "shared_mmap"
#endif

#define MMAP_SIZE       64

char contents[]="(*) What's difference between Shared mmap and Private mmap?      - end - ";

int main(int argc, char **argv)
{
    int     fd, flag_mmap, n_write;
    char    *p_map, a_input[100];

    if (argc != 2) {
        printf("Usage : %s <s | p>\n", argv[0]); return EXIT_FAILURE;
    }

    fd = open(MMAP_FILENAME, O_RDWR|O_CREAT, 0664);
    if (fd == -1) {
        printf("Fail: open(): (%d:%s)\n", errno, strerror(errno)); return EXIT_FAILURE;
    }

    if ((n_write = write(fd, contents, sizeof(contents)) ) == -1) {
        printf("Fail: write(): (%d:%s)\n", errno, strerror(errno)); return EXIT_FAILURE;
    }

    printf("%d byte writing... to file -> %s\n", n_write, MMAP_FILENAME);

    if (*argv[1] == 's') {
        flag_mmap = MAP_SHARED;
    } else {
        flag_mmap = MAP_PRIVATE;
    }

    p_map = mmap((void *)0, MMAP_SIZE, PROT_READ|PROT_WRITE, flag_mmap, fd, 0);
    if (p_map == MAP_FAILED) {
        printf("Fail: mmap(): (%d:%s)\n", errno, strerror(errno));
        return EXIT_FAILURE;
    }

    while (1) {
        printf("'*' print Current mmap otherwise input text to mmap. >>");
        if (fgets(a_input, sizeof(a_input), stdin) == NULL){/* error handling */}
        if (a_input[0] == '*') {
            printf("Current mmap -> '%.*s'\n", MMAP_SIZE, p_map);
        } else {
            memcpy(p_map, a_input, strlen(a_input));
            if ( msync(p_map, MMAP_SIZE, MS_SYNC) == -1) { /* sync. */
                printf("Fail: msync():(%d:%s)\n", errno, strerror(errno));
                return EXIT_FAILURE;
            }
        }
    }

    return EXIT_SUCCESS;
}
