/* admin_http_int.h: what the files of the operator's API share (admin_http*.c only). */
#ifndef PHEEDSYNC_OPS_ADMIN_HTTP_INT_H
#define PHEEDSYNC_OPS_ADMIN_HTTP_INT_H

#include "ops/admin_http.h"

#include <pthread.h>

struct ops_admin {
    ops_admin_options o;
    char *store_url, *token, *location_id; /* token NULL when none is configured */
    clock_source *clk;
    ops_api_metrics api;
    pthread_mutex_t mu; /* the store handle */
    store *store;
};

typedef int (*ops_admin_store_fn)(ops_admin *a, void *ctx, err *e);

/* Runs fn holding the lock with a->store open (opened on first need, dropped after ERR_IO so
 * that the next request starts on a fresh connection). */
int ops_admin_with_store(ops_admin *a, ops_admin_store_fn fn, void *ctx, err *e);
/* 200 with j (500 when j is NULL), not cached. Takes j. */
void ops_admin_answer(http_response *res, json_t *j);
/* {"ok": false, "error": e->msg} with the status for rc (401, 403, 404, 409, 400, 503, 500). */
void ops_admin_fail(http_response *res, int rc, const err *e);
/* Whether the request may go on (else it was answered 401 or 403): actions always need the
 * token, lists only when one is configured. */
bool ops_admin_authorized(ops_admin *a, const http_request *req, http_response *res, bool action);
/* ?limit=N, clamped to [1, max]; def when absent or malformed. */
size_t ops_admin_limit(const http_request *req, size_t def, size_t max);
/* ISO 8601, or null for 0. */
json_t *ops_admin_iso(int64_t ms);

/* The lists and the actions (admin_http_lists.c). */
int ops_admin_mount_lists(ops_admin *a, http_server *srv);

#endif
