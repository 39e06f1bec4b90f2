/* http_client_internal.h: what the transfer engine (http_client.c) and the retrying sender
 * (http_client_send.c) share; not for other modules. */
#ifndef PHEEDSYNC_HTTP_CLIENT_INTERNAL_H
#define PHEEDSYNC_HTTP_CLIENT_INTERNAL_H

#include "net/http_client.h"
#include "util/rng.h"

#include <curl/curl.h>
#include <pthread.h>

typedef struct http_job http_job;

#define HTTP_CLIENT_SPARE_MAX 8

struct http_client {
    http_client_config cfg;
    char user_agent[96];
    char trace_header[64];
    clock_source *clk;
    pthread_mutex_t rng_mu;
    rng rng;
    /* The transfers, under mu. The multi has no thread of its own: one sender at a time drives
     * it while its own request runs (http_client.c, run_job()). */
    pthread_mutex_t mu;
    pthread_cond_t quiet; /* free() waits here for senders to leave; backoff waits end here */
    CURLM *multi;         /* used by the driver only (curl_multi_wakeup() excepted) */
    http_job *pending;    /* submitted, not yet in the multi; oldest first */
    http_job *active;     /* in the multi */
    bool driving;
    bool stopping;
    int senders; /* threads inside http_client_send() */
    CURL *spare[HTTP_CLIENT_SPARE_MAX]; /* reset easy handles for the next attempts */
    int n_spare;
};

/* One attempt's outcome below HTTP. */
typedef struct http_attempt {
    api_transport transport;
    bool sent;             /* false: surely never reached the server */
    long new_connections;
    double seconds; /* how long the attempt took */
} http_attempt;

/* Runs one attempt of req (no retries), filling res's status, body, headers and rate info. A
 * request that is not idempotent gets a fresh connection (see setup()). */
void http_client_attempt(http_client *c, const http_client_request *req, bool idempotent,
                         http_client_response *res, http_attempt *out);
/* Takes one raw header line ("Name: value\r\n", or a status line that starts a new block) into
 * res. Lines are network input: any bytes. Returns false when res's header cap was reached. */
bool http_client_header_line(http_client_response *res, const char *line, size_t len,
                             int64_t now_wall_ms);
/* Empties res's per-attempt fields. */
void http_client_response_reset(http_client_response *res);

/* A sender comes in: false once http_client_free() has begun (then it must not go on). */
bool http_client_enter(http_client *c);
void http_client_leave(http_client *c);
bool http_client_stopping(http_client *c);
/* The wait between attempts: ms on the client's clock, cut short by http_client_free(). Returns
 * false when the client is stopping. */
bool http_client_pause(http_client *c, int64_t ms);

#endif
