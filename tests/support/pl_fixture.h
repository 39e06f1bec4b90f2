/* pl_fixture.h: the sandbox's PheedLoop emulator alone on a loopback port with its own service
 * (faults, counters, webhook delivery), a webhook receiver, and for the client's tests a
 * PheedLoop client pointed at the emulator; shared by tests/sandbox and tests/pheedloop. */
#ifndef PHEEDSYNC_TESTS_PL_FIXTURE_H
#define PHEEDSYNC_TESTS_PL_FIXTURE_H

#include "util/common.h"
#include "net/http_server.h"
#include "pheedloop/pl_client.h"
#include "pheedloop/pl_webhook.h"
#include "sandbox/pheedloop/pl_emu.h"
#include "tests/support/testhttp.h"

#include <pthread.h>

#define PLFX_ORG "ORGTEST"
#define PLFX_KEY "test-key-0123456789"
#define PLFX_SECRET "test-secret-abcdefghij"
#define PLFX_TOKEN "admin-token-for-tests"
#define PLFX_EVENT "EVETEST1"
#define PLFX_EVENT2 "EVEOTHER" /* seeded by plfx_client_setup only */
/* 2026-11-27T08:00:00Z: where the emulator's fake clock starts (plfx_setup). */
#define PLFX_T0 1795766400000LL

typedef struct pl_fx {
    /* The emulator. plfx_setup runs it on the fake clock below; plfx_client_setup on the real
     * one (the client's waits move only the client's clock). */
    clock_source clock;
    sbx_service svc;
    sbx_pl_emu *pl;
    http_server *srv;
    char base[64];         /* http://127.0.0.1:PORT */
    char api[128];         /* base + /api/v3/organization/ORG/ */
    char event_secret[80]; /* PLFX_EVENT's webhook secret */
    /* plfx_client_setup only: a client on the emulator, its governor, breaker and backoff on
     * the fake clock clk. */
    clock_source clk;
    pl_client *client;
    /* The webhook receiver: POST /hook answers 200 and keeps every delivery. With wh set, it
     * checks each one with pl_webhook_handle first and answers 401 when refused. */
    http_server *rcv;
    char hook_url[96];
    pthread_mutex_t mu;
    json_t *received; /* [{"body", "signature", "status", "action"}] */
    pl_webhook *wh;
} pl_fx;

/* cmocka setups: the emulator with PLFX_EVENT on the fake clock (the emulator's own tests); the
 * emulator on the real clock with PLFX_EVENT and PLFX_EVENT2 and a client (the client's). */
int plfx_setup(void **state);
int plfx_client_setup(void **state);
int plfx_teardown(void **state);

/* A client on the emulator with these knobs (0: fixture defaults: page size 500, three
 * attempts, 5 s timeouts, the fake clock clk). Free it with pl_client_free. */
typedef struct plfx_knobs {
    int page_size;
    int max_attempts;
    long timeout_ms;
    const char *api_key;  /* NULL: the right one */
    const char *org_code; /* NULL: the right one */
    int64_t rate_per_minute;
} plfx_knobs;
pl_client *plfx_client(pl_fx *fx, const plfx_knobs *k);

/* An API call relative to fx->api with the right credentials. */
th_response *plfx_api(pl_fx *fx, const char *method, const char *path, const char *body);
/* The same with explicit key and secret (NULL: header left out). */
th_response *plfx_api_as(pl_fx *fx, const char *method, const char *path, const char *key,
                         const char *secret, const char *body);
/* An admin call relative to fx->base with the admin token; the answer is freed by the caller. */
th_response *plfx_admin(pl_fx *fx, const char *method, const char *path, const char *body);
/* Fails the test unless r has this status; returns r. */
th_response *plfx_expect(th_response *r, long status);
/* PUT /_sandbox/faults with this JSON; fails the test unless it is accepted. */
void plfx_faults(pl_fx *fx, const char *json);
/* Creates an event tag through the admin API. */
void plfx_event_tag(pl_fx *fx, const char *event, const char *name);
/* The webhook secret of an event from sbx_pl_emu_info ("" when unknown). */
void plfx_event_secret(pl_fx *fx, const char *event, char out[80]);
/* The emulator's whole state (sbx_pl_emu_state); new reference. */
json_t *plfx_state(pl_fx *fx);
/* Welcome emails the emulator would have sent so far. */
int64_t plfx_welcome_emails(pl_fx *fx);

/* Creates an attendee in PLFX_EVENT through the API; its code goes to out. */
void plfx_create_attendee(pl_fx *fx, const char *email, char out[64]);
/* Attendee create fields {first_name, last_name, email}; new reference. */
json_t *plfx_person(const char *first, const char *last, const char *email);
/* Creates n attendees in event through the client (emails pN@example.com from start). */
void plfx_add_people(pl_fx *fx, const char *event, int start, int n);

/* How many deliveries the receiver holds. */
size_t plfx_received(pl_fx *fx);
/* Waits (bounded) until the receiver holds at least n deliveries. */
bool plfx_wait_received(pl_fx *fx, size_t n);
/* Delivery i as kept (a new reference). */
json_t *plfx_delivery(pl_fx *fx, size_t i);

#endif
