/* http_client.c: the transfer engine: one curl multi driven by whichever sender is waiting on it,
 * easy handles reused across attempts, answers captured under caps, curl failures mapped to
 * transport kinds. */
#include "net/http_client_internal.h"

#include <ctype.h>
#include <errno.h>
#include <time.h>
#include <unistd.h>

#define HEADERS_MAX_BYTES ((size_t)64 * 1024)
#define HEADERS_MAX_COUNT 128

struct http_job {
    http_job *next; /* in the client's pending or active list; under mu */
    CURL *easy;
    http_client_response *res;
    bool too_large;
    bool in_multi; /* under mu */
    bool done;     /* under mu */
    CURLcode result;
    pthread_cond_t cv; /* its sender waits here while another thread drives */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;

static void curl_setup(void)
{
    curl_global_init(CURL_GLOBAL_DEFAULT);
}

/* ---- the response record ---- */

void http_client_response_init(http_client_response *res)
{
    memset(res, 0, sizeof *res);
    buf_init(&res->body, (size_t)16 * 1024 * 1024);
    buf_init(&res->headers, HEADERS_MAX_BYTES);
    retry_rate_info_init(&res->rate);
    api_error_classify(&res->error, 0, API_TRANSPORT_OTHER, NULL, 0);
    res->retry_after_ms = -1;
}

void http_client_response_clear(http_client_response *res)
{
    if (!res)
        return;
    buf_free(&res->body);
    buf_free(&res->headers);
    http_client_response_init(res);
}

void http_client_response_reset(http_client_response *res)
{
    res->status = 0;
    buf_reset(&res->body);
    buf_reset(&res->headers);
    res->n_headers = 0;
    retry_rate_info_init(&res->rate);
    res->trace_id[0] = '\0';
}

const char *http_client_response_header(const http_client_response *res, const char *name)
{
    const char *p = res->headers.ptr;
    for (size_t i = 0; p && i < res->n_headers; i++) {
        const char *value = p + strlen(p) + 1;
        if (strcasecmp(p, name) == 0)
            return value;
        p = value + strlen(value) + 1;
    }
    return NULL;
}

static void trim(const char **s, size_t *len)
{
    while (*len && (**s == ' ' || **s == '\t')) {
        (*s)++;
        (*len)--;
    }
    while (*len && ((*s)[*len - 1] == ' ' || (*s)[*len - 1] == '\t' || (*s)[*len - 1] == '\r' ||
                    (*s)[*len - 1] == '\n'))
        (*len)--;
}

bool http_client_header_line(http_client_response *res, const char *line, size_t len,
                             int64_t now_wall_ms)
{
    if (len >= 5 && memcmp(line, "HTTP/", 5) == 0) {
        /* A new block (after 100 Continue, or a redirect we do not follow): keep only the last. */
        buf_reset(&res->headers);
        res->n_headers = 0;
        retry_rate_info_init(&res->rate);
        return true;
    }
    const char *colon = memchr(line, ':', len);
    if (!colon || colon == line)
        return true;
    const char *name = line, *value = colon + 1;
    size_t nlen = (size_t)(colon - line), vlen = len - nlen - 1;
    trim(&name, &nlen);
    trim(&value, &vlen);
    if (nlen == 0 || memchr(value, '\0', vlen) || memchr(name, '\0', nlen))
        return true;
    if (res->n_headers >= HEADERS_MAX_COUNT)
        return false;
    size_t mark = res->headers.len;
    for (size_t i = 0; i < nlen; i++)
        if (buf_addc(&res->headers, (char)tolower((unsigned char)name[i])))
            goto full;
    if (buf_addc(&res->headers, '\0') || buf_add(&res->headers, value, vlen) ||
        buf_addc(&res->headers, '\0'))
        goto full;
    res->n_headers++;
    retry_rate_header(&res->rate, name, nlen, value, vlen, now_wall_ms);
    return true;
full:
    res->headers.len = mark;
    if (res->headers.ptr)
        res->headers.ptr[mark] = '\0';
    return false;
}

/* ---- curl callbacks ---- */

static size_t on_body(char *data, size_t size, size_t n, void *ctx)
{
    http_job *job = ctx;
    if (buf_add(&job->res->body, data, size * n) == 0)
        return size * n;
    job->too_large = true;
    return 0; /* aborts the transfer */
}

static size_t on_header(char *data, size_t size, size_t n, void *ctx)
{
    http_job *job = ctx;
    /* Past the header caps the extra lines are dropped, not the answer. */
    http_client_header_line(job->res, data, size * n, clock_now_ms(clock_system()));
    return size * n;
}

/* ---- driving the multi: one caller at a time, no thread of its own ---- */

static void unlink_job(http_job **list, http_job *job)
{
    for (http_job **p = list; *p; p = &(*p)->next) {
        if (*p == job) {
            *p = job->next;
            return;
        }
    }
}

/* Records job's end and wakes its sender (a no-op for the driver's own). Under mu. */
static void finish_locked(http_client *c, http_job *job, CURLcode result)
{
    unlink_job(job->in_multi ? &c->active : &c->pending, job);
    job->in_multi = false;
    job->next = NULL;
    job->result = result;
    job->done = true;
    pthread_cond_signal(&job->cv);
}

/* Moves submitted jobs into the multi, oldest first. Under mu, by the driver. */
static void add_pending_locked(http_client *c)
{
    while (c->pending) {
        http_job *job = c->pending;
        if (curl_multi_add_handle(c->multi, job->easy) != CURLM_OK) {
            finish_locked(c, job, CURLE_OUT_OF_MEMORY);
            continue;
        }
        c->pending = job->next;
        job->next = c->active;
        job->in_multi = true;
        c->active = job;
    }
}

/* Hands every finished transfer back to its sender. Under mu, by the driver. */
static void reap_locked(http_client *c)
{
    CURLMsg *m;
    int queued;
    while ((m = curl_multi_info_read(c->multi, &queued))) {
        if (m->msg != CURLMSG_DONE)
            continue;
        CURL *easy = m->easy_handle;
        CURLcode result = m->data.result; /* m dies with the removal below */
        char *priv = NULL;
        curl_easy_getinfo(easy, CURLINFO_PRIVATE, &priv);
        curl_multi_remove_handle(c->multi, easy);
        finish_locked(c, (http_job *)(void *)priv, result);
    }
}

/* Shutdown: every transfer, running or submitted, fails now. Under mu, by the driver. */
static void fail_all_locked(http_client *c)
{
    while (c->active) {
        curl_multi_remove_handle(c->multi, c->active->easy);
        finish_locked(c, c->active, CURLE_ABORTED_BY_CALLBACK);
    }
    while (c->pending)
        finish_locked(c, c->pending, CURLE_ABORTED_BY_CALLBACK);
}

/* Runs every transfer until mine is done (or the client stops). Called and returns with mu held;
 * mu is released around the socket work so that others can submit meanwhile. */
static void drive(http_client *c, const http_job *mine)
{
    for (;;) {
        if (c->stopping) {
            fail_all_locked(c);
            return;
        }
        add_pending_locked(c);
        pthread_mutex_unlock(&c->mu);
        int running = 0;
        curl_multi_perform(c->multi, &running);
        pthread_mutex_lock(&c->mu);
        reap_locked(c);
        if (mine->done)
            return;
        pthread_mutex_unlock(&c->mu);
        /* Ends early on socket activity, on curl's own timers, and on curl_multi_wakeup() from
         * a sender that queued a job or from http_client_free(). */
        curl_multi_poll(c->multi, NULL, 0, 1000, NULL);
        pthread_mutex_lock(&c->mu);
    }
}

/* Queues job and waits for its end, driving the multi whenever nobody else does: a lone caller
 * runs its transfer on its own thread, with no hand-off, no sleep and no wake-up. A caller that
 * finds a driver sleeps on its job's condition; the driver wakes it when its job is done, or
 * when the driver's own job is done and someone must take over the transfers still running. */
static CURLcode run_job(http_client *c, http_job *job)
{
    pthread_mutex_lock(&c->mu);
    if (c->stopping) {
        pthread_mutex_unlock(&c->mu);
        return CURLE_ABORTED_BY_CALLBACK;
    }
    http_job **tail = &c->pending;
    while (*tail)
        tail = &(*tail)->next;
    *tail = job;
    bool told = false;
    while (!job->done) {
        if (!c->driving) {
            c->driving = true;
            drive(c, job);
            c->driving = false;
            /* Every job still listed has a sender asleep: wake one to take over. */
            http_job *next = c->active ? c->active : c->pending;
            if (next)
                pthread_cond_signal(&next->cv);
        } else if (!told) {
            /* The driver may be in curl_multi_poll() with nothing of ours in its set. */
            told = true;
            pthread_mutex_unlock(&c->mu);
            curl_multi_wakeup(c->multi);
            pthread_mutex_lock(&c->mu);
        } else {
            pthread_cond_wait(&job->cv, &c->mu);
        }
    }
    pthread_mutex_unlock(&c->mu);
    return job->result;
}

/* ---- spare easy handles ---- */

static CURL *easy_take(http_client *c)
{
    pthread_mutex_lock(&c->mu);
    CURL *h = c->n_spare ? c->spare[--c->n_spare] : NULL;
    pthread_mutex_unlock(&c->mu);
    return h ? h : curl_easy_init();
}

/* Keeps h for the next attempt: curl_easy_reset() forgets every option but keeps the handle's
 * buffers, which is what creating one per attempt kept paying for. */
static void easy_give(http_client *c, CURL *h)
{
    curl_easy_reset(h);
    pthread_mutex_lock(&c->mu);
    if (c->n_spare < HTTP_CLIENT_SPARE_MAX) {
        c->spare[c->n_spare++] = h;
        h = NULL;
    }
    pthread_mutex_unlock(&c->mu);
    curl_easy_cleanup(h);
}

/* ---- one attempt ---- */

static bool has_header(const char *const *headers, const char *name)
{
    size_t n = strlen(name);
    for (size_t i = 0; headers && headers[i]; i++)
        if (strncasecmp(headers[i], name, n) == 0 && headers[i][n] == ':')
            return true;
    return false;
}

static struct curl_slist *make_headers(const http_client_request *req)
{
    struct curl_slist *list = NULL, *next;
    for (size_t i = 0; req->headers && req->headers[i]; i++) {
        if (!(next = curl_slist_append(list, req->headers[i])))
            goto fail;
        list = next;
    }
    /* No 100-continue round trip; JSON unless the caller says otherwise. */
    if (!(next = curl_slist_append(list, "Expect:")))
        goto fail;
    list = next;
    if (req->body && !has_header(req->headers, "Content-Type")) {
        if (!(next = curl_slist_append(list, "Content-Type: application/json")))
            goto fail;
        list = next;
    }
    return list;
fail:
    curl_slist_free_all(list);
    return NULL;
}

static void set_method(CURL *h, const http_client_request *req)
{
    const char *m = req->method ? req->method : "GET";
    if (strcmp(m, "GET") == 0 && !req->body)
        curl_easy_setopt(h, CURLOPT_HTTPGET, 1L);
    else if (strcmp(m, "HEAD") == 0)
        curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    else if (strcmp(m, "POST") != 0)
        curl_easy_setopt(h, CURLOPT_CUSTOMREQUEST, m);
    if (req->body || strcmp(m, "POST") == 0) {
        curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)(req->body ? req->body_len : 0));
        curl_easy_setopt(h, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
    }
}

