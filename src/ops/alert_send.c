/* alert_send.c: delivers alerts off the caller's thread: a bounded queue, one delivery thread,
 * a JSON POST through the shared HTTP client and/or the [alert] command, each with a timeout. */
#include "net/http_client.h"
#include "ops/alert.h"
#include "util/clock.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <pthread.h>
#include <signal.h>

struct alert_sender {
    pthread_mutex_t mu;
    pthread_cond_t wake; /* work queued, or stopping */
    pthread_cond_t idle; /* the queue emptied and nothing is in flight */
    char **queue;        /* ring of dumped alerts */
    size_t head, count, max;
    bool busy;
    bool stopping;
    pthread_t thread;
    char *url;
    char *command;
    long timeout_ms;
    http_client *http;
    uint64_t url_ok, url_failed, command_ok, command_failed;
};

static void post_url(alert_sender *s, const char *text, bool *ok)
{
    static const char *const headers[] = {"Content-Type: application/json", NULL};
    http_client_request req = {
        .method = "POST",
        .url = s->url,
        .headers = headers,
        .body = text,
        .body_len = strlen(text),
        .idempotency = HTTP_IDEMPOTENT_YES, /* a repeated alert beats a lost one */
        .label = "alert url",               /* the URL itself may hold a token */
    };
    http_client_response res;
    http_client_response_init(&res);
    err e = {0};
    *ok = http_client_send(s->http, &req, &res, &e) == 0;
    if (!*ok)
        log_warnf("alert: delivery to [alert] url failed: %s", e.msg);
    http_client_response_clear(&res);
}

static void run_command(alert_sender *s, const char *text, bool *ok)
{
    err e = {0};
    int status = 0;
    *ok = alert_command_run(&status, s->command, text, strlen(text), s->timeout_ms, &e) == 0 &&
          status == 0;
    if (e.code)
        log_warnf("alert: [alert] command failed: %s", e.msg);
    else if (status != 0)
        log_warnf("alert: [alert] command exited with status %d", status);
}

static void deliver(alert_sender *s, const char *text)
{
    bool url_ok = false, cmd_ok = false;
    if (s->url)
        post_url(s, text, &url_ok);
    if (s->command)
        run_command(s, text, &cmd_ok);
    pthread_mutex_lock(&s->mu);
    if (s->url)
        (*(url_ok ? &s->url_ok : &s->url_failed))++;
    if (s->command)
        (*(cmd_ok ? &s->command_ok : &s->command_failed))++;
    pthread_mutex_unlock(&s->mu);
}

static void *delivery_loop(void *arg)
{
    alert_sender *s = arg;
    pthread_mutex_lock(&s->mu);
    for (;;) {
        while (!s->count && !s->stopping)
            pthread_cond_wait(&s->wake, &s->mu);
        if (!s->count)
            break;
        char *text = s->queue[s->head];
        s->head = (s->head + 1) % s->max;
        s->count--;
        s->busy = true;
        pthread_mutex_unlock(&s->mu);
        deliver(s, text);
        free(text);
        pthread_mutex_lock(&s->mu);
        s->busy = false;
        if (!s->count)
            pthread_cond_broadcast(&s->idle);
    }
    pthread_mutex_unlock(&s->mu);
    return NULL;
}

/* The thread runs with every signal blocked: they belong to the daemon's main thread. */
static int start_thread(alert_sender *s, err *e)
{
    sigset_t all, old;
    sigfillset(&all);
    pthread_sigmask(SIG_SETMASK, &all, &old);
    int rc = pthread_create(&s->thread, NULL, delivery_loop, s);
    pthread_sigmask(SIG_SETMASK, &old, NULL);
    return rc ? err_set(e, ERR_INTERNAL, "alert: cannot start the delivery thread") : 0;
}

