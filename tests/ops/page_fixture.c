/* page_fixture.c: the daemon as a process, requests, /metrics scraping, an alert receiver. */
#include "tests/ops/page_fixture.h"
#include "net/http_server.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

uint16_t pfx_free_port(void)
{
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof a;
    assert_true(fd >= 0);
    assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
    assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
    close(fd);
    return ntohs(a.sin_port);
}

/* The daemon's log on stderr: the directory goes away with the test. */
void pfx_daemon_show_log(const pfx_daemon *d)
{
    FILE *fp = fopen(d->log, "r");
    char line[1024];
    while (fp && fgets(line, sizeof line, fp))
        fputs(line, stderr);
    if (fp)
        fclose(fp);
}

/* Up, or gone (then waiting longer is no use). */
static bool up_or_gone(void *ctx)
{
    pfx_daemon *d = ctx;
    int st = 0;
    if (waitpid(d->pid, &st, WNOHANG) == d->pid) {
        d->pid = 0;
        return true;
    }
    th_response *r = pfx_get(d->base, "/healthz", NULL);
    bool ok = r->status == 200;
    th_response_free(r);
    return ok;
}

void pfx_daemon_start(pfx_daemon *d, afx *f, uint16_t port, const char *const *args,
                      const char *const *env)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    const char *argv[24] = {bin, "run", "--config", f->conf};
    size_t n = 4;
    for (size_t i = 0; args && args[i] && n + 1 < PS_ARRAY_LEN(argv); i++)
        argv[n++] = args[i];
    argv[n] = NULL;
    const char *envp[48];
    n = 0;
    envp[n++] = "PHEEDSYNC_SEAL_KEY=" AFX_SEAL_KEY;
    for (char **p = environ; *p && n + 1 < 40; p++)
        if (!strncmp(*p, "ASAN_OPTIONS=", 13) || !strncmp(*p, "UBSAN_OPTIONS=", 14) ||
            !strncmp(*p, "LSAN_OPTIONS=", 13))
            envp[n++] = *p;
    for (size_t i = 0; env && env[i] && n + 1 < PS_ARRAY_LEN(envp); i++)
        envp[n++] = env[i];
    envp[n] = NULL;
    snprintf(d->log, sizeof d->log, "%s/daemon.log", f->dir);
    snprintf(d->base, sizeof d->base, "http://127.0.0.1:%u", (unsigned)port);
    int fd = open(d->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
    assert_true(fd >= 0);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        /* Only async-signal-safe calls here: the parent has threads. */
        if (chdir(f->dir) != 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
            _exit(127);
        execve(bin, (char *const *)(uintptr_t)argv, (char *const *)(uintptr_t)envp);
        _exit(127);
    }
    close(fd);
    d->pid = pid;
    if (!th_wait_until(up_or_gone, d, 30000) || d->pid == 0) {
        if (d->pid) {
            kill(pid, SIGKILL);
            waitpid(pid, NULL, 0);
        }
        pfx_daemon_show_log(d);
        fail_msg("pheedsync run did not come up (its log is above)");
    }
}

typedef struct exit_wait {
    pid_t pid;
    int status;
    bool done;
} exit_wait;

static bool exited(void *ctx)
{
    exit_wait *w = ctx;
    w->done = w->done || waitpid(w->pid, &w->status, WNOHANG) == w->pid;
    return w->done;
}

int pfx_daemon_stop(pfx_daemon *d)
{
    kill(d->pid, SIGTERM);
    exit_wait w = {.pid = d->pid};
    if (!th_wait_until(exited, &w, 20000)) {
        kill(d->pid, SIGKILL);
        waitpid(d->pid, NULL, 0);
        pfx_daemon_show_log(d);
        fail_msg("pheedsync run ignored SIGTERM (its log is above)");
    }
    d->pid = 0;
    int code = WIFEXITED(w.status) ? WEXITSTATUS(w.status) : 128 + WTERMSIG(w.status);
    if (code != 0)
        pfx_daemon_show_log(d);
    return code;
}

