/* ghl_client_int.h: the HighLevel client's state and helpers shared by its source files;
 * private to src/ghl. */
#ifndef PHEEDSYNC_GHL_CLIENT_INT_H
#define PHEEDSYNC_GHL_CLIENT_INT_H

#include "ghl/ghl_client.h"

#include <pthread.h>

/* One location's budget and custom field list. */
typedef struct ghl_loc {
    char *id;
    governor *gov;
    ghl_field_defs fields; /* guarded by ghl_client.fields_mu */
    int64_t fields_at_ms;  /* when fields was loaded (monotonic); 0: never */
    struct ghl_loc *next;
} ghl_loc;

struct ghl_client {
    ghl_client_config cfg;
    char *base_url;
    clock_source *clock;
    pthread_mutex_t mu;        /* the location list */
    pthread_mutex_t fields_mu; /* custom field lists (held across a reload: one at a time) */
    ghl_loc *locs;
    bool stopping; /* ghl_client_stop_waits: new locations' governors start shut down */
};

ghl_loc *ghl_client_loc(ghl_client *c, const char *location_id, err *e);

/* Appends the percent-encoded segment to path. */
int ghl_path_seg(buf *path, const char *segment);
/* Sends and parses: the answer body is handed to parse (which fills out); parse errors are
 * ERR_PARSE and name the operation. */
typedef int (*ghl_parse_fn)(void *out, const char *body, size_t len, err *e);
int ghl_call_parse(void *out, ghl_parse_fn parse, ghl_client *c, const ghl_op *op,
                   const char *method, const char *path, const json_t *body, http_idempotency idem,
                   const char *label, err *e);

#endif