static void setup(http_client *c, CURL *h, const http_client_request *req, bool idempotent,
                  http_job *job, struct curl_slist *headers)
{
    long timeout = req->timeout_ms > 0 ? req->timeout_ms : c->cfg.timeout_ms;
    curl_easy_setopt(h, CURLOPT_URL, req->url);
    curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_TCP_KEEPALIVE, 1L);
    curl_easy_setopt(h, CURLOPT_ACCEPT_ENCODING, "");
    curl_easy_setopt(h, CURLOPT_USERAGENT, c->user_agent);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, headers);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, PS_MIN(c->cfg.connect_timeout_ms, timeout));
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, timeout);
    curl_easy_setopt(h, CURLOPT_MAXFILESIZE_LARGE, (curl_off_t)c->cfg.max_response);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, on_body);
    curl_easy_setopt(h, CURLOPT_WRITEDATA, job);
    curl_easy_setopt(h, CURLOPT_HEADERFUNCTION, on_header);
    curl_easy_setopt(h, CURLOPT_HEADERDATA, job);
    curl_easy_setopt(h, CURLOPT_PRIVATE, job);
    /* libcurl silently sends a request again when a reused connection closes before any answer,
     * and the server may have acted on the first one: a request that must not run twice gets a
     * connection of its own, where that cannot happen. */
    if (!idempotent)
        curl_easy_setopt(h, CURLOPT_FRESH_CONNECT, 1L);
    set_method(h, req);
}

