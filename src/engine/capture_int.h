/* capture_int.h: what the capture files share: the capture record, its store connection pool
 * and counters. For src/engine/capture*.c only. */
#ifndef PHEEDSYNC_ENGINE_CAPTURE_INT_H
#define PHEEDSYNC_ENGINE_CAPTURE_INT_H

#include "engine/capture.h"
#include "store/store.h"
#include "util/metrics.h"

#include <pthread.h>
#include <stdatomic.h>

enum { CAPTURE_SRC_GHL = 0, CAPTURE_SRC_PL, CAPTURE_SRCS };
enum {
    CAPTURE_ACCEPTED = 0,
    CAPTURE_DUPLICATE,
    CAPTURE_IGNORED,
    CAPTURE_FORGED,
    CAPTURE_STALE,
    CAPTURE_MALFORMED,
    CAPTURE_BUSY,
    CAPTURE_FAILED,
    CAPTURE_OUTCOMES
};

/* A link as the endpoints route to it (capture_link, copied). */
typedef struct capture_route {
    char *name, *location_id, *org_code;
    char **events; /* NULL-terminated copy, or NULL: any */
    const pl_webhook *pl;
} capture_route;

struct capture {
    char *store_url;
    clock_source *clock;
    const ghl_webhook_verifier *ghl;
    const pl_webhook *pl; /* any link's check: whether the PheedLoop endpoint is routed */
    capture_route *routes;
    size_t n_routes;
    int64_t coalesce_ms;
    void (*notify)(void *ctx);
    void *notify_ctx;
    pthread_mutex_t mu; /* guards the pool */
    store **idle;
    size_t n_idle, max_idle;
    _Atomic int64_t counts[CAPTURE_SRCS][CAPTURE_OUTCOMES];
    metric *webhooks; /* pheedsync_webhooks_total{source, outcome} in the process registry */
};

/* Stores one verified delivery: its id and its hint in one transaction. Returns 0 when stored,
 * 1 when the id was seen before (nothing stored), or a negative ERR_* from the store. */
int capture_store_delivery(capture *c, const char *source, const char *delivery_id,
                           const store_hint_new *h, err *e);
/* Counts outcome and writes the answer it calls for. */
void capture_answer(capture *c, int src, int outcome, http_response *res, const char *why);
bool capture_event_synced(const capture_route *r, const char *event);

#endif
