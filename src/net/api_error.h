/* api_error.h: one classification of every failed API call (from the status, the body and the
 * transport failure), so that callers choose retry or dead letter without parsing strings. */
#ifndef PHEEDSYNC_API_ERROR_H
#define PHEEDSYNC_API_ERROR_H

#include "util/err.h"

typedef enum api_error_kind {
    API_OK = 0,         /* 2xx: not an error */
    API_ERR_AUTH,       /* credentials missing, invalid, expired or revoked (401, invalid_grant) */
    API_ERR_SCOPE,      /* valid credentials without the right to do this (403, "scope") */
    API_ERR_NOT_FOUND,  /* the record or path does not exist (404, 410) */
    API_ERR_VALIDATION, /* the request was refused as malformed (400, 422) */
    API_ERR_DUPLICATE,  /* the record already exists (409, or 400/422 saying so) */
    API_ERR_RATE,       /* a rate limit or the daily budget (429) */
    API_ERR_TRANSIENT,  /* 5xx, 408, timeouts, resets, refused connections: may succeed later */
    API_ERR_PERMANENT,  /* anything else that will fail the same way again */
} api_error_kind;

/* What went wrong below HTTP, if anything. */
typedef enum api_transport {
    API_TRANSPORT_NONE = 0,  /* an HTTP answer came */
    API_TRANSPORT_CONNECT,   /* no connection (refused, unresolvable): nothing was sent */
    API_TRANSPORT_TIMEOUT,   /* the connect or total timeout passed */
    API_TRANSPORT_RESET,     /* the connection closed or failed mid-exchange */
    API_TRANSPORT_TOO_LARGE, /* the answer passed the response size cap */
    API_TRANSPORT_TLS,       /* certificate or handshake failure */
    API_TRANSPORT_OTHER,     /* a malformed URL, an unsupported protocol, out of memory, ... */
} api_transport;

#define API_ERROR_MSG_MAX 256
#define API_ERROR_ID_MAX 96

typedef struct api_error {
    api_error_kind kind;
    int status;              /* HTTP status, 0 when no answer came */
    api_transport transport;
    /* The service's own words: "message" (string or array of strings), "detail",
     * "error_description" or "error", or a DRF field error "field: msg". */
    char message[API_ERROR_MSG_MAX];
    /* For duplicates: the existing record's id when the answer names it (HighLevel puts it in
     * meta.contactId), else "". */
    char existing_id[API_ERROR_ID_MAX];
} api_error;

/* Classifies one outcome. body (may be NULL) is the answer's raw bytes, len of them, not
 * necessarily NUL-terminated; it is read only to tell auth from scope, validation from
 * duplicate, and to copy the message. Always fills out completely. */
void api_error_classify(api_error *out, int status, api_transport transport, const char *body,
                        size_t len);
/* True for rate and transient: the same request may succeed later unchanged. */
bool api_error_is_retryable(api_error_kind kind);
/* "ok", "auth", "scope", "not_found", "validation", "duplicate", "rate", "transient",
 * "permanent". */
const char *api_error_kind_name(api_error_kind kind);
/* "none", "connect", "timeout", "reset", "too_large", "tls", "other". */
const char *api_transport_name(api_transport t);
/* The ERR_* code a function returns for this error (0 for API_OK). */
int api_error_code(const api_error *ae);

#endif