static void map_result(CURLcode rc, const http_job *job, long request_size, http_attempt *out)
{
    out->sent = request_size > 0;
    if (rc == CURLE_OK) {
        out->transport = API_TRANSPORT_NONE;
        out->sent = true;
    } else if (job->too_large || rc == CURLE_FILESIZE_EXCEEDED) {
        out->transport = API_TRANSPORT_TOO_LARGE;
        out->sent = true;
    } else if (rc == CURLE_COULDNT_RESOLVE_HOST || rc == CURLE_COULDNT_RESOLVE_PROXY ||
               rc == CURLE_COULDNT_CONNECT) {
        out->transport = API_TRANSPORT_CONNECT;
        out->sent = false;
    } else if (rc == CURLE_ABORTED_BY_CALLBACK) {
        /* http_client_free() dropped it mid-way (no callback of ours aborts): it reached the
         * server if curl had sent any of it. */
        out->transport = API_TRANSPORT_RESET;
    } else if (rc == CURLE_OPERATION_TIMEDOUT) {
        out->transport = API_TRANSPORT_TIMEOUT;
    } else if (rc == CURLE_GOT_NOTHING || rc == CURLE_RECV_ERROR || rc == CURLE_SEND_ERROR ||
               rc == CURLE_PARTIAL_FILE || rc == CURLE_HTTP2 || rc == CURLE_HTTP2_STREAM) {
        out->transport = API_TRANSPORT_RESET;
        out->sent = true; /* some of it may have gone: assume the server saw it */
    } else if (rc == CURLE_SSL_CONNECT_ERROR || rc == CURLE_PEER_FAILED_VERIFICATION ||
               rc == CURLE_SSL_CERTPROBLEM || rc == CURLE_SSL_CACERT_BADFILE) {
        out->transport = API_TRANSPORT_TLS;
        out->sent = false;
    } else {
        out->transport = API_TRANSPORT_OTHER;
    }
}

