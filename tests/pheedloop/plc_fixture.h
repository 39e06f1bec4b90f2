/* plc_fixture.h: the sandbox's PheedLoop emulator started in-process (port 0, no seeded people,
 * one event), a PheedLoop client pointed at it, and a webhook receiver, for the client's tests. */
#ifndef PHEEDSYNC_TESTS_PLC_FIXTURE_H
#define PHEEDSYNC_TESTS_PLC_FIXTURE_H

#include "util/common.h"
#include "pheedloop/pl_client.h"
#include "pheedloop/pl_webhook.h"
#include "sandbox/sandbox.h"
#include "tests/support/testhttp.h"

#include <pthread.h>

#define PLCFX_ORG "ORGCLIENT"
#define PLCFX_KEY "client-test-key-0123"
#define PLCFX_SECRET "client-test-secret-4567"
#define PLCFX_TOKEN "client-admin-token"
#define PLCFX_EVENT "EVECLIENT"
#define PLCFX_EVENT2 "EVEOTHER"

typedef struct plc_fx {
    sbx_sandbox *sbx;
    pl_emu *emu;
    char base[96];         /* http://127.0.0.1:PORT */
    char event_secret[96]; /* PLCFX_EVENT's webhook secret */
    clock_source clk;      /* the client's governor, breaker and backoff: waits move it */
    pl_client *client;
    /* The webhook receiver: POST /hook answers 200 and keeps every delivery. With wh set, it
     * checks each one with pl_webhook_handle first and answers 401 when refused. */
    http_server *rcv;
    char hook_url[96];
    pthread_mutex_t mu;
    json_t *received; /* [{"body", "signature", "status", "action"}] */
    pl_webhook *wh;
} plc_fx;

int plcfx_setup(void **state);
int plcfx_teardown(void **state);

/* A client on the emulator with these knobs (0: fixture defaults: page size 500, three
 * attempts, 5 s timeouts, the fake clock). Free it with pl_client_free. */
typedef struct plcfx_knobs {
    int page_size;
    int max_attempts;
    long timeout_ms;
    const char *api_key;  /* NULL: the right one */
    const char *org_code; /* NULL: the right one */
    int64_t rate_per_minute;
} plcfx_knobs;
pl_client *plcfx_client(plc_fx *fx, const plcfx_knobs *k);

/* Admin calls on the emulator (X-Sandbox-Token); the answer is freed by the caller. */
th_response *plcfx_admin(plc_fx *fx, const char *method, const char *path, const char *body);
/* PUT /_sandbox/faults with this JSON; fails the test unless it is accepted. */
void plcfx_faults(plc_fx *fx, const char *json);
/* Creates an event tag through the admin API. */
void plcfx_event_tag(plc_fx *fx, const char *event, const char *name);
/* The emulator's whole state (pl_emu_state); new reference. */
json_t *plcfx_state(plc_fx *fx);
/* Welcome emails the emulator would have sent so far. */
int64_t plcfx_welcome_emails(plc_fx *fx);
/* Attendee create fields {first_name, last_name, email}; new reference. */
json_t *plcfx_person(const char *first, const char *last, const char *email);
/* Creates n attendees in event through the client (emails pN@example.com from start). */
void plcfx_add_people(plc_fx *fx, const char *event, int start, int n);

size_t plcfx_received(plc_fx *fx);
bool plcfx_wait_received(plc_fx *fx, size_t n);
/* Delivery i (a new reference). */
json_t *plcfx_delivery(plc_fx *fx, size_t i);

#endif