static th_response *call(const char *method, const char *base, const char *path, const char *token)
{
    char url[512], auth[512];
    snprintf(url, sizeof url, "%s%s", base, path);
    snprintf(auth, sizeof auth, "Authorization: Bearer %s", token ? token : "");
    const char *headers[] = {auth, NULL};
    return th_request(method, url, token ? headers : NULL, NULL, 10000);
}

th_response *pfx_get(const char *base, const char *path, const char *token)
{
    return call("GET", base, path, token);
}

th_response *pfx_post(const char *base, const char *path, const char *token)
{
    return call("POST", base, path, token);
}

double pfx_scrape(const char *base, const char *series)
{
    th_response *r = pfx_get(base, "/metrics", NULL);
    double v = -1;
    size_t n = strlen(series);
    for (const char *line = r->status == 200 ? r->body : NULL; line && *line;) {
        const char *end = strchr(line, '\n');
        if (strncmp(line, series, n) == 0 && line[n] == ' ') {
            v = strtod(line + n + 1, NULL);
            break;
        }
        line = end ? end + 1 : NULL;
    }
    th_response_free(r);
    return v;
}

/* ------------------------------------------------------------------ the receiver */

#define MAX_ALERTS 32

struct pfx_receiver {
    http_server *srv;
    char url[96];
    pthread_mutex_t mu;
    size_t n;
    json_t *alerts[MAX_ALERTS];
};

static void h_alert(void *ctx, const http_request *req, http_response *res)
{
    pfx_receiver *r = ctx;
    json_t *j = NULL;
    if (jsonx_parse(&j, req->body, req->body_len, "alert", NULL) == 0) {
        pthread_mutex_lock(&r->mu);
        if (r->n < MAX_ALERTS)
            r->alerts[r->n++] = j;
        else
            json_decref(j);
        pthread_mutex_unlock(&r->mu);
    }
    http_response_text(res, 200, "text/plain", "ok");
}

pfx_receiver *pfx_receiver_start(void)
{
    pfx_receiver *r = calloc(1, sizeof *r);
    assert_non_null(r);
    pthread_mutex_init(&r->mu, NULL);
    http_server_options o = {.port = 0};
    assert_int_equal(http_server_new(&r->srv, &o, NULL), 0);
    assert_int_equal(http_server_route(r->srv, "POST", "/alerts", "alerts", h_alert, r), 0);
    assert_int_equal(http_server_start(r->srv, NULL), 0);
    snprintf(r->url, sizeof r->url, "http://127.0.0.1:%u/alerts",
             (unsigned)http_server_port(r->srv));
    return r;
}

const char *pfx_receiver_url(const pfx_receiver *r)
{
    return r->url;
}

int pfx_receiver_count(pfx_receiver *r, const char *status, const char *condition)
{
    int n = 0;
    pthread_mutex_lock(&r->mu);
    for (size_t i = 0; i < r->n; i++) {
        const char *s = jsonx_str(r->alerts[i], "status");
        const char *c = jsonx_str(r->alerts[i], "condition");
        n += s && c && strcmp(s, status) == 0 && strcmp(c, condition) == 0;
    }
    pthread_mutex_unlock(&r->mu);
    return n;
}

typedef struct count_wait {
    pfx_receiver *r;
    const char *status, *condition;
    int n;
} count_wait;

static bool count_reached(void *ctx)
{
    count_wait *w = ctx;
    return pfx_receiver_count(w->r, w->status, w->condition) >= w->n;
}

bool pfx_receiver_wait(pfx_receiver *r, const char *status, const char *condition, int n,
                       int timeout_ms)
{
    count_wait w = {r, status, condition, n};
    return th_wait_until(count_reached, &w, timeout_ms);
}

const json_t *pfx_receiver_get(pfx_receiver *r, size_t i)
{
    pthread_mutex_lock(&r->mu);
    const json_t *j = i < r->n ? r->alerts[i] : NULL;
    pthread_mutex_unlock(&r->mu);
    return j;
}

void pfx_receiver_free(pfx_receiver *r)
{
    if (!r)
        return;
    http_server_stop(r->srv);
    http_server_free(r->srv);
    for (size_t i = 0; i < r->n; i++)
        json_decref(r->alerts[i]);
    pthread_mutex_destroy(&r->mu);
    free(r);
}