void http_client_attempt(http_client *c, const http_client_request *req, bool idempotent,
                         http_client_response *res, http_attempt *out)
{
    http_client_response_reset(res);
    res->body.max = c->cfg.max_response;
    *out = (http_attempt){.transport = API_TRANSPORT_OTHER, .sent = false, .new_connections = 0};
    http_job job = {.res = res};
    struct curl_slist *headers = make_headers(req);
    job.easy = headers ? easy_take(c) : NULL;
    if (!job.easy) {
        curl_slist_free_all(headers);
        return;
    }
    pthread_cond_init(&job.cv, NULL);
    setup(c, job.easy, req, idempotent, &job, headers);
    CURLcode rc = run_job(c, &job);
    long status = 0, request_size = 0, connects = 0;
    curl_off_t total_us = 0;
    curl_easy_getinfo(job.easy, CURLINFO_RESPONSE_CODE, &status);
    curl_easy_getinfo(job.easy, CURLINFO_TOTAL_TIME_T, &total_us);
    curl_easy_getinfo(job.easy, CURLINFO_REQUEST_SIZE, &request_size);
    curl_easy_getinfo(job.easy, CURLINFO_NUM_CONNECTS, &connects);
    map_result(rc, &job, request_size, out);
    res->status = status;
    out->new_connections = connects;
    out->seconds = (double)total_us / 1e6;
    easy_give(c, job.easy);
    curl_slist_free_all(headers);
    pthread_cond_destroy(&job.cv);
}

/* ---- the client ---- */

static void config_defaults(http_client_config *cfg)
{
    if (cfg->connect_timeout_ms <= 0)
        cfg->connect_timeout_ms = 5000;
    if (cfg->timeout_ms <= 0)
        cfg->timeout_ms = 30000;
    if (cfg->max_response == 0)
        cfg->max_response = (size_t)16 * 1024 * 1024;
    if (cfg->max_host_connections <= 0)
        cfg->max_host_connections = 8;
    if (cfg->max_total_connections <= 0)
        cfg->max_total_connections = 32;
    retry_policy_defaults(&cfg->retry);
}

