/* ghl_setup.h: the HighLevel pieces a command or the daemon needs, built from the
 * configuration: the HTTP client and the token manager. */
#ifndef PHEEDSYNC_GHL_SETUP_H
#define PHEEDSYNC_GHL_SETUP_H

#include "ghl/ghl_tokens.h"
#include "util/config.h"

typedef struct ghl_setup {
    http_client *http;
    ghl_tokens *tokens;
    const char *base_url, *location_id; /* from the configuration; location_id may be NULL */
    bool pit;
    bool own_http;
} ghl_setup;

/* Opens everything; http NULL makes a client of its own. key seals the tokens at rest (kept by
 * reference; required with [ghl] auth = oauth, unused with auth = token). Errors name the
 * configuration key. */
int ghl_setup_open(ghl_setup *out, const config *cfg, http_client *http, const crypto_key *key,
                   err *e);
/* The same with auth = token, signing in with pit rather than [ghl] token: a link of the
 * configuration whose location has a Private Integration token of its own. */
int ghl_setup_open_pit(ghl_setup *out, const config *cfg, http_client *http, const char *pit,
                       err *e);
void ghl_setup_close(ghl_setup *s);

#endif
