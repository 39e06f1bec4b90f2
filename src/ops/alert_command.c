/* alert_command.c: runs the [alert] command: `sh -c COMMAND` in its own process group, the alert
 * on its standard input, a bounded wait, and always reaped. */
#include "ops/alert.h"
#include "util/clock.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* ERR_IO naming what failed; strerror_r because deliveries run on their own thread. */
static int fail_errno(err *e, int errnum, const char *what)
{
    char why[128];
    if (strerror_r(errnum, why, sizeof why) != 0)
        snprintf(why, sizeof why, "error %d", errnum);
    return err_set(e, ERR_IO, "alert command: %s: %s", what, why);
}

/* The environment minus PHEEDSYNC_* (secrets are best passed that way; a notification script
 * has no use for them). The strings stay environ's. */
static char **child_environment(void)
{
    size_t n = 0;
    while (environ && environ[n])
        n++;
    char **env = calloc(n + 1, sizeof *env);
    if (!env)
        return NULL;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
        if (strncmp(environ[i], "PHEEDSYNC_", 10) != 0)
            env[k++] = environ[i];
    return env;
}

static int spawn_shell(pid_t *pid, const char *command, int stdin_fd, err *e)
{
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t at;
    posix_spawn_file_actions_init(&fa);
    posix_spawnattr_init(&at);
    posix_spawn_file_actions_adddup2(&fa, stdin_fd, 0);
    /* The child starts with no signal blocked and default dispositions (the caller's thread may
     * block some, the process may ignore SIGPIPE), in a group of its own so that a timeout
     * kills whatever the shell started too. */
    sigset_t none, defaults;
    sigemptyset(&none);
    sigemptyset(&defaults);
    int sigs[] = {SIGPIPE, SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGCHLD, SIGUSR1, SIGUSR2};
    for (size_t i = 0; i < PS_ARRAY_LEN(sigs); i++)
        sigaddset(&defaults, sigs[i]);
    posix_spawnattr_setsigmask(&at, &none);
    posix_spawnattr_setsigdefault(&at, &defaults);
    posix_spawnattr_setpgroup(&at, 0);
    posix_spawnattr_setflags(&at, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF |
                                      POSIX_SPAWN_SETPGROUP);
    char sh[] = "sh", dash_c[] = "-c";
    char *cmd = strdup(command);
    char **env = child_environment();
    int rc = cmd && env ? 0 : ERR_NOMEM;
    if (rc == 0) {
        char *argv[] = {sh, dash_c, cmd, NULL};
        int sr = posix_spawn(pid, "/bin/sh", &fa, &at, argv, env);
        if (sr != 0)
            rc = fail_errno(e, sr, "cannot start /bin/sh");
    } else {
        err_set(e, rc, "out of memory");
    }
    free(cmd);
    free(env);
    posix_spawnattr_destroy(&at);
    posix_spawn_file_actions_destroy(&fa);
    return rc;
}

/* Writes what the command will read before the deadline; a command that exits without
 * reading, or stops reading, is not an error here (its exit status tells). */
static void feed_input(int fd, const char *input, size_t len, int64_t deadline)
{
    clock_source *clk = clock_system();
    sigset_t pipe_set, old, pending;
    sigemptyset(&pipe_set);
    sigaddset(&pipe_set, SIGPIPE);
    /* A closed reader raises SIGPIPE, which would end the daemon: block it here, and take back
     * the one this write raised (not one that was already pending for someone else). */
    pthread_sigmask(SIG_BLOCK, &pipe_set, &old);
    sigpending(&pending);
    bool was_pending = sigismember(&pending, SIGPIPE) == 1;
    bool broke = false;
    fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
    while (len > 0) {
        int64_t left = deadline - clock_mono_ms(clk);
        struct pollfd p = {.fd = fd, .events = POLLOUT};
        if (left <= 0 || poll(&p, 1, (int)PS_MIN(left, 1000)) < 0) {
            if (left > 0 && errno == EINTR)
                continue;
            break;
        }
        ssize_t w = write(fd, input, len);
        if (w > 0) {
            input += w;
            len -= (size_t)w;
        } else if (w < 0 && errno != EAGAIN && errno != EINTR) {
            broke = errno == EPIPE;
            break;
        }
    }
    if (broke && !was_pending) {
        struct timespec zero = {0, 0};
        sigtimedwait(&pipe_set, NULL, &zero);
    }
    pthread_sigmask(SIG_SETMASK, &old, NULL);
}

/* Waits for pid until the deadline, then kills its group; reaps it either way. */
static int reap(int *status, pid_t pid, int64_t deadline, err *e)
{
    clock_source *clk = clock_system();
    int st = 0;
    long pause_ms = 2;
    for (;;) {
        pid_t r = waitpid(pid, &st, WNOHANG);
        if (r == pid)
            break;
        if (r < 0 && errno != EINTR)
            return fail_errno(e, errno, "cannot wait for it");
        if (clock_mono_ms(clk) >= deadline) {
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            while (waitpid(pid, &st, 0) < 0 && errno == EINTR) {
            }
            return err_set(e, ERR_NET, "alert command: still running after its timeout; killed");
        }
        struct timespec ts = {0, pause_ms * 1000000L};
        nanosleep(&ts, NULL);
        pause_ms = PS_MIN(pause_ms * 2, 50);
    }
    *status = WIFEXITED(st) ? WEXITSTATUS(st) : WIFSIGNALED(st) ? 128 + WTERMSIG(st) : 255;
    return 0;
}

int alert_command_run(int *status, const char *command, const char *input, size_t len,
                      long timeout_ms, err *e)
{
    int fds[2];
    if (pipe(fds) != 0)
        return fail_errno(e, errno, "pipe");
    /* Only the child's stdin should hold the read end; nothing spawned meanwhile should inherit
     * the write end (the command would never see end of input). */
    fcntl(fds[0], F_SETFD, FD_CLOEXEC);
    fcntl(fds[1], F_SETFD, FD_CLOEXEC);
    int64_t deadline = clock_mono_ms(clock_system()) + (timeout_ms > 0 ? timeout_ms : 10000);
    pid_t pid;
    int rc = spawn_shell(&pid, command, fds[0], e);
    close(fds[0]);
    if (rc == 0)
        feed_input(fds[1], input, len, deadline);
    close(fds[1]);
    return rc ? rc : reap(status, pid, deadline, e);
}
