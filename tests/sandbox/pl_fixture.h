/* pl_fixture.h: the PheedLoop emulator on a loopback port with a fake clock, plus a webhook
 * receiver, for the test_pl_* programs. */
#ifndef PHEEDSYNC_TESTS_PL_FIXTURE_H
#define PHEEDSYNC_TESTS_PL_FIXTURE_H

#include "util/common.h"
#include "net/http_server.h"
#include "sandbox/pheedloop/pl_emu.h"
#include "tests/support/testhttp.h"

#include <pthread.h>

#define PLFX_ORG "ORGTEST"
#define PLFX_KEY "test-key-0123456789"
#define PLFX_SECRET "test-secret-abcdefghij"
#define PLFX_TOKEN "admin-token-for-tests"
#define PLFX_EVENT "EVETEST1"
/* 2026-11-27T08:00:00Z */
#define PLFX_T0 1795766400000LL

typedef struct pl_fx {
    clock_source clock;
    sbx_service svc;
    pl_emu *pl;
    http_server *srv;
    char base[64]; /* http://127.0.0.1:PORT */
    char api[128]; /* base + /api/v3/organization/ORGTEST/ */
    /* The webhook receiver: every POST /hook is kept. */
    http_server *rcv;
    char hook_url[96];
    pthread_mutex_t mu;
    json_t *received; /* [{"body": raw text, "signature": header or null}] */
} pl_fx;

int plfx_setup(void **state);
int plfx_teardown(void **state);

/* An API call relative to fx->api with the right credentials. */
th_response *plfx_api(pl_fx *fx, const char *method, const char *path, const char *body);
/* The same with explicit key and secret (NULL: header left out). */
th_response *plfx_api_as(pl_fx *fx, const char *method, const char *path, const char *key,
                         const char *secret, const char *body);
/* An admin call relative to fx->base with the admin token. */
th_response *plfx_admin(pl_fx *fx, const char *method, const char *path, const char *body);
/* Fails the test unless r has this status; returns r. */
th_response *plfx_expect(th_response *r, long status);
/* Creates an attendee in PLFX_EVENT through the API; returns its code (static buffer per call
 * site is the caller's: out). */
void plfx_create_attendee(pl_fx *fx, const char *email, char out[64]);
/* How many deliveries the receiver holds. */
size_t plfx_received(pl_fx *fx);
/* Waits (bounded) until the receiver holds at least n deliveries. */
bool plfx_wait_received(pl_fx *fx, size_t n);
/* Delivery i parsed (new reference) and its signature (copied to sig). */
json_t *plfx_delivery(pl_fx *fx, size_t i, char *sig, size_t sig_len, char **raw_out);
/* The webhook secret of an event from pl_emu_info. */
void plfx_event_secret(pl_fx *fx, const char *event, char out[80]);

#endif
