/* testhttp.h: a blocking HTTP client for tests (libcurl easy), and bounded waiting. */
#ifndef PHEEDSYNC_TESTHTTP_H
#define PHEEDSYNC_TESTHTTP_H

#include "util/buf.h"

#include <jansson.h>

typedef struct th_response {
    long status;          /* 0 when no answer came (reset, timeout) */
    char *body;           /* NUL-terminated, malloc'd */
    size_t body_len;
    char *headers;        /* raw header block, lower-cased names, "name: value\n" lines */
    json_t *json;         /* parsed body when it is JSON, else NULL */
    int curl_code;        /* CURLE_OK or the transport failure */
} th_response;

/* Sends method url with headers (NULL-terminated array of "Name: value", may be NULL) and body
 * (may be NULL). timeout_ms 0 means 10 s. Always returns a response to th_response_free(). */
th_response *th_request(const char *method, const char *url, const char *const *headers,
                        const char *body, long timeout_ms);
/* Same with a body of body_len bytes that may hold any byte (NUL included); body NULL: none. */
th_response *th_request_raw(const char *method, const char *url, const char *const *headers,
                            const void *body, size_t body_len, long timeout_ms);
const char *th_header(const th_response *r, const char *name); /* value or NULL; r keeps it */
void th_response_free(th_response *r);

/* Polls cond(ctx) every 10 ms until it is true or timeout_ms passes; returns the last result. */
bool th_wait_until(bool (*cond)(void *ctx), void *ctx, int timeout_ms);

#endif
