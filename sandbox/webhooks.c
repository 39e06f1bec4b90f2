/* webhooks.c: an emulator's outgoing webhooks: a bounded queue and one delivery thread posting
 * with libcurl, applying each delivery's fate (drop, duplicate, reorder, delay) and redelivering
 * only after a 429, as HighLevel does. */
#include "sandbox/webhooks.h"

#include <curl/curl.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>

#define QUEUE_MAX 10000      /* sends past this many pending are refused */
#define LOG_MAX 200          /* deliveries kept for the admin view */
#define MAX_ATTEMPTS 5       /* one delivery plus up to four redeliveries after 429 */
#define FIRST_BACKOFF_MS 200 /* doubled after each 429 */
#define HOLD_MAX_MS 5000     /* a reordered delivery waits at most this for a successor */
#define CONNECT_TIMEOUT_MS 2000
#define TOTAL_TIMEOUT_MS 10000

typedef struct item {
    struct item *next;
    char *url;
    char *label;
    char *body;
    size_t body_len;
    struct curl_slist *headers;
    sbx_webhook_fate fate;
} item;

typedef enum delivery_outcome { DELIVERED, FAILED, DROPPED } delivery_outcome;
static const char *const outcome_names[] = {"delivered", "failed", "dropped"};

typedef struct log_entry {
    char *label;
    char *url;
    delivery_outcome outcome;
    long status; /* the last HTTP status; 0 when none came */
    int attempts;
    int64_t ts_ms;
    bool duplicate, reordered;
} log_entry;

struct sbx_webhooks {
    sbx_faults *faults;
    clock_source *clock;
    pthread_mutex_t mu;
    pthread_cond_t wake; /* to the thread: work, stop, drain */
    pthread_cond_t idle; /* to drainers: progress */
    item *head, *tail;
    size_t queued;
    item *held;
    int64_t held_since;
    int in_flight;
    int drain_waiters;
    bool started;
    atomic_bool stopping;
    pthread_t thread;
    int64_t delivered, failed, dropped, duplicated, reordered, redeliveries;
    log_entry log[LOG_MAX];
    size_t log_next, log_len;
};

static int64_t mono_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void item_free(item *it)
{
    if (!it)
        return;
    free(it->url);
    free(it->label);
    free(it->body);
    curl_slist_free_all(it->headers);
    free(it);
}

int sbx_webhooks_new(sbx_webhooks **out, sbx_faults *faults, clock_source *clock, err *e)
{
    if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK)
        return err_set(e, ERR_INTERNAL, "webhooks: libcurl failed to initialise");
    sbx_webhooks *w = calloc(1, sizeof *w);
    if (!w) {
        curl_global_cleanup();
        return err_set(e, ERR_NOMEM, "webhooks: out of memory");
    }
    w->faults = faults;
    w->clock = clock ? clock : clock_system();
    pthread_mutex_init(&w->mu, NULL);
    pthread_condattr_t ca;
    pthread_condattr_init(&ca);
    pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
    pthread_cond_init(&w->wake, &ca);
    pthread_cond_init(&w->idle, &ca);
    pthread_condattr_destroy(&ca);
    atomic_init(&w->stopping, false);
    *out = w;
    return 0;
}

/* ---- the delivery log ---- */

static void record(sbx_webhooks *w, const item *it, delivery_outcome outcome, long status,
                   int attempts)
{
    pthread_mutex_lock(&w->mu);
    log_entry *le = &w->log[w->log_next];
    free(le->label);
    free(le->url);
    le->label = strdup(it->label);
    le->url = strdup(it->url);
    le->outcome = outcome;
    le->status = status;
    le->attempts = attempts;
    le->ts_ms = clock_now_ms(w->clock);
    le->duplicate = it->fate.duplicate;
    le->reordered = it->fate.reorder;
    w->log_next = (w->log_next + 1) % LOG_MAX;
    if (w->log_len < LOG_MAX)
        w->log_len++;
    *(outcome == DELIVERED ? &w->delivered : outcome == FAILED ? &w->failed : &w->dropped) += 1;
    w->redeliveries += attempts > 1 ? attempts - 1 : 0;
    pthread_mutex_unlock(&w->mu);
}