static int setup_http(alert_sender *s, err *e)
{
    http_client_config cfg = {
        .connect_timeout_ms = PS_MIN(s->timeout_ms, 5000),
        .timeout_ms = s->timeout_ms,
        .max_response = 64 * 1024,
        .retry = {.max_attempts = 2, .max_elapsed_ms = s->timeout_ms},
    };
    /* Some receivers (Slack's among them) put their token in the path. */
    log_add_secret(s->url);
    return http_client_new(&s->http, &cfg, e);
}

static void sender_release(alert_sender *s)
{
    http_client_free(s->http);
    free(s->queue);
    free(s->url);
    free(s->command);
    pthread_cond_destroy(&s->wake);
    pthread_cond_destroy(&s->idle);
    pthread_mutex_destroy(&s->mu);
    free(s);
}

int alert_sender_new(alert_sender **out, const alert_sender_options *o, err *e)
{
    alert_sender *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    pthread_mutex_init(&s->mu, NULL);
    pthread_cond_init(&s->wake, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* flush deadlines ignore clock changes */
    pthread_cond_init(&s->idle, &ca);
    pthread_condattr_destroy(&ca);
    s->timeout_ms = o && o->timeout_ms > 0 ? o->timeout_ms : 10000;
    s->max = o && o->queue_max > 0 ? o->queue_max : 64;
    s->queue = calloc(s->max, sizeof *s->queue);
    int rc = s->queue ? 0 : err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0 && o && o->url && *o->url && !(s->url = strdup(o->url)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0 && o && o->command && *o->command && !(s->command = strdup(o->command)))
        rc = err_set(e, ERR_NOMEM, "out of memory");
    if (rc == 0 && s->url)
        rc = setup_http(s, e);
    if (rc == 0)
        rc = start_thread(s, e);
    if (rc != 0) {
        sender_release(s);
        return rc;
    }
    *out = s;
    return 0;
}

bool alert_sender_post(alert_sender *s, const json_t *alert)
{
    if (!s || (!s->url && !s->command))
        return true; /* nowhere to send: the log has it */
    char *text = jsonx_dumps(alert);
    if (!text) {
        log_warnf("alert: out of memory; one alert not delivered");
        return false;
    }
    pthread_mutex_lock(&s->mu);
    bool queued = !s->stopping && s->count < s->max;
    if (queued) {
        s->queue[(s->head + s->count) % s->max] = text;
        s->count++;
        pthread_cond_signal(&s->wake);
    }
    pthread_mutex_unlock(&s->mu);
    if (!queued) {
        log_warnf("alert: %s; one alert not delivered", s->stopping ? "stopping" : "queue full");
        free(text);
    }
    return queued;
}

bool alert_sender_flush(alert_sender *s, long timeout_ms)
{
    if (!s)
        return true;
    struct timespec until = clock_mono_deadline(timeout_ms);
    pthread_mutex_lock(&s->mu);
    int rc = 0;
    while ((s->count || s->busy) && rc == 0)
        rc = pthread_cond_timedwait(&s->idle, &s->mu, &until);
    bool done = !s->count && !s->busy;
    pthread_mutex_unlock(&s->mu);
    return done;
}

void alert_sender_stats(alert_sender *s, uint64_t *url_ok, uint64_t *url_failed,
                        uint64_t *command_ok, uint64_t *command_failed)
{
    pthread_mutex_lock(&s->mu);
    *url_ok = s->url_ok;
    *url_failed = s->url_failed;
    *command_ok = s->command_ok;
    *command_failed = s->command_failed;
    pthread_mutex_unlock(&s->mu);
}

void alert_sender_free(alert_sender *s)
{
    if (!s)
        return;
    alert_sender_flush(s, s->timeout_ms);
    pthread_mutex_lock(&s->mu);
    s->stopping = true;
    size_t dropped = s->count;
    while (s->count) {
        free(s->queue[s->head]);
        s->head = (s->head + 1) % s->max;
        s->count--;
    }
    pthread_cond_signal(&s->wake);
    pthread_mutex_unlock(&s->mu);
    if (dropped)
        log_warnf("alert: stopping; %zu alert(s) not delivered", dropped);
    pthread_join(s->thread, NULL);
    sender_release(s);
}
