/* connect_ghl.h: the work of `pheedsync connect ghl` once its options are read. */
#ifndef PHEEDSYNC_CONNECT_GHL_H
#define PHEEDSYNC_CONNECT_GHL_H

#include "app/app.h"

typedef struct connect_ghl_options {
    const char *code;     /* exchange this code; NULL: wait for the redirect */
    uint16_t port;        /* loopback port; 0: the redirect URI's */
    bool company;         /* user_type=Company, then a location token */
    const char *location; /* NULL: the link's location ([ghl] location_id by default) */
    const char *link;     /* --link NAME: that link's location and token; NULL: default */
    bool refresh, status;
    int64_t timeout_s;
    FILE *out;
} connect_ghl_options;

/* a has its configuration read; the HighLevel side is opened here. Returns an exit code
 * (commands.h). */
int connect_ghl_run(app_ctx *a, const connect_ghl_options *o);

#endif