static json_t *entry_json(const log_entry *le)
{
    char ts[CLOCK_ISO_LEN];
    clock_format_iso(le->ts_ms, ts);
    return json_pack("{s:s?, s:s?, s:s, s:I, s:i, s:s, s:b, s:b}", "label", le->label, "url",
                     le->url, "outcome", outcome_names[le->outcome], "status",
                     (json_int_t)le->status, "attempts", le->attempts, "ts", ts, "duplicate",
                     le->duplicate, "reordered", le->reordered);
}

json_t *sbx_webhooks_json(sbx_webhooks *w)
{
    if (!w)
        return NULL;
    json_t *recent = json_array();
    if (!recent)
        return NULL;
    pthread_mutex_lock(&w->mu);
    size_t first = (w->log_next + LOG_MAX - w->log_len) % LOG_MAX;
    for (size_t i = 0; i < w->log_len; i++)
        json_array_append_new(recent, entry_json(&w->log[(first + i) % LOG_MAX]));
    json_t *j = json_pack("{s:I, s:b, s:i, s:I, s:I, s:I, s:I, s:I, s:I, s:o}", "queued",
                          (json_int_t)w->queued, "held", w->held != NULL, "in_flight", w->in_flight,
                          "delivered", (json_int_t)w->delivered, "failed", (json_int_t)w->failed,
                          "dropped", (json_int_t)w->dropped, "duplicated",
                          (json_int_t)w->duplicated, "reordered", (json_int_t)w->reordered,
                          "redeliveries", (json_int_t)w->redeliveries, "recent", recent);
    pthread_mutex_unlock(&w->mu);
    return j;
}

/* ---- posting ---- */

static size_t discard(char *ptr, size_t size, size_t n, void *ctx)
{
    (void)ptr;
    (void)ctx;
    return size * n;
}

/* Aborts a transfer in progress when the queue stops. */
static int abort_on_stop(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    sbx_webhooks *w = ctx;
    return atomic_load(&w->stopping) ? 1 : 0;
}

/* One POST; the HTTP status, or 0 when no answer came. */
static long post_once(sbx_webhooks *w, CURL *h, const item *it)
{
    if (!h)
        return 0;
    curl_easy_reset(h);
    curl_easy_setopt(h, CURLOPT_URL, it->url);
    curl_easy_setopt(h, CURLOPT_POST, 1L);
    curl_easy_setopt(h, CURLOPT_POSTFIELDS, it->body);
    curl_easy_setopt(h, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)it->body_len);
    curl_easy_setopt(h, CURLOPT_HTTPHEADER, it->headers);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)TOTAL_TIMEOUT_MS);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, abort_on_stop);
    curl_easy_setopt(h, CURLOPT_XFERINFODATA, w);
    curl_easy_setopt(h, CURLOPT_USERAGENT, "pheedsync-sandbox-webhooks");
    long status = 0;
    if (curl_easy_perform(h) == CURLE_OK)
        curl_easy_getinfo(h, CURLINFO_RESPONSE_CODE, &status);
    return status;
}

/* Sleeps ms unless the queue stops first; false when stopping. */
static bool pause_ms(sbx_webhooks *w, int64_t ms)
{
    if (ms <= 0)
        return !atomic_load(&w->stopping);
    struct timespec until = clock_mono_deadline(ms);
    pthread_mutex_lock(&w->mu);
    while (!atomic_load(&w->stopping))
        if (pthread_cond_timedwait(&w->wake, &w->mu, &until) == ETIMEDOUT)
            break;
    pthread_mutex_unlock(&w->mu);
    return !atomic_load(&w->stopping);
}

/* Posts it once (plus the redeliveries a 429 earns) and records the outcome. */
static void post_and_record(sbx_webhooks *w, CURL *h, const item *it)
{
    int attempts = 0;
    int64_t backoff = FIRST_BACKOFF_MS;
    long status;
    for (;;) {
        attempts++;
        status = post_once(w, h, it);
        if (status != 429 || attempts >= MAX_ATTEMPTS || !pause_ms(w, backoff))
            break;
        backoff *= 2;
    }
    record(w, it, status >= 200 && status < 300 ? DELIVERED : FAILED, status, attempts);
}

