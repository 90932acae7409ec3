/*
 * ipc_trace_preload.c: IPC_TRACE for the C originals, as an LD_PRELOAD
 * interposer. `deno task compare` (scripts/compare/compare.ts) builds it
 * with `cc -shared -fPIC` and runs each C original with
 *
 *     LD_PRELOAD=/path/to/ipc_trace_preload IPC_TRACE=1 ./shmproc1
 *
 * so that the C process prints the libc calls it makes in the one-line
 * format of the ports' IPC_TRACE (lib/trace.ts), on stderr:
 *
 *     [shmproc1 5029] shmget(0x00001111, 4096, IPC_CREAT|0660) = 52
 *     [cpipe:child 5031] dup2(4, 1) = 1
 *     [readfifo 5040] open("testfifo", O_RDONLY) = -1 ENOENT (No such file or directory)
 *
 * How: each wrapped function below has the name of the libc function, so
 * the dynamic linker binds the program's calls to it; it calls the real
 * one (found with dlsym(RTLD_NEXT, name)), saves errno, prints the line
 * and gives the program the real result and errno. Only the program's own
 * calls go through here: glibc's internal ones (printf's write, getchar's
 * read) do not use the PLT, which is what we want (the C's stdio is its
 * terminal I/O, not part of the IPC).
 *
 * - Nothing is printed unless IPC_TRACE is set to something other than ""
 *   or "0" (as for the ports).
 * - Lines are written with the raw write system call, one call per line (a
 *   line is shorter than PIPE_BUF, so lines of several processes sharing
 *   one stderr pipe never mix), never through stdio, so they are not
 *   reordered with the program's own writes and do not recurse into the
 *   write() wrapper.
 * - The role is the program's name (program_invocation_short_name); a
 *   child made by fork() is `<name>:child`. fork() itself is printed by the
 *   parent, with the child's pid as result.
 * - execlp() is printed before the exec, with result `?` (on success it
 *   does not return; on failure a second line gives the error). It drops
 *   LD_PRELOAD from the environment first, so the programs it starts (ls,
 *   wc) are not traced.
 * - wait()/waitpid() with a NULL status pointer still show how the child
 *   ended (the real call is given a local status; the caller gets none,
 *   as it asked).
 *
 * Build by hand: cc -shared -fPIC -o ipc_trace_preload.so ipc_trace_preload.c -ldl
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define LINE_MAX_BYTES 1024
#define MAX_EXEC_ARGS 256

static int tracing = -1;   /* -1: not looked at yet */
static int forked_child;   /* set in the child of a fork() */

