/* efix.h: the sync engine against the sandbox, in-process on port 0: both emulators (seeded or
 * empty), a store in a temporary directory, the clients, a configuration, an engine. */
#ifndef PHEEDSYNC_TESTS_EFIX_H
#define PHEEDSYNC_TESTS_EFIX_H

#include "engine/sync.h"
#include "sandbox/sandbox.h"
#include "tests/support/testhttp.h"

typedef struct efix_opts {
    bool seed_data;           /* seeded people (events EVESANDBOX1 and 2); else two empty events */
    size_t people;            /* with seed_data; 0: 60 */
    uint64_t seed;            /* 0: 11 */
    bool allow_duplicates;    /* the location's setting */
    const char *extra_config; /* appended to the configuration ([sync], [field], [rule]) */
    bool no_http_retries;     /* the transport does not retry (faults reach the engine) */
    const char *timezones[2]; /* without seed_data: EV1's and EV2's (NULL: UTC) */
    const char *store_url;    /* NULL: a SQLite file in the fixture's directory */
} efix_opts;

typedef struct efix {
    sbx_sandbox *sbx;
    char admin[128], ghl_base[128], pl_base[128], location[64], org[64];
    char pit[128], api_key[128], api_secret[160];
    char dir[128], store_url[256], config_path[256];
    const char *events[3];
    http_client *http;
    ghl_tokens *tokens;
    ghl_client *ghl;
    pl_client *pl;
    store *store;
    config *cfg;
    engine en;
} efix;

#define EV1 "EVESANDBOX1"
#define EV2 "EVESANDBOX2"

efix *efix_start(const efix_opts *o);
void efix_stop(efix *f);
/* The configuration file's text (for a child `pheedsync sync`). */
char *efix_config_text(efix *f, const char *extra);

/* An admin request to one emulator (ghl true: HighLevel); fails the test on non-2xx. */
json_t *efix_admin(efix *f, bool ghl, const char *method, const char *path, const char *body);
/* Counters: writes (non-GET) and all requests since the last reset. */
int64_t efix_writes(efix *f, bool ghl);
int64_t efix_requests(efix *f, bool ghl);
void efix_reset_counters(efix *f);
void efix_faults(efix *f, const char *json);

/* One pass; fails the test on a runtime error. */
engine_pass_result efix_pass(efix *f, bool full);
/* The location's contacts, and an event's attendees, as the emulators hold them. */
json_t *efix_contacts(efix *f);
json_t *efix_attendees(efix *f, const char *event);
/* The contact (of efix_contacts) with this normalised email, or NULL (borrowed from list). */
json_t *efix_find_email(json_t *list, const char *email);
/* Fails the test when two contacts share a normalised email. */
void efix_assert_no_duplicates(efix *f);
/* An attendee created through the dashboard (fires webhooks, none configured); its code. */
char *efix_register(efix *f, const char *event, const char *first, const char *last,
                    const char *email);
/* A contact created through the HighLevel UI route; its id (malloc'd). */
char *efix_ui_contact(efix *f, const char *body);
/* A contact {firstName, email} created in location (another link's, perhaps); its id. */
char *efix_ui_contact_in(efix *f, const char *location, const char *first, const char *email);
/* The sandbox's contacts of location by email: {email: count}. */
json_t *efix_emails_in(efix *f, const char *location);
/* A full pass of any engine (another link's): asserts it drained with no dead letter. */
void efix_pass_engine(engine *en);

/* Two links over the fixture's sandbox: the fixture's own location and organization synced
 * with event1 as the default link (its store handle bound to it), and a second location made
 * in the sandbox synced with event2 of org2 as link "two" (its own store handle, HighLevel
 * client and token manager). */
typedef struct efix_links {
    engine one, two;
    const char *events1[2], *events2[2];
    ghl_tokens *tokens2;
    ghl_client *ghl2;
    store *store2;
} efix_links;

/* org2 NULL: the fixture's organization; pl2 NULL: the fixture's PheedLoop client. */
void efix_links_start(efix_links *out, efix *f, const char *event1, const char *location2,
                      const char *org2, const char *event2, pl_client *pl2);
void efix_links_stop(efix_links *l);
/* Edits made as a user would in the dashboards (PATCH through the UI routes: webhooks fire). */
void efix_ui_edit_contact(efix *f, const char *id, const char *body);
void efix_ui_edit_attendee(efix *f, const char *event, const char *code, const char *body);
/* The link of a contact, or NULL. */
store_link *efix_link_of_contact(efix *f, const char *contact_id);
/* The audit log of a linked contact's person (asserts the link), oldest first. */
void efix_audit_of_contact(store_audit_entries *out, efix *f, const char *contact_id);
/* `pheedsync sync [arg]` on the fixture's configuration (arg may be NULL); its exit status.
 * Its output goes to out (n bytes, may be NULL: thrown away). */
int efix_sync_cli(efix *f, const char *arg, char *out, size_t n);
/* A hint as capture would append it (payload JSON text, may be NULL). */
void efix_hint(efix *f, const char *source, const char *kind, const char *key, const char *payload);
/* A pass without a scan: only what the inbox holds (after a first full pass). */
engine_pass_result efix_pass_live(efix *f);
/* One record as an emulator holds it now (new reference; NULL when it does not exist). */
json_t *efix_contact(efix *f, const char *id);
json_t *efix_attendee(efix *f, const char *event, const char *code);
/* An attendee of a full-sync fixture that is linked, with its contact id (malloc'd). */
char *efix_linked_pair(efix *f, const char *event, char **out_code);
/* Attendees of both events, as the emulator holds them. */
size_t efix_attendee_count(efix *f);
/* Fails the test unless every attendee of both events is linked to a contact that exists. */
void efix_assert_all_linked(efix *f);
/* A webhook's hint as capture appends it: the attendee (or contact) as it is now. */
void efix_hint_attendee(efix *f, const char *kind, const char *event, const char *code);
void efix_hint_contact(efix *f, const char *kind, const char *id);
/* Record keys. */
void efix_key_ghl(efix *f, char *out, const char *id);
void efix_key_pl(efix *f, char *out, const char *event, const char *code);

#endif
