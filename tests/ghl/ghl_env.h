/* ghl_env.h: the HighLevel client against the sandbox's emulator, in-process on port 0: a
 * store in a temporary directory, a fixed sealing key, a connected OAuth grant, a client. */
#ifndef PHEEDSYNC_TESTS_GHL_ENV_H
#define PHEEDSYNC_TESTS_GHL_ENV_H

#include "ghl/ghl_client.h"
#include "sandbox/sandbox.h"
#include "tests/support/testhttp.h"

#define GENV_SCOPES "contacts.readonly contacts.write locations/customFields.readonly"

typedef struct genv {
    sbx_sandbox *sbx;
    json_t *info;    /* the "highlevel" part of sbx_sandbox_info */
    char admin[128]; /* the admin token */
    char base[128];  /* the emulator's base URL */
    char location[64];
    char dir[128]; /* temporary directory */
    char store_url[256];
    crypto_key *key;
    http_client *http;
    ghl_tokens *tokens;
    ghl_client *client;
    ghl_call call;
    ghl_op op; /* location, live lane, &call */
} genv;

/* Starts the sandbox and connects with OAuth (code from the admin API, the given scopes;
 * NULL: GENV_SCOPES). base_url: where the client sends API calls (NULL: the emulator). */
genv *genv_start(const char *scopes, const char *base_url);
/* The same with a Private Integration Token instead of OAuth. */
genv *genv_start_pit(const char *scopes);
void genv_stop(genv *g);

/* A token manager of its own on the same store (another "process" in all but pid). */
ghl_tokens *genv_tokens(genv *g);
/* An admin request; returns the answer's JSON (new reference; fails the test on non-2xx). */
json_t *genv_admin(genv *g, const char *method, const char *path, const char *body);
/* Sets faults through PUT /_sandbox/faults (e.g. "{\"p_5xx\": 1}"). */
void genv_faults(genv *g, const char *json);
/* A contact made through the client; returns its id (malloc'd). */
char *genv_contact(genv *g, const char *first, const char *email);

#endif
