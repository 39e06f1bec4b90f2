/* daemon_int.h: what the daemon's files share: the daemon record, per-thread engines and the
 * interruptible wait. For src/engine/daemon*.c only. */
#ifndef PHEEDSYNC_ENGINE_DAEMON_INT_H
#define PHEEDSYNC_ENGINE_DAEMON_INT_H

#include "engine/capture.h"
#include "engine/daemon.h"
#include "ops/admin_http.h"

#include <pthread.h>
#include <stdatomic.h>

#define DAEMON_MAX_THREADS 160

typedef struct daemon_thread {
    daemon *d;
    const daemon_link *link; /* the link it works for */
    daemon_step fn;          /* the planner's or a worker's step; NULL for the jobs */
    const char *name;
    bool planner;
} daemon_thread;

struct daemon {
    daemon_options o;
    daemon_link *links; /* o.links copied, or the one link of o */
    size_t n_links;
    ops_link_src *ops_links; /* the links after the first, for the operator's side */
    char *store_url, *owner;
    capture *cap;
    http_server *srv;
    ops_watch *watch;
    ops_admin *admin;
    atomic_bool stop;
    pthread_mutex_t mu;
    pthread_cond_t cv;
    uint64_t wakes; /* bumped by each stored webhook; guarded by mu */
    uint64_t plans; /* bumped by each planner pass that took something; guarded by mu */
    pthread_t threads[DAEMON_MAX_THREADS];
    daemon_thread steps[DAEMON_MAX_THREADS];
    size_t n_threads;
    _Atomic int64_t polls, reconciles;
    bool stopped;
};

/* Fills eng for the calling thread's link and opens its store connection (bound to the link),
 * trying again every few seconds until it opens or the daemon stops (false then). */
bool daemon_engine_open(daemon *d, const daemon_link *link, engine *eng);
void daemon_engine_close(engine *eng);
/* Sleeps up to ms, returning early when the daemon stops or, with on_webhook, when a webhook
 * was stored. Returns false when the daemon is stopping. */
bool daemon_wait(daemon *d, int64_t ms, bool on_webhook);
bool daemon_stopping(daemon *d);

/* Thread mains of the jobs; arg is the thread's daemon_thread. */
void *daemon_poll_main(void *arg);
void *daemon_reconcile_main(void *arg);

#endif
