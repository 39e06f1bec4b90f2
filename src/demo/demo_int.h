/* demo_int.h: the demo's state and the parts of demo_run, one file each: setup (state directory,
 * sandbox, configuration, OAuth, webhooks), engine (initial sync, daemon, counts), edits (the
 * live changes) and watch (the sync outcomes, read from the audit log). */
#ifndef PHEEDSYNC_DEMO_INT_H
#define PHEEDSYNC_DEMO_INT_H

#include "demo/demo.h"
#include "app/app.h"
#include "engine/daemon.h"
#include "ops/api_metrics.h"
#include "sandbox/sandbox.h"
#include "util/rng.h"

/* A linked person the live edits may touch (one of its attendees stands for the PheedLoop side). */
typedef struct demo_person {
    int64_t link_id;
    char contact_id[64];
    char event[32], code[32];
    char name[160];
    bool checked_in;
    char task_id[64]; /* an open task the demo made, "" when none */
    char task_title[64];
    char appt_id[64]; /* an appointment the demo made */
    char tag[32];     /* a tag the demo added */
} demo_person;

/* What a HighLevel activity edit should become on one of the person's attendees: an entry of
 * metadata.highlevel.LIST with this id (a completed task: completed; a moved appointment: its
 * new start). Checked on PheedLoop itself: activity is not in the audit log. */
typedef struct demo_expect {
    const char *list; /* "tasks", "notes", "appointments"; NULL: nothing to check */
    char id[64];
    bool completed;
    char start[24]; /* "YYYY-MM-DDTHH:MM", "" when any */
    char what[128]; /* the entry, for the line */
    char event[32], code[32];
    int64_t next_ms; /* monotonic: the next look */
} demo_expect;

/* The audit log of one person, watched for a while after an edit. */
typedef struct demo_watch {
    bool used;
    char keys[2][96]; /* audit person keys: the link id; the email until the link is known */
    int64_t after[2]; /* the last entry printed, per key */
    char who[160];
    char event[32], code[32]; /* a sign-up still waiting for its link ("" otherwise) */
    int64_t since_ms;         /* wall clock: entries older than the edit are not its outcome */
    int64_t until_ms;         /* monotonic */
    demo_expect expect;
} demo_watch;

#define DEMO_WATCHES 64
/* [sync] poll_interval of the demo's configuration: often enough to see the pollers at work. */
#define DEMO_POLL_INTERVAL_S 30

typedef struct demo {
    demo_options opt;
    FILE *out;
    bool tty;
    char dir[512], conf_path[600];
    uint16_t port;
    char page_token[48]; /* [server] admin_token: the status page's */
    sbx_sandbox *sbx;
    char ghl_base[128], pl_base[128], sbx_token[64], location[64], org[64];
    json_t *events;        /* PheedLoop events of the sandbox: [{code, webhook_secret, ...}] */
    ops_api_metrics api;   /* every API call counted, for /metrics and the status page */
    http_client_config hc; /* the shared client's, observed by api */
    app_ctx app;
    bool app_open;
    ghl_webhook_verifier *ghl_wh;
    pl_webhook *pl_wh;
    daemon *dmn;
    rng rng;
    demo_person *people;
    size_t n_people, cap_people;
    size_t recent[8]; /* people edited lately: edited again often, so that tasks get
                         completed, meetings moved, tags removed, attendees checked out */
    size_t n_recent;
    demo_watch watches[DEMO_WATCHES];
    size_t edits_pl, edits_ghl, edit_failures, outcomes;
} demo;

/* ---------------------------------------------------------------- demo.c */

/* "  ✓ text" (or "  ✗") on a line of its own. */
void demo_step(demo *d, bool ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* "HH:MM:SS  text": one line of the live phase (nothing with --quiet). */
void demo_line(demo *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "HH:MM:SS  SIDE       ACTION         what": one edit or one outcome, aligned. */
void demo_event(demo *d, const char *side, const char *action, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Whether one of stop is pending (not taken: the live loop's wait takes it). */
bool demo_stopping(const sigset_t *stop);

/* ---------------------------------------------------------------- demo_setup.c */

/* The state directory (created 0700; one the demo did not write is refused) and the port. */
int demo_prepare(demo *d, err *e);
/* Starts the sandbox seeded with opt.people people. */
int demo_start_sandbox(demo *d, err *e);
/* Writes the configuration for the sandbox and opens the application context on it. */
int demo_write_config(demo *d, err *e);
/* The OAuth code flow against the sandbox: the authorize page, its redirect, the exchange. */
int demo_connect(demo *d, err *e);
/* HighLevel's webhook URL and PheedLoop's REST hooks, both to the daemon. */
int demo_register_webhooks(demo *d, err *e);
/* An admin call on one emulator (ghl: HighLevel); *out (may be NULL) gets the answer. */
int demo_admin(json_t **out, demo *d, bool ghl, const char *method, const char *path, json_t *body,
               err *e);
void demo_teardown(demo *d);

/* ---------------------------------------------------------------- demo_engine.c */

/* One full pass, with a progress bar on a terminal; cut short when a stop signal is pending. */
int demo_initial_sync(demo *d, const sigset_t *stop, err *e);
int demo_start_daemon(demo *d, err *e);
/* Waits (up to max_ms, or until a stop signal) until the sandbox has delivered its webhooks and
 * the inbox and outbox are empty, printing outcomes meanwhile. True when drained. */
bool demo_drain(demo *d, const sigset_t *stop, int64_t max_ms);
void demo_summary(demo *d, int64_t live_ms);

/* ---------------------------------------------------------------- demo_edits.c */

/* The people of the initial sync's links, named as HighLevel names them. */
int demo_load_people(demo *d, err *e);
/* One live edit, chosen at random among those that make sense now. */
void demo_edit(demo *d);
/* Adds a person to the pool (a sign-up once linked). */
void demo_add_person(demo *d, const demo_person *p);

/* ---------------------------------------------------------------- demo_watch.c */

/* Watches a person's audit log: by link id (0: not linked yet) and by email (may be NULL); a
 * sign-up names its attendee, whose link is looked up until found. */
demo_watch *demo_watch_person(demo *d, int64_t link_id, const char *email, const char *who,
                              const char *event, const char *code);
/* Prints what the watched people's audit logs gained. */
void demo_watch_poll(demo *d);

#endif