static void deliver(sbx_webhooks *w, CURL *h, const item *it)
{
    if (!pause_ms(w, it->fate.delay_ms))
        return;
    post_and_record(w, h, it);
    if (it->fate.duplicate && !atomic_load(&w->stopping))
        post_and_record(w, h, it);
}

/* ---- the delivery thread ---- */

/* Waits (w->mu held) until there is something to do; false when stopping. */
static bool wait_for_work(sbx_webhooks *w)
{
    for (;;) {
        if (atomic_load(&w->stopping))
            return false;
        if (w->head)
            return true;
        if (w->held) {
            int64_t left = HOLD_MAX_MS - (mono_now() - w->held_since);
            if (w->drain_waiters > 0 || left <= 0)
                return true;
            struct timespec until = clock_mono_deadline(left);
            pthread_cond_timedwait(&w->wake, &w->mu, &until);
        } else {
            pthread_cond_wait(&w->wake, &w->mu);
        }
    }
}

/* Takes the next delivery off the queue (w->mu held); may hold it back or drop it, in which
 * case NULL is returned and nothing is to be sent now. */
static item *take_next(sbx_webhooks *w, item **then)
{
    *then = NULL;
    item *it = w->head;
    if (!it) {
        /* Nothing followed a held delivery: flush it. */
        it = w->held;
        w->held = NULL;
        return it;
    }
    w->head = it->next;
    if (!w->head)
        w->tail = NULL;
    w->queued--;
    it->next = NULL;
    if (it->fate.drop)
        return it; /* never sent, so it is no successor for a held delivery */
    if (it->fate.reorder && w->held)
        it->fate.reorder = false; /* one held back at a time: this one is its successor */
    if (it->fate.reorder) {
        w->held = it;
        w->held_since = mono_now();
        w->reordered++;
        return NULL;
    }
    *then = w->held;
    w->held = NULL;
    return it;
}

static void *delivery_thread(void *arg)
{
    sbx_webhooks *w = arg;
    CURL *h = curl_easy_init();
    pthread_mutex_lock(&w->mu);
    while (wait_for_work(w)) {
        item *then;
        item *it = take_next(w, &then);
        if (it) {
            /* Counted as in flight until recorded, so that a drain never returns early. */
            w->in_flight = then ? 2 : 1;
            if (it->fate.duplicate && !it->fate.drop)
                w->duplicated++;
            pthread_mutex_unlock(&w->mu);
            if (it->fate.drop)
                record(w, it, DROPPED, 0, 0);
            else
                deliver(w, h, it);
            if (then)
                deliver(w, h, then);
            item_free(it);
            item_free(then);
            pthread_mutex_lock(&w->mu);
            w->in_flight = 0;
        }
        pthread_cond_broadcast(&w->idle);
    }
    pthread_mutex_unlock(&w->mu);
    curl_easy_cleanup(h);
    return NULL;
}

int sbx_webhooks_start(sbx_webhooks *w, err *e)
{
    pthread_mutex_lock(&w->mu);
    if (w->started) {
        pthread_mutex_unlock(&w->mu);
        return err_set(e, ERR_BAD_STATE, "webhooks: already started");
    }
    atomic_store(&w->stopping, false);
    int rc = pthread_create(&w->thread, NULL, delivery_thread, w);
    if (rc == 0)
        w->started = true;
    pthread_mutex_unlock(&w->mu);
    if (rc != 0)
        return err_set(e, ERR_INTERNAL, "webhooks: cannot start the delivery thread: %s",
                       strerror(rc));
    return 0;
}

/* ---- sending, draining, stopping ---- */

static bool has_header(const sbx_webhook_header *headers, size_t n, const char *name)
{
    for (size_t i = 0; i < n; i++)
        if (headers[i].name && strcasecmp(headers[i].name, name) == 0)
            return true;
    return false;
}

static int build_headers(item *it, const sbx_webhook_header *headers, size_t n)
{
    static const char *const base[] = {"Content-Type: application/json", "Expect:"};
    for (size_t i = 0; i < PS_ARRAY_LEN(base); i++) {
        if (i == 0 && has_header(headers, n, "Content-Type"))
            continue;
        struct curl_slist *l = curl_slist_append(it->headers, base[i]);
        if (!l)
            return ERR_NOMEM;
        it->headers = l;
    }
    for (size_t i = 0; i < n; i++) {
        if (!headers[i].name || !headers[i].value)
            return ERR_INVALID;
        buf line;
        buf_init(&line, 8192);
        int rc = buf_addf(&line, "%s: %s", headers[i].name, headers[i].value);
        struct curl_slist *l = rc ? NULL : curl_slist_append(it->headers, buf_cstr(&line));
        buf_free(&line);
        if (!l)
            return rc ? rc : ERR_NOMEM;
        it->headers = l;
    }
    return 0;
}

