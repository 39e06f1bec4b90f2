/* pl_client_int.h: what the PheedLoop client's files share: the client's state, request
 * plumbing (paths, queries, one send with the outcome recorded) and the paging iterator's
 * constructor. Not for use outside src/pheedloop/. */
#ifndef PHEEDSYNC_PL_CLIENT_INT_H
#define PHEEDSYNC_PL_CLIENT_INT_H

#include "pheedloop/pl_client.h"

/* Paths and queries are short; a longer one is a caller's mistake. */
#define PLC_PATH_MAX 2048

struct pl_client {
    http_client *http;
    bool own_http;
    governor *gov;
    breaker *brk;
    char *api_base; /* BASE/api/v3/organization/ORG/ */
    char *org;
    char *hdr_key; /* "X-API-KEY: ..." */
    char *hdr_secret;
    int page_size;
};

/* One request below the organization root. */
typedef struct plc_req {
    const char *method;
    const char *path;   /* built with plc_path/plc_query: "events/EVE/attendees/?page=2" */
    const json_t *body; /* NULL: no body */
    http_idempotency idem;
    const char *label; /* "create-attendee": messages say "pheedloop create-attendee" */
} plc_req;

/* Appends each segment (NULL-terminated list), percent-encoded and followed by '/'. Segments
 * that are empty, "." or ".." are refused (ERR_INVALID), so that a code can never walk out of
 * its collection. */
int plc_path(buf *out, err *e, ...);
/* Appends ?key=value or &key=value, both encoded. */
int plc_query(buf *out, const char *key, const char *value, err *e);

/* Sends r and records the outcome in call (may be NULL; its lane is read). On success res holds
 * the answer. On failure e reads "pheedloop LABEL: kind (HTTP n): message [...]" with DRF's
 * field errors spelled out for 400s. res is initialised by the caller and cleared by it. */
int plc_send(http_client_response *res, pl_client *c, const plc_req *r, pl_call *call, err *e);
/* plc_send, then the 2xx body parsed as JSON into *out (a new reference). */
int plc_send_json(json_t **out, pl_client *c, const plc_req *r, pl_call *call, err *e);

/* Sends method on path; on a 2xx answer parse (NULL: the body is not wanted) reads it into
 * out. */
int plc_call(void *out, int (*parse)(void *out, json_t *j, err *e), pl_client *c,
             const char *method, const char *path, const json_t *body, http_idempotency idem,
             const char *label, pl_call *call, err *e);

/* An iterator over the list at path (already holding any filters; page and page_size are
 * added per page). */
int plc_iter_new(pl_iter **out, pl_client *c, const char *path, const char *label,
                 governor_lane lane, err *e);

#endif
