/* capture_env.h: change capture against the sandbox, in-process on port 0: both emulators
 * (no seeded people; two PheedLoop events), clients on them, a store in a temporary directory,
 * an engine on it, and the webhook endpoints on a server of their own. */
#ifndef PHEEDSYNC_TESTS_CAPTURE_ENV_H
#define PHEEDSYNC_TESTS_CAPTURE_ENV_H

#include "engine/capture.h"
#include "engine/engine.h"
#include "sandbox/sandbox.h"
#include "tests/support/testhttp.h"

#define CENV_ORG "ORGCAP"
#define CENV_KEY "capture-test-key-0123"
#define CENV_SECRET "capture-test-secret-4567"
#define CENV_ADMIN "capture-admin-token"
#define CENV_EVENT "EVECAP"
#define CENV_EVENT2 "EVECAPTWO"

typedef struct cenv {
    sbx_sandbox *sbx;
    char ghl_base[96], pl_base[96];
    char location[64];
    char pit[256];
    char ed_key[512];         /* the emulator's Ed25519 webhook key, base64 SPKI */
    char event_secret[2][96]; /* CENV_EVENT's and CENV_EVENT2's webhook secrets */
    char dir[128];
    char store_url[256];
    http_client *http;
    ghl_tokens *tokens;
    ghl_client *ghl;
    pl_client *pl;
    store *store; /* the test's own connection */
    const char *events[3];
    engine eng; /* on store, both clients, the system clock */
    /* The webhook endpoints (cenv_capture_start). */
    ghl_webhook_verifier *ghl_wh;
    pl_webhook *pl_wh;
    capture *cap;
    http_server *srv;
    char hook_base[64]; /* http://127.0.0.1:PORT */
} cenv;

cenv *cenv_start(void);
void cenv_stop(cenv *c);
/* Starts the endpoints with the sandbox's keys and secrets, on store_url (NULL: the env's). */
void cenv_capture_start(cenv *c, const char *store_url);
/* Admin calls (X-Sandbox-Token) on either emulator: fail the test unless 2xx; the answer's
 * JSON (new reference, may be NULL). */
json_t *cenv_ghl_admin(cenv *c, const char *method, const char *path, const char *body);
json_t *cenv_pl_admin(cenv *c, const char *method, const char *path, const char *body);
/* Waits until both emulators have delivered every queued webhook. */
void cenv_drain_webhooks(cenv *c);
/* Claims (and acks) every ready hint: {record_key: {"count", "kind", "source", "payload"}}. */
json_t *cenv_take_hints(cenv *c);
/* Hints waiting in the inbox. */
int64_t cenv_pending(cenv *c);
bool cenv_wait_pending(cenv *c, int64_t n);
/* A contact made through the HighLevel UI route (no webhook unless a URL is set); its id. */
char *cenv_ui_contact(cenv *c, const char *first, const char *email);
/* An attendee made through the PheedLoop API in event; its code. */
char *cenv_attendee(cenv *c, const char *event, const char *first, const char *email);
/* "ghl:LOC:ID" and "pl:ORG:EVENT:CODE", in a static buffer per call site's argument. */
void cenv_key_ghl(char out[ENGINE_KEY_MAX], cenv *c, const char *id);
void cenv_key_pl(char out[ENGINE_KEY_MAX], const char *event, const char *code);
/* A PheedLoop delivery (attendee.updated of code in event), malloc'd. */
char *cenv_pl_body(const char *event, const char *code, const char *delivery, int64_t ts_ms);
/* POSTs body to base + CAPTURE_PL_PATH signed with secret; the HTTP status (0: no answer). */
long cenv_post_pl(const char *base, const char *secret, const char *body, long timeout_ms);
/* Waits until the system clock has moved past ms. */
void cenv_after(int64_t ms);

#endif
