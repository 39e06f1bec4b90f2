/* admin_http.h: what the daemon serves to its operator besides webhooks and /metrics: the
 * status page, /readyz, and the JSON API the page runs on.
 *
 *   GET  /                      the status page (page.h), /page.js and /page.css
 *   GET  /readyz                200 when ready, 503 otherwise (health.h says what is checked)
 *   GET  /api/status            health, budgets, queues, lag, the daemon's own figures
 *   GET  /api/series            operations, failures, API calls, webhooks per minute, last hour
 *   GET  /api/activity?limit=N  the newest audit entries (N <= 200, default 50)
 *   GET  /api/dlq?limit=N       dead letters, newest last (N <= 500, default 100)
 *   GET  /api/held?limit=N      held deletes waiting for a decision
 *   POST /api/dlq/{id}/replay   back to the outbox        POST /api/dlq/{id}/drop     discard
 *   POST /api/held/{id}/approve                           POST /api/held/{id}/reject
 *
 * Tokens: the POST actions always need "Authorization: Bearer <[server] admin_token>"; with no
 * admin_token configured they are refused (403, saying how to turn them on). When a token is
 * configured, the lists that name people (activity, dlq, held) need it too; the page asks for
 * it once. A wrong or missing token is 401. Tokens are compared in constant time.
 * Answers are JSON {"ok": false, "error": "..."} on failure; nothing is cached by browsers. */
#ifndef PHEEDSYNC_OPS_ADMIN_HTTP_H
#define PHEEDSYNC_OPS_ADMIN_HTTP_H

#include "net/http_server.h"
#include "ops/status_watch.h"

typedef struct ops_admin_options {
    const char *store_url;
    clock_source *clock;     /* NULL: system */
    const char *admin_token; /* NULL or "": admin actions are off */
    ghl_client *ghl;         /* each may be NULL (not configured) */
    ghl_tokens *ghl_tokens;
    const char *location_id;
    pl_client *pl;
    /* The links after the first (their services in /api/status's "links" and in /readyz),
     * kept by reference; may be NULL. */
    const ops_link_src *more;
    size_t n_more;
    /* The first link's name and events, for /api/status with several links (health.h); may be
     * NULL ("default", not known). Kept by reference. */
    const char *link_name;
    const char *const *events;
    ops_watch *watch; /* the chart and the alerts; may be NULL */
    /* The daemon's own figures for /api/status ("daemon": ...), a new reference; may be NULL. */
    json_t *(*daemon_json)(void *ctx);
    void *daemon_ctx;
} ops_admin_options;

typedef struct ops_admin ops_admin;

int ops_admin_new(ops_admin **out, const ops_admin_options *o, err *e);
/* Registers the routes above on srv (before it starts). */
int ops_admin_mount(ops_admin *a, http_server *srv, err *e);
/* Call after the server stopped. NULL is safe. */
void ops_admin_free(ops_admin *a);

/* The token check: 0 when header ("Bearer TOKEN", the scheme in any case) carries token;
 * ERR_BAD_STATE when no token is configured; ERR_AUTH when the header is missing or wrong.
 * header is network input (NUL-terminated by the server). */
int ops_admin_check_bearer(const char *header, const char *token, err *e);
/* A path id: decimal digits only, 1 to 18 of them, not 0. */
int ops_admin_parse_id(int64_t *out, const char *s, err *e);

#endif
