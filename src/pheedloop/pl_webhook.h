/* pl_webhook.h: PheedLoop webhook deliveries: the signature check as configured (HMAC-SHA256,
 * hex, X-PheedLoop-Signature by default; per-event secrets), a timestamp window, the parse of a
 * delivery into a hint, and a capture mode that logs raw deliveries for setting all this up.
 *
 * PheedLoop does not document its payload or signature. pheedsync assumes (specs/pheedloop):
 *   {"action": "attendee.updated", "event_code": "...", "data": {<record>},
 *    "timestamp": "ISO-8601", "delivery_id": "..."}
 * signed with HMAC-SHA256 of the raw body under the event's Webhook Secret, hex in
 * X-PheedLoop-Signature. Algorithm, header and encoding are configuration; when the real
 * deliveries look different, turn on [pheedloop] webhook_capture, read what arrives in the log,
 * and set them. Everything that depends on the payload's shape is pl_webhook_parse(). */
#ifndef PHEEDSYNC_PL_WEBHOOK_H
#define PHEEDSYNC_PL_WEBHOOK_H

#include "net/http_server.h"
#include "util/config.h"
#include "util/err.h"

#define PL_WEBHOOK_DEFAULT_HEADER "X-PheedLoop-Signature"
/* Deliveries stamped further than this from our clock (either way) are refused: a replay of an
 * old signed body must not count as news. Generous, because a sender retrying after our
 * downtime stamps the original time, and reconcile recovers what a refusal loses. */
#define PL_WEBHOOK_DEFAULT_WINDOW_MS ((int64_t)60 * 60 * 1000)
#define PL_WEBHOOK_CODE_MAX 128
#define PL_WEBHOOK_ID_MAX 160

typedef struct pl_webhook_secret {
    const char *event_code;
    const char *secret;
} pl_webhook_secret;

typedef struct pl_webhook_config {
    const char *algorithm; /* "sha256" (NULL), "sha1", "sha512" */
    const char *encoding;  /* "hex" (NULL) or "base64" */
    const char *header;    /* NULL: PL_WEBHOOK_DEFAULT_HEADER */
    const char *secret;    /* for events without a secret of their own; may be NULL */
    const pl_webhook_secret *event_secrets;
    size_t n_event_secrets;
    int64_t window_ms; /* 0: PL_WEBHOOK_DEFAULT_WINDOW_MS; negative: no check */
    bool capture;      /* log every delivery (headers and body, secrets redacted) */
} pl_webhook_config;

/* What a delivery says happened; the record itself is fetched again before acting. */
typedef struct pl_webhook_hint {
    char action[64]; /* "attendee.updated" */
    char object[32]; /* the part before the dot: "attendee" */
    char event_code[PL_WEBHOOK_CODE_MAX];
    char record_code[PL_WEBHOOK_CODE_MAX];   /* data.code ("" when absent) */
    char attendee_code[PL_WEBHOOK_CODE_MAX]; /* the attendee concerned: data.attendee_code
                                                of a registration, else data.code */
    char delivery_id[PL_WEBHOOK_ID_MAX];     /* as sent; else "sha256:" + hex of the body, so
                                                that a redelivered body dedupes */
    int64_t timestamp_ms;                    /* 0 when the delivery carries none */
} pl_webhook_hint;

typedef struct pl_webhook pl_webhook;

/* The secrets are copied (and registered with the logger's redaction). ERR_CONFIG for an
 * unknown algorithm or encoding, or an empty secret. */
int pl_webhook_new(pl_webhook **out, const pl_webhook_config *cfg, err *e);
/* From [pheedloop]: webhook_secret, webhook_header, webhook_encoding, webhook_algorithm,
 * webhook_capture. webhook_secret is either one secret for every event, or per-event secrets
 * "EVENT_CODE=SECRET, EVENT_CODE=SECRET" (read that way only when every item names one of
 * [pheedloop] events, so a secret that holds '=' or ',' still works as a single secret). */
int pl_webhook_from_config(pl_webhook **out, const config *cfg, err *e);
/* The same with another secret and its events (a [link]'s webhook_secret), header, encoding,
 * algorithm and capture from [pheedloop]. events is NULL-terminated. */
int pl_webhook_from_secret(pl_webhook **out, const config *cfg, const char *secret,
                           const char *const *events, err *e);
void pl_webhook_free(pl_webhook *w);
/* The header the signature is read from. */
const char *pl_webhook_header(const pl_webhook *w);
bool pl_webhook_capturing(const pl_webhook *w);

/* Reads a delivery body (len bytes, untrusted) into a hint. ERR_PARSE when it is not a JSON
 * object with string "action" and "event_code", or a field is too long. Pure. */
int pl_webhook_parse(pl_webhook_hint *out, const void *body, size_t len, err *e);

/* The whole check of one delivery: picks the event's secret, verifies sig_value (the header's
 * value, NULL when absent) over the raw body, parses it, and checks the timestamp against
 * now_ms. 0 and *out filled when it may be trusted; ERR_AUTH (answer 401) for a missing, wrong
 * or unconfigured signature and for a stamp outside the window; ERR_PARSE (answer 400) for a
 * correctly signed body that is not a delivery; ERR_CRYPTO or ERR_NOMEM (answer 5xx). */
int pl_webhook_verify(pl_webhook_hint *out, const pl_webhook *w, const char *sig_value,
                      const void *body, size_t len, int64_t now_ms, err *e);

/* One request header, for capture. */
typedef struct pl_webhook_header_kv {
    const char *name;
    const char *value;
} pl_webhook_header_kv;

/* Logs one raw delivery at info level: the headers (credentials and cookies redacted), the body
 * (as text when it is UTF-8, else base64), and the outcome of the check (verify_rc and its
 * message). Does nothing unless capture is on. */
void pl_webhook_capture(const pl_webhook *w, const char *method, const char *path,
                        const pl_webhook_header_kv *headers, size_t n_headers, const void *body,
                        size_t len, int verify_rc, const char *verify_msg);

/* What a webhook route calls: verify req (its raw body and the configured header) at now_ms,
 * and capture it when capture is on. Same returns as pl_webhook_verify. */
int pl_webhook_handle(pl_webhook_hint *out, const pl_webhook *w, const http_request *req,
                      int64_t now_ms, err *e);

#endif
