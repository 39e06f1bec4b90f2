/* http_client_internal.h: what the transfer engine (http_client.c) and the retrying sender
 * (http_client_send.c) share; not for other modules. */
#ifndef PHEEDSYNC_HTTP_CLIENT_INTERNAL_H
#define PHEEDSYNC_HTTP_CLIENT_INTERNAL_H

#include "net/http_client.h"
#include "util/rng.h"

#include <curl/curl.h>
#include <pthread.h>

typedef struct http_job http_job;

struct http_client {
    http_client_config cfg;
    char user_agent[96];
    char trace_header[64];
    clock_source *clk;
    pthread_mutex_t rng_mu;
    rng rng;
    /* The loop thread and what it shares with senders, under mu. */
    pthread_t thread;
    pthread_mutex_t mu;
    CURLM *multi;
    http_job *pending; /* submitted, not yet in the multi */
    http_job *active;  /* in the multi */
    bool stopping;
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

#endif