static int make_item(item **out, const char *url, const char *label, const char *body,
                     const sbx_webhook_header *headers, size_t n_headers)
{
    item *it = calloc(1, sizeof *it);
    if (!it)
        return ERR_NOMEM;
    it->url = strdup(url);
    it->label = strdup(label ? label : "");
    it->body_len = strlen(body);
    it->body = malloc(it->body_len + 1);
    int rc = it->url && it->label && it->body ? 0 : ERR_NOMEM;
    if (rc == 0) {
        memcpy(it->body, body, it->body_len + 1);
        rc = build_headers(it, headers, n_headers);
    }
    if (rc) {
        item_free(it);
        return rc;
    }
    *out = it;
    return 0;
}

int sbx_webhooks_send(sbx_webhooks *w, const char *url, const char *label, const char *body,
                      const sbx_webhook_header *headers, size_t n_headers)
{
    if (!w || !url || !*url || !body || n_headers > SBX_WEBHOOK_MAX_HEADERS)
        return ERR_INVALID;
    item *it;
    int rc = make_item(&it, url, label, body, headers, n_headers);
    if (rc)
        return rc;
    pthread_mutex_lock(&w->mu);
    if (atomic_load(&w->stopping) || w->queued >= QUEUE_MAX) {
        rc = atomic_load(&w->stopping) ? ERR_BAD_STATE : ERR_LIMIT;
        pthread_mutex_unlock(&w->mu);
        item_free(it);
        return rc;
    }
    /* Drawn in send order so that a seed gives the same fates for the same sends. */
    sbx_faults_webhook_fate(w->faults, &it->fate);
    if (w->tail)
        w->tail->next = it;
    else
        w->head = it;
    w->tail = it;
    w->queued++;
    pthread_cond_signal(&w->wake);
    pthread_mutex_unlock(&w->mu);
    return 0;
}

bool sbx_webhooks_drain(sbx_webhooks *w, int timeout_ms)
{
    struct timespec until = clock_mono_deadline(timeout_ms > 0 ? timeout_ms : 0);
    pthread_mutex_lock(&w->mu);
    w->drain_waiters++;
    /* A held delivery is flushed once someone waits for the queue to empty. */
    pthread_cond_signal(&w->wake);
    bool busy;
    while ((busy = w->head || w->held || w->in_flight > 0))
        if (pthread_cond_timedwait(&w->idle, &w->mu, &until) == ETIMEDOUT) {
            busy = w->head || w->held || w->in_flight > 0;
            break;
        }
    w->drain_waiters--;
    pthread_mutex_unlock(&w->mu);
    return !busy;
}

void sbx_webhooks_stop(sbx_webhooks *w)
{
    if (!w)
        return;
    pthread_mutex_lock(&w->mu);
    atomic_store(&w->stopping, true);
    pthread_cond_broadcast(&w->wake);
    bool join = w->started;
    w->started = false;
    pthread_mutex_unlock(&w->mu);
    if (join)
        pthread_join(w->thread, NULL);
    pthread_mutex_lock(&w->mu);
    while (w->head) {
        item *it = w->head;
        w->head = it->next;
        item_free(it);
    }
    w->tail = NULL;
    w->queued = 0;
    item_free(w->held);
    w->held = NULL;
    pthread_cond_broadcast(&w->idle);
    pthread_mutex_unlock(&w->mu);
}

void sbx_webhooks_free(sbx_webhooks *w)
{
    if (!w)
        return;
    sbx_webhooks_stop(w);
    for (size_t i = 0; i < LOG_MAX; i++) {
        free(w->log[i].label);
        free(w->log[i].url);
    }
    pthread_cond_destroy(&w->wake);
    pthread_cond_destroy(&w->idle);
    pthread_mutex_destroy(&w->mu);
    free(w);
    curl_global_cleanup();
}
