/* ghl_setup.h: the HighLevel pieces a command or the daemon needs, built from the
 * configuration: the HTTP client, the sealing key, the token manager. */
#ifndef PHEEDSYNC_GHL_SETUP_H
#define PHEEDSYNC_GHL_SETUP_H

#include "ghl/ghl_tokens.h"
#include "util/config.h"

typedef struct ghl_setup {
    http_client *http;
    crypto_key *key; /* NULL with auth = token */
    ghl_tokens *tokens;
    const char *base_url, *location_id; /* from the configuration; location_id may be NULL */
    bool pit;
    bool own_http;
} ghl_setup;

/* The sealing key's file: [store] key_file, else pheedsync.key beside the SQLite database
 * (or in the working directory for other stores). */
int ghl_setup_key_path(buf *out, const config *cfg, err *e);
/* Opens everything; http NULL makes a client of its own. Errors name the configuration key. */
int ghl_setup_open(ghl_setup *out, const config *cfg, http_client *http, err *e);
void ghl_setup_close(ghl_setup *s);

#endif
