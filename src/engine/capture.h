/* capture.h: the webhook endpoints of `pheedsync run`. POST /webhooks/ghl and
 * POST /webhooks/pheedloop verify a delivery's signature, check its timestamp window, dedupe on
 * its delivery id and store it as an inbox hint, the last two in one transaction, and answer
 * 2xx only after that commit (promise 1: nothing acknowledged is lost).
 *
 * Answers (HighLevel redelivers after a 429, never after other codes):
 *   200 {"ok": true}                   stored; or a duplicate delivery ("duplicate": true), which
 *                                      adds no second hint; or a delivery pheedsync does not sync
 *                                      (another location or event, no person named: "ignored")
 *   401                                a missing or forged signature, or a stamp outside the window
 *   400                                a correctly signed body that is not a delivery
 *   429 (Retry-After)                  the store is busy or unreachable: send it again later
 *   500                                the check itself failed (out of memory, crypto library)
 * Each outcome is counted per source (capture_stats). */
#ifndef PHEEDSYNC_ENGINE_CAPTURE_H
#define PHEEDSYNC_ENGINE_CAPTURE_H

#include "ghl/ghl_webhook.h"
#include "net/http_server.h"
#include "pheedloop/pl_webhook.h"
#include "pheedloop/pl_client.h"
#include "util/clock.h"
#include "util/config.h"

#define CAPTURE_GHL_PATH "/webhooks/ghl"
#define CAPTURE_PL_PATH "/webhooks/pheedloop"

/* One link of the configuration whose deliveries the endpoints take (engine.h): a HighLevel
 * delivery goes to the link of the body's locationId, a PheedLoop one to the link of its
 * event_code (when two organizations have an event of that code, to the one whose webhook
 * secret signed it). The stored hint carries the link (store_hint_new.link). */
typedef struct capture_link {
    const char *name;          /* ENGINE_DEFAULT_LINK or the [link] name */
    const char *location_id;   /* NULL: this link has no HighLevel side */
    const char *org_code;      /* required with a PheedLoop check */
    const char *const *events; /* NULL-terminated; NULL: any (one link only) */
    const pl_webhook *pl;      /* its PheedLoop check; NULL: capture_options.pl */
} capture_link;

typedef struct capture_options {
    const char *store_url; /* requests take handles from a pool of connections to it */
    clock_source *clock;   /* the timestamp window and the store; NULL: system */
    /* The checks, kept by reference; NULL leaves that endpoint unrouted (404). */
    const ghl_webhook_verifier *ghl;
    const pl_webhook *pl;
    /* Several links (n_links > 0), or one made of the three below (the default link). */
    const capture_link *links;
    size_t n_links;
    const char *location_id;   /* HighLevel deliveries for other locations are dropped; NULL: any */
    const char *org_code;      /* PheedLoop's record keys name it; required with pl */
    const char *const *events; /* NULL-terminated; deliveries for other events are dropped;
                                  NULL: any */
    int64_t coalesce_ms;       /* hint delay: a burst for one person merges into one pass */
    size_t max_idle_handles;   /* store connections kept open between requests; 0: 8 */
    /* Called after each stored hint (e.g. wakes the planner); may be NULL. Any thread. */
    void (*notify)(void *ctx);
    void *notify_ctx;
} capture_options;

typedef struct capture_stats {
    int64_t accepted;   /* stored as a new hint */
    int64_t duplicates; /* a delivery id seen before: acknowledged, nothing stored */
    int64_t ignored;    /* verified, but not about anything synced */
    int64_t forged;     /* no signature, a wrong one, or one that cannot be checked */
    int64_t stale;      /* a good signature on a stamp outside the window (or none) */
    int64_t malformed;  /* signed but not a delivery */
    int64_t busy;       /* answered 429: the store could not take it */
    int64_t failed;     /* answered 500 */
} capture_stats;

typedef struct capture capture;

/* Copies what it needs of o (the verifiers stay the caller's). ERR_INVALID without a store URL
 * or, with a PheedLoop check, a link without an organization. */
int capture_new(capture **out, const capture_options *o, err *e);
/* Routes POST CAPTURE_GHL_PATH and CAPTURE_PL_PATH (those with a check) on srv. */
int capture_mount(capture *c, http_server *srv, err *e);
/* Counters of one source, "ghl" or "pheedloop". */
void capture_stats_get(capture *c, const char *source, capture_stats *out);
/* {"ghl": {accepted, ...}, "pheedloop": {...}} */
json_t *capture_stats_json(capture *c);
/* Closes the pooled store connections. Call after the server has stopped. */
void capture_free(capture *c);

/* The HighLevel check from [ghl]: webhook_public_key, webhook_rsa_public_key and
 * webhook_window (0 there: not checked). */
int capture_ghl_verifier_from_config(ghl_webhook_verifier **out, const config *cfg, err *e);

/* The actions a PheedLoop event must send for the sync to see every change of its attendees. */
extern const char *const capture_pl_actions[];
extern const size_t capture_pl_actions_n;

/* Subscribes PheedLoop REST hooks: for each event, each of capture_pl_actions that has no
 * hook to endpoint yet (a hook for "*" to endpoint counts for all) is subscribed. Lists first,
 * so running it again adds nothing. *out_added (may be NULL): subscriptions made. */
int capture_register_pl_hooks(size_t *out_added, pl_client *pl, const char *const *events,
                              const char *endpoint, err *e);

#endif
