/* bench_http_client.c: what one request costs the HTTP client itself: GETs of a small JSON answer
 * over keep-alive loopback connections, from 1 and from several threads at once. The server runs
 * in a child process, so that the CPU time and the context switches counted (getrusage of this
 * process, every thread included) are the client's alone. Prints per request: wall time, CPU
 * (user + sys) and context switches. No bounds: a figure to compare before and after a change.
 * Usage: bench_http_client [--requests 20000] [--threads 1,4] */
#include "net/http_client.h"
#include "net/http_server.h"

#include <pthread.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static void h_contact(void *ctx, const http_request *req, http_response *res)
{
    http_response_json(res, 200,
                       json_pack("{s:{s:s, s:s, s:s, s:[s,s]}}", "contact", "id", "c-1234567890",
                                 "email", "someone@example.com", "firstName", "Some", "tags",
                                 "event:x", "ticket:general admission"));
}

/* The child: serves until the parent closes its end of the socket pair. */
static int serve(int fd)
{
    http_server *srv = NULL;
    http_server_options o = {0};
    err e = {0};
    if (http_server_new(&srv, &o, &e) ||
        http_server_route(srv, "GET", "/contact", "contact", h_contact, NULL) ||
        http_server_start(srv, &e)) {
        fprintf(stderr, "bench_http_client: server: %s\n", e.msg);
        return 1;
    }
    uint16_t port = http_server_port(srv);
    if (write(fd, &port, sizeof port) != (ssize_t)sizeof port)
        return 1;
    char c;
    while (read(fd, &c, 1) > 0)
        ;
    http_server_free(srv);
    return 0;
}

typedef struct run {
    http_client *client;
    const char *url;
    long n;
    long failures;
} run;

static void *sender(void *arg)
{
    run *r = arg;
    http_client_request req = {.method = "GET", .url = r->url, .label = "bench"};
    http_client_response res;
    http_client_response_init(&res);
    for (long i = 0; i < r->n; i++) {
        err e = {0};
        r->failures += http_client_send(r->client, &req, &res, &e) != 0;
    }
    http_client_response_clear(&res);
    return NULL;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double cpu_s(const struct rusage *ru)
{
    return (double)(ru->ru_utime.tv_sec + ru->ru_stime.tv_sec) +
           (double)(ru->ru_utime.tv_usec + ru->ru_stime.tv_usec) / 1e6;
}

/* n requests spread over threads callers; a warm-up opens the connections first. */
static int measure(const char *url, int threads, long n)
{
    http_client *c = NULL;
    err e = {0};
    if (http_client_new(&c, NULL, &e)) {
        fprintf(stderr, "bench_http_client: %s\n", e.msg);
        return 1;
    }
    run warm = {.client = c, .url = url, .n = 200};
    sender(&warm);
    pthread_t th[64];
    run r[64];
    struct rusage before, after;
    getrusage(RUSAGE_SELF, &before);
    double t0 = now_s();
    for (int i = 0; i < threads; i++) {
        r[i] = (run){.client = c, .url = url, .n = n / threads};
        pthread_create(&th[i], NULL, sender, &r[i]);
    }
    long failures = warm.failures;
    for (int i = 0; i < threads; i++) {
        pthread_join(th[i], NULL);
        failures += r[i].failures;
    }
    double wall = now_s() - t0;
    getrusage(RUSAGE_SELF, &after);
    http_client_free(c);
    long done = n / threads * threads;
    long switches = (after.ru_nvcsw - before.ru_nvcsw) + (after.ru_nivcsw - before.ru_nivcsw);
    printf("%2d thread%s: %7.0f requests/s  %6.1f us CPU per request  %5.2f context switches per "
           "request  (%ld requests, %ld failed)\n",
           threads, threads == 1 ? " " : "s", (double)done / wall,
           (cpu_s(&after) - cpu_s(&before)) * 1e6 / (double)done, (double)switches / (double)done,
           done, failures);
    return failures != 0;
}

int main(int argc, char **argv)
{
    long n = 20000;
    const char *threads = "1,4";
    for (int i = 1; i + 1 < argc; i += 2) {
        if (strcmp(argv[i], "--requests") == 0)
            n = strtol(argv[i + 1], NULL, 10);
        else if (strcmp(argv[i], "--threads") == 0)
            threads = argv[i + 1];
    }
    int fds[2];
    if (n <= 0 || socketpair(AF_UNIX, SOCK_STREAM, 0, fds))
        return 2;
    pid_t pid = fork();
    if (pid == 0) {
        close(fds[0]);
        _exit(serve(fds[1]));
    }
    close(fds[1]);
    uint16_t port = 0;
    if (pid < 0 || read(fds[0], &port, sizeof port) != (ssize_t)sizeof port)
        return 1;
    char url[64];
    snprintf(url, sizeof url, "http://127.0.0.1:%u/contact", (unsigned)port);
    int rc = 0;
    for (const char *p = threads; *p;) {
        char *end;
        long t = strtol(p, &end, 10);
        if (end == p || t < 1 || t > 64)
            return 2;
        rc |= measure(url, (int)t, n);
        p = *end == ',' ? end + 1 : end;
    }
    close(fds[0]);
    waitpid(pid, NULL, 0);
    return rc;
}
