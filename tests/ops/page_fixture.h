/* page_fixture.h: what the tests of the status page, /readyz and alerts share: `pheedsync run` as
 * a process on the app fixture's sandbox and directory, plain requests with or without the admin
 * token, scraping one series from /metrics, and a local receiver for alert POSTs. */
#ifndef PHEEDSYNC_TESTS_PAGE_FIXTURE_H
#define PHEEDSYNC_TESTS_PAGE_FIXTURE_H

#include "tests/app/app_fixture.h"

#include <sys/types.h>

/* A port free now on 127.0.0.1. */
uint16_t pfx_free_port(void);

typedef struct pfx_daemon {
    pid_t pid;
    char base[64]; /* http://127.0.0.1:PORT */
    char log[256]; /* its standard output and error (shown on stderr when it fails) */
} pfx_daemon;

/* Starts `pheedsync run --config f->conf ARGS...` (args NULL-terminated, may be NULL) in f->dir
 * with the seal key, this process's sanitizer options and env (NULL-terminated "NAME=value", may
 * be NULL), and waits for GET /healthz on port (the one [server] listen names). */
void pfx_daemon_start(pfx_daemon *d, afx *f, uint16_t port, const char *const *args,
                      const char *const *env);
/* SIGTERM, then its exit status (the test fails if it takes over 20 s); the log goes to stderr
 * when it is not 0. */
int pfx_daemon_stop(pfx_daemon *d);

/* Copies the daemon's log to stderr (its directory goes away with the test). */
void pfx_daemon_show_log(const pfx_daemon *d);

/* GET or POST base + path, with "Authorization: Bearer token" when token is not NULL. */
th_response *pfx_get(const char *base, const char *path, const char *token);
th_response *pfx_post(const char *base, const char *path, const char *token);
/* The value of one series in base's /metrics ("pheedsync_links" or
 * "pheedsync_needs_reauth{service=\"ghl\"}"); -1 when absent. */
double pfx_scrape(const char *base, const char *series);

/* A local endpoint that keeps every JSON body POSTed to it. */
typedef struct pfx_receiver pfx_receiver;
pfx_receiver *pfx_receiver_start(void);
const char *pfx_receiver_url(const pfx_receiver *r);
/* How many alerts came with this status ("firing", "resolved") and condition ("reauth", ...). */
int pfx_receiver_count(pfx_receiver *r, const char *status, const char *condition);
/* Waits until that count reaches n (at most timeout_ms); true if so. */
bool pfx_receiver_wait(pfx_receiver *r, const char *status, const char *condition, int n,
                       int timeout_ms);
/* The i-th alert received (borrowed; valid until free), NULL past the end. */
const json_t *pfx_receiver_get(pfx_receiver *r, size_t i);
void pfx_receiver_free(pfx_receiver *r);

#endif
