/* ghl_emu.h: the HighLevel (LeadConnector API v2) emulator: contacts, tasks, notes,
 * appointments, tags, custom fields, search, upsert and duplicate rules, webhooks; with OAuth,
 * scopes and rate limits in front. */
#ifndef PHEEDSYNC_SANDBOX_GHL_EMU_H
#define PHEEDSYNC_SANDBOX_GHL_EMU_H

#include "sandbox/ghl/ghl_auth.h"
#include "sandbox/ghl/ghl_ratelimit.h"
#include "sandbox/service.h"

typedef struct ghl_emu ghl_emu;

typedef struct ghl_emu_options {
    const char *location_id;      /* the first location; default generated */
    bool allow_duplicates;        /* the location's "Allow Duplicate Contact" setting; default false */
    ghl_ratelimit_options rate;   /* zeros: HighLevel's defaults */
    int64_t access_ttl_s;         /* zero: 86399 */
    const char *webhook_url;      /* where webhooks go; NULL: none until set by the admin API */
} ghl_emu_options;

int ghl_emu_new(ghl_emu **out, const ghl_emu_options *opts, sbx_service *svc, err *e);
void ghl_emu_free(ghl_emu *g);
/* Registers every API, OAuth and admin route on srv and installs the service glue. */
int ghl_emu_mount(ghl_emu *g, http_server *srv, err *e);
/* What a configuration needs: location id, client id and secret, a Private Integration Token,
 * the webhook public keys. */
json_t *ghl_emu_info(ghl_emu *g);
/* Stores a contact directly (no webhook), as seeding does; fields in the API's create shape. */
int ghl_emu_seed_contact(ghl_emu *g, const char *location_id, const json_t *fields,
                         char *id_out, size_t id_len, err *e);
ghl_auth *ghl_emu_auth(ghl_emu *g);

#endif
