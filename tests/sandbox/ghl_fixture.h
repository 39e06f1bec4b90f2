/* ghl_fixture.h: the HighLevel emulator behind a real HTTP server on loopback, with real
 * faults, counters and webhook delivery to a receiver the test reads; for the e2e tests. */
#ifndef PHEEDSYNC_TESTS_GHL_FIXTURE_H
#define PHEEDSYNC_TESTS_GHL_FIXTURE_H

#include "sandbox/ghl/ghl_emu.h"
#include "tests/support/testhttp.h"

#include <pthread.h>

#define GFX_ADMIN_TOKEN "test-admin-token"
#define GFX_START_MS 1700000000000LL

typedef struct gfx {
    clock_source clock; /* fake: moves only when the test advances it */
    sbx_faults *faults;
    sbx_counters *counters;
    sbx_webhooks *webhooks;
    sbx_service svc;
    sbx_ghl_emu *emu;
    http_server *srv;
    http_server *recv; /* the webhook receiver */
    char base[64];
    char hook_url[128];
    json_t *info;    /* sbx_ghl_emu_info */
    char token[512]; /* the PIT: every scope, first location */
    char location[64];
    pthread_mutex_t mu;
    json_t *hooks; /* [{"type", "body" (raw), "json", "ed", "rsa"}] in arrival order */
} gfx;

/* Starts everything; allow_duplicates sets the first location's setting. Never NULL. */
gfx *gfx_start(bool allow_duplicates);
void gfx_stop(gfx *fx);

/* An API request with the PIT and the Version header; body may be NULL. */
th_response *gfx_api(gfx *fx, const char *method, const char *path, const char *body);
/* The same with a chosen token (NULL: none) and version (NULL: no header). */
th_response *gfx_api_as(gfx *fx, const char *token, const char *version, const char *method,
                        const char *path, const char *body);
/* An admin request (X-Sandbox-Token). */
th_response *gfx_admin(gfx *fx, const char *method, const char *path, const char *body);
/* printf into a static-free heap string; free() it. */
char *gfx_fmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* Fails the test (showing the body) unless r answered status. */
void gfx_expect(const th_response *r, long status);
/* A string in a JSON answer by dotted path, or NULL. */
const char *gfx_str(const th_response *r, const char *path);

/* Creates a contact through the API and returns its id (malloc'd); fails the test otherwise. */
char *gfx_create(gfx *fx, const char *json_fields);

/* Waits (bounded) until at least n webhooks of type arrived; returns them (new reference). */
json_t *gfx_wait_hooks(gfx *fx, const char *type, size_t n);
/* Every webhook received so far (new reference). */
json_t *gfx_hooks(gfx *fx);
void gfx_clear_hooks(gfx *fx);
/* Verifies both signatures of a received webhook with OpenSSL and the public keys of
 * sbx_ghl_emu_info. */
bool gfx_verify_signatures(gfx *fx, const json_t *hook);
/* Checks payload against the event's schema in webhook-events.extracted.json: every property
 * present has the declared type; with complete, every declared property is present. */
bool gfx_payload_matches_schema(const char *type, const json_t *payload, bool complete);

#endif
