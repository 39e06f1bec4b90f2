/* prism.c: runs Stoplight Prism as a child process for contract tests. */
#include "util/common.h"
#include "tests/support/prism.h"
#include "util/buf.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

struct prism {
    pid_t pid;
    uint16_t port;
    char log_path[256];
};

static int free_port(uint16_t *out)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return -1;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    int rc = bind(fd, (struct sockaddr *)&a, sizeof a);
    if (!rc)
        rc = getsockname(fd, (struct sockaddr *)&a, &len);
    close(fd);
    if (rc)
        return -1;
    *out = ntohs(a.sin_port);
    return 0;
}

static bool port_answers(uint16_t port)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0)
        return false;
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port),
                            .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
    close(fd);
    return ok;
}

static void prism_binary(char *out, size_t len)
{
    const char *env = getenv("PHEEDSYNC_PRISM");
    const char *root = getenv("PHEEDSYNC_SOURCE_ROOT");
    if (env && *env)
        snprintf(out, len, "%s", env);
    else
        snprintf(out, len, "%s/tests/contract/node_modules/.bin/prism", root ? root : ".");
}

int prism_start(prism **out, const char *spec_path, const char *upstream_url, err *e)
{
    prism *p = calloc(1, sizeof *p);
    if (!p)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (free_port(&p->port)) {
        free(p);
        return err_set(e, ERR_IO, "no free port for prism");
    }
    snprintf(p->log_path, sizeof p->log_path, "/tmp/pheedsync-prism-%d-%u.log", (int)getpid(),
             (unsigned)p->port);
    char bin[512], port[8], spec[1024], upstream[256];
    char a_proxy[] = "proxy", a_errors[] = "--errors", a_h[] = "-h", a_host[] = "127.0.0.1",
         a_p[] = "-p";
    snprintf(port, sizeof port, "%u", (unsigned)p->port);
    snprintf(spec, sizeof spec, "%s", spec_path);
    snprintf(upstream, sizeof upstream, "%s", upstream_url);
    prism_binary(bin, sizeof bin);
    const char *exe = bin;
    char *argv[] = {bin, a_proxy, spec, upstream, a_errors, a_h, a_host, a_p, port, NULL};
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, 1, p->log_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    posix_spawn_file_actions_adddup2(&fa, 1, 2);
    int rc = posix_spawn(&p->pid, exe, &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    if (rc) {
        free(p);
        return err_set(e, ERR_IO, "cannot start %s: %s (run scripts/node-deps.sh)", exe, strerror(rc));
    }
    for (int i = 0; i < 600; i++) { /* 60 s: the first start of node can be slow */
        if (port_answers(p->port)) {
            *out = p;
            return 0;
        }
        int status;
        if (waitpid(p->pid, &status, WNOHANG) == p->pid) {
            p->pid = 0;
            prism_stop(p);
            return err_set(e, ERR_IO, "prism exited before listening; see its log");
        }
        struct timespec ts = {0, 100 * 1000000};
        nanosleep(&ts, NULL);
    }
    prism_stop(p);
    return err_set(e, ERR_IO, "prism did not listen within 60 s");
}

uint16_t prism_port(const prism *p)
{
    return p->port;
}

char *prism_log(const prism *p)
{
    FILE *f = fopen(p->log_path, "r");
    buf b;
    buf_init(&b, 64u << 20);
    if (f) {
        char chunk[4096];
        size_t n;
        while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
            if (buf_add(&b, chunk, n))
                break;
        fclose(f);
    }
    return buf_take(&b);
}

void prism_stop(prism *p)
{
    if (!p)
        return;
    if (p->pid > 0) {
        kill(p->pid, SIGTERM);
        waitpid(p->pid, NULL, 0);
    }
    unlink(p->log_path);
    free(p);
}