/* The real function `name`, looked up once. */
#define REAL(type, name, params)                                   \
    static type(*real_##name) params;                              \
    if (!real_##name)                                              \
        *(void **) (&real_##name) = dlsym(RTLD_NEXT, #name)

static int trace_on(void)
{
    if (tracing < 0) {
        const char *v = getenv("IPC_TRACE");
        tracing = v != NULL && v[0] != '\0' && strcmp(v, "0") != 0;
    }
    return tracing;
}

/* Print `[role pid] call = result`, call given printf-style. */
static void trace(const char *result, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void trace(const char *result, const char *fmt, ...)
{
    char call[LINE_MAX_BYTES], line[LINE_MAX_BYTES];
    int n;
    va_list ap;

    va_start(ap, fmt);
    n = vsnprintf(call, sizeof(call), fmt, ap);   /* truncates a call too long to show */
    va_end(ap);
    if (n < 0)
        return;
    n = snprintf(line, sizeof(line), "[%s%s %ld] %s = %s\n", program_invocation_short_name,
                 forked_child ? ":child" : "", (long) syscall(SYS_getpid), call, result);
    if (n < 0)
        return;
    if (n >= (int) sizeof(line)) {   /* cut, but keep it one line */
        n = (int) sizeof(line) - 1;
        line[n - 1] = '\n';
    }
    syscall(SYS_write, 2, line, (size_t) n);
}

/* The result text of a call that returns an int: "3", or "-1 ENOENT (...)". */
static const char *int_result(char *buf, size_t size, long r, int err)
{
    if (r == -1)
        snprintf(buf, size, "-1 %s (%s)", strerrorname_np(err), strerror(err));
    else
        snprintf(buf, size, "%ld", r);
    return buf;
}

static const char *ptr_result(char *buf, size_t size, const void *p, int err)
{
    if (p == (void *) -1)
        snprintf(buf, size, "-1 %s (%s)", strerrorname_np(err), strerror(err));
    else
        snprintf(buf, size, "%p", p);
    return buf;
}

static const char *open_flags(char *buf, size_t size, int flags)
{
    static const char *access[] = {"O_RDONLY", "O_WRONLY", "O_RDWR", "O_ACCMODE"};
    snprintf(buf, size, "%s%s%s%s%s%s%s", access[flags & O_ACCMODE],
             flags & O_CREAT ? "|O_CREAT" : "", flags & O_EXCL ? "|O_EXCL" : "",
             flags & O_TRUNC ? "|O_TRUNC" : "", flags & O_APPEND ? "|O_APPEND" : "",
             flags & O_NONBLOCK ? "|O_NONBLOCK" : "", flags & O_CLOEXEC ? "|O_CLOEXEC" : "");
    return buf;
}

static const char *ipc_flags(char *buf, size_t size, int flags)
{
    int rest = flags & ~(IPC_CREAT | IPC_EXCL);
    int n = snprintf(buf, size, "%s%s", flags & IPC_CREAT ? "IPC_CREAT|" : "",
                     flags & IPC_EXCL ? "IPC_EXCL|" : "");
    snprintf(buf + n, size - n, "0%o", (unsigned) rest);
    return buf;
}

/* `A|B` for the bits of `flags` named in the (bit, name) pairs, ended by 0, NULL. */
static void join_flags(char *buf, size_t size, int flags, ...)
{
    size_t used = 0;
    va_list ap;
    buf[0] = '\0';
    va_start(ap, flags);
    for (;;) {
        int bit = va_arg(ap, int);
        const char *name = va_arg(ap, const char *);
        if (name == NULL)
            break;
        if ((flags & bit) && used < size) {
            int m = snprintf(buf + used, size - used, "%s%s", used ? "|" : "", name);
            if (m > 0)
                used += (size_t) m;
        }
    }
    va_end(ap);
}

static const char *exit_text(char *buf, size_t size, int status)
{
    if (WIFEXITED(status))
        snprintf(buf, size, "exited with code %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, size, "killed by SIG%s%s", sigabbrev_np(WTERMSIG(status)),
                 WCOREDUMP(status) ? " (core dumped)" : "");
    else
        snprintf(buf, size, "status 0x%x", (unsigned) status);
    return buf;
}

/* ---- pipes, processes, descriptors ---- */

int pipe(int fds[2])
{
    REAL(int, pipe, (int *));
    char res[128];
    int r = real_pipe(fds), err = errno;
    if (trace_on()) {
        if (r == 0)
            trace("0", "pipe([%d, %d])", fds[0], fds[1]);
        else
            trace(int_result(res, sizeof(res), r, err), "pipe(%p)", (void *) fds);
    }
    errno = err;
    return r;
}

pid_t fork(void)
{
    REAL(pid_t, fork, (void));
    char res[128];
    pid_t r = real_fork();
    int err = errno;
    if (r == 0) {
        forked_child = 1;
    } else if (trace_on()) {
        trace(int_result(res, sizeof(res), r, err), "fork()");
    }
    errno = err;
    return r;
}

int close(int fd)
{
    REAL(int, close, (int));
    char res[128];
    int r = real_close(fd), err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "close(%d)", fd);
    errno = err;
    return r;
}

ssize_t read(int fd, void *buf, size_t count)
{
    REAL(ssize_t, read, (int, void *, size_t));
    char res[128];
    ssize_t r = real_read(fd, buf, count);
    int err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "read(%d, <%zu bytes>)", fd, count);
    errno = err;
    return r;
}

ssize_t write(int fd, const void *buf, size_t count)
{
    REAL(ssize_t, write, (int, const void *, size_t));
    char res[128];
    ssize_t r = real_write(fd, buf, count);
    int err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "write(%d, <%zu bytes>)", fd, count);
    errno = err;
    return r;
}

pid_t wait(int *status)
{
    REAL(pid_t, wait, (int *));
    char res[128], how[64];
    int local = 0;
    pid_t r = real_wait(status ? status : &local);
    int err = errno;
    if (trace_on()) {
        if (r == -1)
            trace(int_result(res, sizeof(res), r, err), "wait(%s)", status ? "..." : "NULL");
        else
            trace(int_result(res, sizeof(res), r, err), "wait([%s])",
                  exit_text(how, sizeof(how), status ? *status : local));
    }
    errno = err;
    return r;
}

pid_t waitpid(pid_t pid, int *status, int options)
{
    REAL(pid_t, waitpid, (pid_t, int *, int));
    char res[128], how[64];
    int local = 0;
    pid_t r = real_waitpid(pid, status ? status : &local, options);
    int err = errno;
    if (trace_on()) {
        if (r <= 0)
            trace(int_result(res, sizeof(res), r, err), "waitpid(%d, ..., %d)", (int) pid,
                  options);
        else
            trace(int_result(res, sizeof(res), r, err), "waitpid(%d, [%s], %d)", (int) pid,
                  exit_text(how, sizeof(how), status ? *status : local), options);
    }
    errno = err;
    return r;
}

int dup2(int oldfd, int newfd)
{
    REAL(int, dup2, (int, int));
    char res[128];
    int r = real_dup2(oldfd, newfd), err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "dup2(%d, %d)", oldfd, newfd);
    errno = err;
    return r;
}

