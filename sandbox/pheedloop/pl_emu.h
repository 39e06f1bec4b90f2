/* pl_emu.h: the PheedLoop (REST API v3) emulator: events, attendees, registrations, attendance,
 * members, tags, announcements, REST hooks with signed webhooks. */
#ifndef PHEEDSYNC_SANDBOX_PL_EMU_H
#define PHEEDSYNC_SANDBOX_PL_EMU_H

#include "sandbox/service.h"

typedef struct sbx_pl_emu sbx_pl_emu;

typedef struct sbx_pl_emu_options {
    const char *org_code;   /* default "ORGSANDBOX" */
    const char *api_key;    /* default generated */
    const char *api_secret; /* default generated */
} sbx_pl_emu_options;

int sbx_pl_emu_new(sbx_pl_emu **out, const sbx_pl_emu_options *opts, sbx_service *svc, err *e);
void sbx_pl_emu_free(sbx_pl_emu *p);
int sbx_pl_emu_mount(sbx_pl_emu *p, http_server *srv, err *e);
/* What a configuration needs: base URL path, org code, key, secret, events with their webhook
 * secrets; "organizations": the same for every organization served (this one first). */
json_t *sbx_pl_emu_info(sbx_pl_emu *p);
/* Another organization on the same port, with its own key and secret (generated when opts
 * leaves them NULL), events, attendees, members and REST hooks. Its API paths name its org
 * code; /_sandbox/ routes reach it with ?org=CODE (dashboard routes also by their event).
 * *out (may be NULL) is its handle for the seeding and state calls below; it lives as long
 * as p. ERR_CONFLICT when the code is taken. */
int sbx_pl_emu_add_org(sbx_pl_emu **out, sbx_pl_emu *p, const sbx_pl_emu_options *opts, err *e);
/* The organization of that code served by p (p itself for its own code), or NULL. */
sbx_pl_emu *sbx_pl_emu_org(sbx_pl_emu *p, const char *org_code);
/* Creates an event directly; its webhook secret is generated. code_out may be NULL. */
int sbx_pl_emu_seed_event(sbx_pl_emu *p, const char *event_code, const char *name, const char *date,
                          err *e);
/* Stores an attendee (and its registration) directly, no webhook; fields in the API's create
 * shape plus optional "ticket_name". */
/* A deep copy of the whole state (what GET /_sandbox/state answers): events with their
 * attendees, registrations, tags, announcements and REST hooks; members; contact tags;
 * "welcome_emails": {total, app, attendee_portal, virtual_portal, recent}; "webhooks_fired". */
json_t *sbx_pl_emu_state(sbx_pl_emu *p);
int sbx_pl_emu_seed_attendee(sbx_pl_emu *p, const char *event_code, const json_t *fields,
                             char *code_out, size_t code_len, err *e);

#endif
