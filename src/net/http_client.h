/* http_client.h: the one HTTP client under both API clients: libcurl multi with connection
 * reuse, connect and total timeouts and a response size cap; retries with backoff; the rate
 * governor and circuit breaker when the caller names them; one error classification.
 *
 * Why one multi handle, driven by the callers themselves: callers on any number of threads block
 * in http_client_send(); each attempt becomes an easy handle in one curl_multi. That multi owns
 * the only connection cache, so a keep-alive connection is reused by whichever caller comes next
 * and connections per host are capped in one place, with no CURLSH lock callbacks and no
 * per-thread caches each opening connections of their own. The multi has no thread: one waiting
 * caller at a time drives it (runs every transfer) until its own is done, then hands it to
 * another waiting caller, so a lone caller's request costs no thread hand-off at all. Waits
 * between attempts (backoff, rate limits) happen outside the multi, so one slow caller delays
 * no other.
 * Nothing here knows HighLevel or PheedLoop: their clients configure it. */
#ifndef PHEEDSYNC_HTTP_CLIENT_H
#define PHEEDSYNC_HTTP_CLIENT_H

#include "net/api_error.h"
#include "net/breaker.h"
#include "net/governor.h"
#include "net/retry.h"
#include "util/buf.h"
#include "util/clock.h"
#include "util/err.h"

/* What one attempt did, for an observer (metrics). */
typedef struct http_client_attempt_info {
    const char *label; /* the request's label ("ghl get-contact"); NULL when it has none
                          (never put the URL in a metric label: it is unbounded) */
    const char *method;
    long status;             /* HTTP status; 0 when no answer came */
    api_transport transport; /* API_TRANSPORT_NONE when an answer came */
    api_error_kind kind;     /* the attempt's classification (API_OK on 2xx) */
    double seconds;          /* the attempt's duration, connecting included */
} http_client_attempt_info;

/* Called on the sender's thread after every attempt that was made (not for calls the breaker
 * or the governor refused: nothing was sent). Must be quick and thread-safe. */
typedef void (*http_client_observer)(void *ctx, const http_client_attempt_info *info);

typedef struct http_client_config {
    long connect_timeout_ms;    /* default 5000 */
    long timeout_ms;            /* one attempt, connecting included; default 30000 */
    size_t max_response;        /* an answer body past this fails as too_large; default 16 MiB */
    long max_host_connections;  /* default 8 */
    long max_total_connections; /* default 32 */
    const char *user_agent;     /* default "pheedsync/VERSION" */
    const char *trace_header;   /* answer header with the service's request id; default
                                   "X-Trace-Id" (a top-level "traceId" in a JSON body also
                                   counts) */
    retry_policy retry;         /* zero fields: retry.h defaults */
    clock_source *clock;        /* backoff sleeps and elapsed time; NULL: system clock */
    uint64_t seed;              /* backoff jitter; 0: from the time and pid */

    /* Told of every attempt; NULL: none (ops/api_metrics.h counts them for /metrics). */
    http_client_observer observe;
    void *observe_ctx;
} http_client_config;

/* Whether sending the request twice is harmless. A request that is not is never repeated after
 * it may have reached the server (5xx, timeout, reset), and gets a connection of its own:
 * libcurl re-sends on its own when a reused keep-alive connection turns out closed. */
typedef enum http_idempotency {
    HTTP_IDEMPOTENT_BY_METHOD = 0, /* GET, HEAD, PUT, DELETE, OPTIONS yes; POST, PATCH no */
    HTTP_IDEMPOTENT_YES,           /* e.g. a POST search, or a create the caller made safe */
    HTTP_IDEMPOTENT_NO,
} http_idempotency;

typedef struct http_client_request {
    const char *method;         /* "GET", "POST", "PUT", "PATCH", "DELETE", ... */
    const char *url;
    const char *const *headers; /* NULL-terminated "Name: value" lines; may be NULL */
    const void *body;           /* body_len bytes; NULL: no body */
    size_t body_len;
    http_idempotency idempotency;
    governor *gov;              /* the account's request budget; NULL: none */
    governor_lane lane;
    breaker *brk;               /* the service's circuit breaker; NULL: none */
    const retry_policy *retry;  /* NULL: the client's */
    long timeout_ms;            /* 0: the client's */
    const char *label;          /* names the call in messages ("ghl get-contact"); NULL: the
                                   method and the URL without its query */
} http_client_request;

#define HTTP_CLIENT_TRACE_MAX 128

/* The outcome of http_client_send(): the last attempt's answer plus the totals. */
typedef struct http_client_response {
    long status;              /* HTTP status; 0 when no answer came */
    buf body;                 /* the answer body (capped) */
    buf headers;              /* "name\0value\0" pairs, names lower-cased; use _header() */
    size_t n_headers;
    retry_rate_info rate;     /* X-RateLimit-* and Retry-After of the answer */
    char trace_id[HTTP_CLIENT_TRACE_MAX]; /* the service's request id, "" when none */
    api_error error;          /* kind API_OK on 2xx */
    int attempts;
    int64_t elapsed_ms;
    long new_connections;     /* connections opened over all attempts (0: all reused) */
    int64_t retry_after_ms;   /* failed without retrying a rate error: when to try again, from
                                 now; -1 when unknown */
    bool maybe_applied;       /* failed after the request was sent (5xx, timeout, reset): the
                                 server may have done the work */
    bool breaker_open;        /* not sent: the circuit breaker refused */
} http_client_response;

void http_client_response_init(http_client_response *res);
void http_client_response_clear(http_client_response *res);
/* An answer header's value (name case-insensitive) or NULL; valid until the next send. */
const char *http_client_response_header(const http_client_response *res, const char *name);

typedef struct http_client http_client;

/* cfg NULL: defaults. */
int http_client_new(http_client **out, const http_client_config *cfg, err *e);
/* Transfers still running fail at once (ERR_NET, "shutting down"), waits between attempts end,
 * and it returns when every sender already inside http_client_send() has returned (one waiting
 * for a governor slot takes as long as that wait). No send may start once it is called. */
void http_client_free(http_client *c);

/* Sends req and blocks until it succeeded, failed for good, or its retries ran out; safe to call
 * from many threads at once. res (initialised by the caller) is filled either way. Each attempt
 * passes the breaker, then waits for the governor's slot (no longer than the retry policy's
 * remaining time), and reports back to both. Returns 0 on a 2xx answer; otherwise
 * api_error_code(&res->error) (ERR_AUTH, ERR_NOT_FOUND, ERR_INVALID, ERR_CONFLICT, ERR_LIMIT,
 * ERR_NET, ERR_IO), or ERR_BAD_STATE when the breaker refused, with e saying what happened.
 * A body without a Content-Type header is sent as application/json. Retries are logged (warn),
 * final failures at debug level: the caller logs what it decides. */
int http_client_send(http_client *c, const http_client_request *req, http_client_response *res,
                     err *e);

#endif