int execlp(const char *file, const char *arg, ...)
{
    char *argv[MAX_EXEC_ARGS + 1];
    char shown[LINE_MAX_BYTES / 2], res[128];
    size_t n = 0, used = 0;
    va_list ap;
    int err;

    argv[n++] = (char *) arg;
    va_start(ap, arg);
    while (arg != NULL && n < MAX_EXEC_ARGS) {
        arg = va_arg(ap, const char *);
        argv[n++] = (char *) arg;
    }
    va_end(ap);
    argv[n] = NULL;
    if (arg != NULL) {   /* more arguments than we can hold */
        errno = E2BIG;
        return -1;
    }

    shown[0] = '\0';
    for (size_t i = 0; argv[i] != NULL && used < sizeof(shown); ++i) {
        int m = snprintf(shown + used, sizeof(shown) - used, "\"%s\", ", argv[i]);
        if (m < 0)
            break;
        used += (size_t) m;
    }
    if (trace_on())
        trace("?", "execlp(\"%s\", %sNULL)", file, shown);
    unsetenv("LD_PRELOAD");   /* the programs it runs are not traced */
    execvp(file, argv);
    err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), -1, err), "execlp(\"%s\", %sNULL)", file, shown);
    errno = err;
    return -1;
}

/* ---- files and FIFOs ---- */

static int traced_open(const char *name, int (*real)(const char *, int, ...),
                       const char *path, int flags, mode_t mode, int has_mode)
{
    char res[128], fl[128];
    int r = has_mode ? real(path, flags, mode) : real(path, flags);
    int err = errno;
    if (trace_on()) {
        if (has_mode)
            trace(int_result(res, sizeof(res), r, err), "%s(\"%s\", %s, 0%o)", name, path,
                  open_flags(fl, sizeof(fl), flags), (unsigned) mode);
        else
            trace(int_result(res, sizeof(res), r, err), "%s(\"%s\", %s)", name, path,
                  open_flags(fl, sizeof(fl), flags));
    }
    errno = err;
    return r;
}

int open(const char *path, int flags, ...)
{
    REAL(int, open, (const char *, int, ...));
    mode_t mode = 0;
    int has_mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    if (has_mode) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return traced_open("open", real_open, path, flags, mode, has_mode);
}

int open64(const char *path, int flags, ...)
{
    REAL(int, open64, (const char *, int, ...));
    mode_t mode = 0;
    int has_mode = (flags & O_CREAT) || (flags & O_TMPFILE) == O_TMPFILE;
    if (has_mode) {
        va_list ap;
        va_start(ap, flags);
        mode = va_arg(ap, mode_t);
        va_end(ap);
    }
    return traced_open("open", real_open64, path, flags, mode, has_mode);
}

int mkfifo(const char *path, mode_t mode)
{
    REAL(int, mkfifo, (const char *, mode_t));
    char res[128];
    int r = real_mkfifo(path, mode), err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "mkfifo(\"%s\", 0%o)", path, (unsigned) mode);
    errno = err;
    return r;
}

int unlink(const char *path)
{
    REAL(int, unlink, (const char *));
    char res[128];
    int r = real_unlink(path), err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "unlink(\"%s\")", path);
    errno = err;
    return r;
}

/* ---- System V shared memory ---- */

int shmget(key_t key, size_t size, int flags)
{
    REAL(int, shmget, (key_t, size_t, int));
    char res[128], fl[64];
    int r = real_shmget(key, size, flags), err = errno;
    if (trace_on()) {
        if (key == IPC_PRIVATE)
            trace(int_result(res, sizeof(res), r, err), "shmget(IPC_PRIVATE, %zu, %s)", size,
                  ipc_flags(fl, sizeof(fl), flags));
        else
            trace(int_result(res, sizeof(res), r, err), "shmget(0x%08x, %zu, %s)",
                  (unsigned) key, size, ipc_flags(fl, sizeof(fl), flags));
    }
    errno = err;
    return r;
}

