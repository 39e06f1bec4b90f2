/* service.h: what each emulator shares with the sandbox: clock, faults, counters, webhook
 * delivery and the admin token; and the glue that puts faults, counters and the admin check in
 * front of an emulator's routes. */
#ifndef PHEEDSYNC_SANDBOX_SERVICE_H
#define PHEEDSYNC_SANDBOX_SERVICE_H

#include "net/http_server.h"
#include "sandbox/counters.h"
#include "sandbox/faults.h"
#include "sandbox/webhooks.h"
#include "util/clock.h"

/* Emulator-specific checks that run after the faults, for API routes (not /_sandbox/):
 * authentication, scopes, rate limits. Return true when they answered the request. */
typedef bool (*sbx_api_guard)(void *ctx, const http_request *req, http_response *res);

typedef struct sbx_service {
    const char *name;         /* "ghl" | "pheedloop" */
    clock_source *clock;
    sbx_faults *faults;       /* this emulator's faults (requests and webhooks) */
    sbx_counters *counters;   /* this emulator's API requests by operation and status */
    sbx_webhooks *webhooks;   /* this emulator's outgoing webhook deliveries */
    const char *admin_token;  /* X-Sandbox-Token for /_sandbox/ */
    uint64_t seed;
    /* Set by sbx_service_mount (the service is the filter's context, so the glue owns no
     * memory of its own); leave zero. */
    sbx_api_guard guard;
    void *guard_ctx;
} sbx_service;

/* Installs the filter and the observer on srv: /_sandbox/ requests need the admin token and
 * skip faults and counters; other requests get the faults, then guard, and are counted.
 * Also mounts the shared admin routes: GET/PUT /_sandbox/faults, GET /_sandbox/counters,
 * POST /_sandbox/counters/reset, GET /_sandbox/webhooks, POST /_sandbox/webhooks/drain. */
int sbx_service_mount(sbx_service *svc, http_server *srv, sbx_api_guard guard, void *guard_ctx,
                      err *e);

#endif