int http_client_new(http_client **out, const http_client_config *cfg, err *e)
{
    pthread_once(&curl_once, curl_setup);
    http_client *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "out of memory");
    if (cfg)
        c->cfg = *cfg;
    config_defaults(&c->cfg);
    snprintf(c->user_agent, sizeof c->user_agent, "%s",
             c->cfg.user_agent ? c->cfg.user_agent : "pheedsync/" PHEEDSYNC_VERSION);
    snprintf(c->trace_header, sizeof c->trace_header, "%s",
             c->cfg.trace_header ? c->cfg.trace_header : "X-Trace-Id");
    c->cfg.user_agent = c->user_agent;
    c->cfg.trace_header = c->trace_header;
    c->clk = c->cfg.clock ? c->cfg.clock : clock_system();
    uint64_t seed = c->cfg.seed ? c->cfg.seed
                                : (uint64_t)clock_now_ms(clock_system()) ^ ((uint64_t)getpid() << 32);
    rng_seed(&c->rng, seed);
    c->multi = curl_multi_init();
    if (!c->multi) {
        free(c);
        return err_set(e, ERR_INTERNAL, "http client: curl_multi_init failed");
    }
    curl_multi_setopt(c->multi, CURLMOPT_MAX_HOST_CONNECTIONS, c->cfg.max_host_connections);
    curl_multi_setopt(c->multi, CURLMOPT_MAX_TOTAL_CONNECTIONS, c->cfg.max_total_connections);
    curl_multi_setopt(c->multi, CURLMOPT_MAXCONNECTS, c->cfg.max_total_connections);
    pthread_mutex_init(&c->mu, NULL);
    pthread_mutex_init(&c->rng_mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC); /* backoff waits: immune to clock steps */
    pthread_cond_init(&c->quiet, &ca);
    pthread_condattr_destroy(&ca);
    *out = c;
    return 0;
}

void http_client_free(http_client *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->stopping = true;
    pthread_cond_broadcast(&c->quiet);
    pthread_mutex_unlock(&c->mu);
    /* A driver asleep in curl_multi_poll() sees the flag, fails every transfer and leaves. */
    curl_multi_wakeup(c->multi);
    pthread_mutex_lock(&c->mu);
    while (c->senders > 0)
        pthread_cond_wait(&c->quiet, &c->mu);
    pthread_mutex_unlock(&c->mu);
    curl_multi_cleanup(c->multi);
    for (int i = 0; i < c->n_spare; i++)
        curl_easy_cleanup(c->spare[i]);
    pthread_cond_destroy(&c->quiet);
    pthread_mutex_destroy(&c->mu);
    pthread_mutex_destroy(&c->rng_mu);
    free(c);
}

/* ---- senders inside the client, for a clean shutdown ---- */

bool http_client_enter(http_client *c)
{
    pthread_mutex_lock(&c->mu);
    bool open = !c->stopping;
    c->senders += open;
    pthread_mutex_unlock(&c->mu);
    return open;
}

void http_client_leave(http_client *c)
{
    pthread_mutex_lock(&c->mu);
    if (--c->senders == 0 && c->stopping)
        pthread_cond_broadcast(&c->quiet);
    pthread_mutex_unlock(&c->mu);
}

bool http_client_stopping(http_client *c)
{
    pthread_mutex_lock(&c->mu);
    bool stopping = c->stopping;
    pthread_mutex_unlock(&c->mu);
    return stopping;
}

bool http_client_pause(http_client *c, int64_t ms)
{
    if (c->clk->fake) {
        clock_sleep_ms(c->clk, ms);
        return !http_client_stopping(c);
    }
    struct timespec until = clock_mono_deadline(ms);
    pthread_mutex_lock(&c->mu);
    while (!c->stopping && pthread_cond_timedwait(&c->quiet, &c->mu, &until) != ETIMEDOUT)
        ;
    bool open = !c->stopping;
    pthread_mutex_unlock(&c->mu);
    return open;
}