void *shmat(int shmid, const void *addr, int flags)
{
    REAL(void *, shmat, (int, const void *, int));
    char res[128], where[32];
    void *r = real_shmat(shmid, addr, flags);
    int err = errno;
    if (trace_on()) {
        if (addr == NULL)
            snprintf(where, sizeof(where), "NULL");
        else
            snprintf(where, sizeof(where), "%p", addr);
        trace(ptr_result(res, sizeof(res), r, err), "shmat(%d, %s, %s)", shmid, where,
              flags & SHM_RDONLY ? "SHM_RDONLY" : flags == 0 ? "0" : "...");
    }
    errno = err;
    return r;
}

int shmdt(const void *addr)
{
    REAL(int, shmdt, (const void *));
    char res[128];
    int r = real_shmdt(addr), err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "shmdt(%p)", addr);
    errno = err;
    return r;
}

int shmctl(int shmid, int cmd, struct shmid_ds *buf)
{
    REAL(int, shmctl, (int, int, struct shmid_ds *));
    char res[128], name[32];
    int r = real_shmctl(shmid, cmd, buf), err = errno;
    if (trace_on()) {
        switch (cmd) {
        case IPC_RMID: snprintf(name, sizeof(name), "IPC_RMID"); break;
        case IPC_STAT: snprintf(name, sizeof(name), "IPC_STAT"); break;
        case IPC_SET: snprintf(name, sizeof(name), "IPC_SET"); break;
        case IPC_INFO: snprintf(name, sizeof(name), "IPC_INFO"); break;
        case SHM_INFO: snprintf(name, sizeof(name), "SHM_INFO"); break;
        case SHM_STAT: snprintf(name, sizeof(name), "SHM_STAT"); break;
        case SHM_LOCK: snprintf(name, sizeof(name), "SHM_LOCK"); break;
        case SHM_UNLOCK: snprintf(name, sizeof(name), "SHM_UNLOCK"); break;
        default: snprintf(name, sizeof(name), "%d", cmd); break;
        }
        trace(int_result(res, sizeof(res), r, err), "shmctl(%d, %s, %s)", shmid, name,
              buf == NULL ? "NULL" : "...");
    }
    errno = err;
    return r;
}

/* ---- memory mappings ---- */

void *mmap(void *addr, size_t length, int prot, int flags, int fd, off_t offset)
{
    REAL(void *, mmap, (void *, size_t, int, int, int, off_t));
    char res[128], where[32], pr[64], fl[96];
    void *r = real_mmap(addr, length, prot, flags, fd, offset);
    int err = errno;
    if (trace_on()) {
        if (addr == NULL)
            snprintf(where, sizeof(where), "NULL");
        else
            snprintf(where, sizeof(where), "%p", addr);
        if (prot == PROT_NONE)
            snprintf(pr, sizeof(pr), "PROT_NONE");
        else
            join_flags(pr, sizeof(pr), prot, PROT_READ, "PROT_READ", PROT_WRITE, "PROT_WRITE",
                       PROT_EXEC, "PROT_EXEC", 0, NULL);
        snprintf(fl, sizeof(fl), "%s%s%s",
                 (flags & MAP_TYPE) == MAP_SHARED    ? "MAP_SHARED"
                 : (flags & MAP_TYPE) == MAP_PRIVATE ? "MAP_PRIVATE"
                                                     : "MAP_SHARED_VALIDATE",
                 flags & MAP_ANONYMOUS ? "|MAP_ANONYMOUS" : "", flags & MAP_FIXED ? "|MAP_FIXED" : "");
        trace(ptr_result(res, sizeof(res), r, err), "mmap(%s, %zu, %s, %s, %d, %lld)", where,
              length, pr, fl, fd, (long long) offset);
    }
    errno = err;
    return r;
}

int msync(void *addr, size_t length, int flags)
{
    REAL(int, msync, (void *, size_t, int));
    char res[128], fl[64];
    int r = real_msync(addr, length, flags), err = errno;
    if (trace_on()) {
        snprintf(fl, sizeof(fl), "%s%s", flags & MS_ASYNC ? "MS_ASYNC" : "MS_SYNC",
                 flags & MS_INVALIDATE ? "|MS_INVALIDATE" : "");
        if (!(flags & (MS_ASYNC | MS_SYNC)))
            snprintf(fl, sizeof(fl), "%d", flags);
        trace(int_result(res, sizeof(res), r, err), "msync(%p, %zu, %s)", addr, length, fl);
    }
    errno = err;
    return r;
}

int munmap(void *addr, size_t length)
{
    REAL(int, munmap, (void *, size_t));
    char res[128];
    int r = real_munmap(addr, length), err = errno;
    if (trace_on())
        trace(int_result(res, sizeof(res), r, err), "munmap(%p, %zu)", addr, length);
    errno = err;
    return r;
}
