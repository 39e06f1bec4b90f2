/* ghl_state.h: the HighLevel emulator's internals shared by its source files: locations,
 * contacts with their tasks, notes and appointments, the indexes, the routes, and the helpers
 * every handler uses. Everything here runs under ghl_emu.mu unless it says otherwise. */
#ifndef PHEEDSYNC_SANDBOX_GHL_STATE_H
#define PHEEDSYNC_SANDBOX_GHL_STATE_H

#include "sandbox/ghl/ghl_emu.h"
#include "sandbox/ghl/ghl_signer.h"
#include "util/buf.h"
#include "util/jsonx.h"
#include "util/rng.h"

#include <pthread.h>

#define GHL_ID_LEN 20
#define GHL_LOC_MAX 64
#define GHL_VERSION "2021-07-28"

/* ---- a string-keyed hash map (ghl_map.c) ---- */
typedef struct ghl_map ghl_map;
int ghl_map_new(ghl_map **out);
void ghl_map_free(ghl_map *m);
void *ghl_map_get(const ghl_map *m, const char *key);
/* Adds or replaces; the key is copied. Returns 0 or ERR_NOMEM. */
int ghl_map_put(ghl_map *m, const char *key, void *value);
void ghl_map_del(ghl_map *m, const char *key);

/* ---- the data ---- */
typedef struct ghl_location {
    char id[GHL_LOC_MAX];
    char name[128];
    bool allow_duplicates; /* the location's "Allow Duplicate Contact" setting */
    json_t *custom_fields; /* field definitions as GET /locations/{id}/customFields answers */
} ghl_location;

typedef struct ghl_contact {
    char id[GHL_ID_LEN + 1];
    uint64_t seq; /* creation order: the oldest of duplicates wins a match */
    ghl_location *loc;
    json_t *f;      /* stored fields by API name, normalised (see ghl_input.c) */
    json_t *tags;   /* lower-case, unique, in the order added */
    json_t *custom; /* custom field id -> value */
    int64_t added_ms;
    int64_t updated_ms;
    char *email_key; /* index keys currently held (NULL: none) */
    char *phone_key;
    json_t *tasks; /* objects in the API's answer shape */
    json_t *notes;
    json_t *appts;
} ghl_contact;

/* An API failure to answer: HighLevel's error shapes (400 {statusCode, message[, meta]}, 422
 * with message as an array). */
typedef struct ghl_fail {
    int status;
    char message[256];
    json_t *meta; /* owned; NULL when none */
} ghl_fail;

typedef void (*ghl_fn)(ghl_emu *g, const http_request *req, http_response *res);

typedef struct ghl_route {
    const char *method;
    const char *pattern;
    const char *name; /* the spec's operationId */
    ghl_fn fn;
    const char *scope; /* NULL: an admin route (no token, no rate limit) */
} ghl_route;

typedef struct ghl_route_ctx {
    ghl_emu *g;
    const ghl_route *route;
} ghl_route_ctx;

struct ghl_emu {
    pthread_mutex_t mu;      /* the state below */
    pthread_mutex_t send_mu; /* keeps webhook deliveries in the order of the changes */
    sbx_service *svc;
    ghl_auth *auth;
    ghl_ratelimit *rate;
    ghl_signer *signer;
    rng rng;
    ghl_location **locs;
    size_t n_locs;
    ghl_contact **contacts; /* in creation order */
    size_t n_contacts;
    size_t cap_contacts;
    uint64_t next_seq;
    ghl_map *by_id;
    ghl_map *by_email; /* "location\x1femail" -> oldest contact with it */
    ghl_map *by_phone; /* "location\x1fdigits" -> oldest contact with it */
    ghl_map *scopes;   /* route name -> scope (const char *) */
    char *webhook_url;
    json_t *outbox; /* events waiting for ghl_events_flush: [[label, payload], ...] */
    ghl_route_ctx *route_ctx;
    size_t n_route_ctx;
    char pit[256]; /* a Private Integration Token for the first location */
};

/* ---- state (ghl_state.c) ---- */
void ghl_new_id(ghl_emu *g, char out[GHL_ID_LEN + 1]);
int64_t ghl_now_ms(ghl_emu *g);
void ghl_iso(int64_t ms, char out[CLOCK_ISO_LEN]);
ghl_location *ghl_location_find(ghl_emu *g, const char *id);
int ghl_location_add(ghl_emu *g, const char *id, const char *name, bool allow_duplicates,
                     ghl_location **out, err *e);
json_t *ghl_location_json(const ghl_location *l);
/* The custom field definition whose id equals ref, or whose fieldKey is ref or "contact."+ref. */
const json_t *ghl_field_find(const ghl_location *l, const char *ref);

ghl_contact *ghl_contact_get(ghl_emu *g, const char *id);
/* A contact outside the store (no id, no index), and its release. */
ghl_contact *ghl_contact_alloc(ghl_location *loc);
void ghl_contact_free(ghl_contact *c);
/* A new empty contact stored in the location (no fields yet). */
int ghl_contact_insert(ghl_emu *g, ghl_location *loc, ghl_contact **out);
void ghl_contact_remove(ghl_emu *g, ghl_contact *c);
/* Re-reads the contact's email and phone into the duplicate indexes. */
int ghl_contact_reindex(ghl_emu *g, ghl_contact *c);
/* The oldest contact of loc with this email / phone (already normalised), other than skip. */
ghl_contact *ghl_find_by_email(ghl_emu *g, ghl_location *loc, const char *email,
                               const ghl_contact *skip);
ghl_contact *ghl_find_by_phone(ghl_emu *g, ghl_location *loc, const char *phone,
                               const ghl_contact *skip);
/* Moves dateUpdated: the clock, and always forward (two changes in one millisecond still
 * order). */
void ghl_contact_touch(ghl_emu *g, ghl_contact *c);

/* Normalisation, shared by input, duplicates and search. */
/* Lower-cased and trimmed; out empty when nothing is left. */
void ghl_norm_email(const char *in, char *out, size_t out_len);
/* E.164 when the number parses (+ and 7-15 digits; 10 digits: +1 (NANP); 11 starting with 1),
 * otherwise the trimmed input. */
void ghl_norm_phone(const char *in, char *out, size_t out_len);
/* The digits that identify a phone for duplicate matching; "" when none. */
void ghl_phone_digits(const char *in, char *out, size_t out_len);
void ghl_norm_tag(const char *in, char *out, size_t out_len);
/* Case-insensitive ASCII substring test. */
bool ghl_contains_ci(const char *hay, const char *needle);

/* ---- contacts: input and rendering (ghl_input.c) ---- */
enum { GHL_IN_CREATE = 1, GHL_IN_UPSERT = 2, GHL_IN_UPDATE = 4 };
/* Validates a create/update/upsert body against the location's custom fields and turns it into
 * a normalised patch: {"fields": {...}, "clear": [...], "tags": [...]?, "custom": {id: value}?,
 * "createNewIfDuplicateAllowed": bool}. Fails with 422 (message array) like HighLevel. */
int ghl_contact_patch_parse(json_t **out, const json_t *body, const ghl_location *loc, int mode,
                            ghl_fail *f);
/* What applying a patch changed: fields or custom fields, the tags, the DND settings. */
typedef struct ghl_change {
    bool fields;
    bool tags;
    bool dnd; /* dnd or dndSettings (also counted in fields) */
} ghl_change;
/* Applies a patch and says what changed. The caller re-indexes the contact
 * (ghl_contact_reindex). */
void ghl_contact_patch_apply(ghl_contact *c, const json_t *patch, ghl_change *out);
/* The contact as GET /contacts/{id} answers it. */
json_t *ghl_contact_json(const ghl_contact *c);

/* ---- contact operations shared by the API and the admin UI (ghl_contacts.c) ---- */
/* A duplicate of the patch's email or phone on a location that forbids them: fills f with 400
 * and meta {contactName, contactId, matchingField}. */
int ghl_check_duplicate(ghl_emu *g, ghl_location *loc, const json_t *patch, const ghl_contact *self,
                        ghl_fail *f);
int ghl_op_create(ghl_emu *g, ghl_location *loc, const json_t *body, bool events, ghl_contact **out,
                  ghl_fail *f);
int ghl_op_update(ghl_emu *g, ghl_contact *c, const json_t *body, ghl_fail *f);
void ghl_op_delete(ghl_emu *g, ghl_contact *c);
/* add: true adds, false removes; answers the tags as they are afterwards. */
int ghl_op_tags(ghl_emu *g, ghl_contact *c, const json_t *body, bool add, ghl_fail *f);
/* HTTP handlers the admin UI shares with the API ({contactId}). */
void ghl_h_contact_update(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_contact_delete(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_tags_add(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_tags_remove(ghl_emu *g, const http_request *req, http_response *res);

/* ---- tasks, notes, appointments (ghl_activity.c) ---- */
int ghl_op_task_create(ghl_emu *g, ghl_contact *c, const json_t *body, json_t **out, ghl_fail *f);
int ghl_op_task_update(ghl_emu *g, ghl_contact *c, json_t *task, const json_t *body, ghl_fail *f);
int ghl_op_task_complete(ghl_emu *g, ghl_contact *c, json_t *task, bool completed);
void ghl_op_task_delete(ghl_emu *g, ghl_contact *c, const char *task_id);
int ghl_op_note_create(ghl_emu *g, ghl_contact *c, const json_t *body, json_t **out, ghl_fail *f);
int ghl_op_note_update(ghl_emu *g, ghl_contact *c, json_t *note, const json_t *body, ghl_fail *f);
void ghl_op_note_delete(ghl_emu *g, ghl_contact *c, const char *note_id);
int ghl_op_appt_create(ghl_emu *g, ghl_contact *c, const json_t *body, json_t **out, ghl_fail *f);
int ghl_op_appt_update(ghl_emu *g, ghl_contact *c, json_t *appt, const json_t *body, ghl_fail *f);
void ghl_op_appt_delete(ghl_emu *g, ghl_contact *c, const char *appt_id);
/* The item of list (an array of objects) whose "id" is id, or NULL. */
json_t *ghl_item_find(json_t *list, const char *id, size_t *index);
/* Their HTTP handlers, shared by the API and the admin UI routes: {contactId} and the item's
 * parameter ({taskId}; {id} for notes and appointments). */
void ghl_h_task_list(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_task_create(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_task_get(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_task_update(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_task_delete(ghl_emu *g, const http_request *req, http_response *res);
/* PUT .../completed {completed}; and the UI's completion, which takes no body. */
void ghl_h_task_completed(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_task_complete_now(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_note_list(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_note_create(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_note_get(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_note_update(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_note_delete(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_appt_list(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_appt_create(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_appt_update(ghl_emu *g, const http_request *req, http_response *res);
void ghl_h_appt_delete(ghl_emu *g, const http_request *req, http_response *res);

/* ---- webhooks (ghl_events.c) ---- */
/* Queues the event for the contact (ContactCreate/Update/Delete/TagUpdate). */
void ghl_event_contact(ghl_emu *g, const char *type, const ghl_contact *c);
/* TaskCreate/TaskComplete/TaskDelete and Note* from the stored item. */
void ghl_event_task(ghl_emu *g, const char *type, const ghl_contact *c, const json_t *task);
void ghl_event_note(ghl_emu *g, const char *type, const ghl_contact *c, const json_t *note);
void ghl_event_appt(ghl_emu *g, const char *type, const ghl_contact *c, const json_t *appt);
/* Signs and hands queued events to the delivery queue, in order. Call without mu held. */
void ghl_events_flush(ghl_emu *g);
/* The payload of an event (exposed for tests and fuzzing of the shapes). */
json_t *ghl_contact_event_payload(const char *type, const ghl_contact *c);

/* ghl_emu_seed_contact with mu already held. */
int ghl_emu_seed_locked(ghl_emu *g, const char *location_id, const json_t *fields, char *id_out,
                        size_t id_len, err *e);

/* ---- HTTP helpers (ghl_http.c) ---- */
void ghl_reply_error(http_response *res, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ghl_reply_fail(http_response *res, ghl_fail *f);
int ghl_fail_set(ghl_fail *f, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
void ghl_fail_clear(ghl_fail *f);
/* Parses the body as a JSON object; answers 400 and returns NULL when it is not one. */
json_t *ghl_body(const http_request *req, http_response *res);
/* The location of the bearer token of this request (set by the guard); "" on admin routes. */
const char *ghl_token_location(void);
void ghl_set_token_location(const char *loc);
/* The location named by id, checked against the token: missing_status (the operation's
 * validation status, 400 or 422) when missing, 400 when unknown, 403 when the token is for
 * another location. */
ghl_location *ghl_request_location(ghl_emu *g, const char *id, int missing_status,
                                   http_response *res);
/* The contact of the {contactId} parameter: 400 "Contact not found", 403 for another location. */
ghl_contact *ghl_request_contact(ghl_emu *g, const http_request *req, http_response *res);
/* Parses a query parameter as a non-negative integer; false (and 400) when malformed. */
bool ghl_query_int(const http_request *req, const char *name, int64_t fallback, int64_t *out,
                   http_response *res);

/* ---- route tables ---- */
extern const ghl_route ghl_contact_routes[];
extern const size_t ghl_contact_routes_n;
extern const ghl_route ghl_search_routes[];
extern const size_t ghl_search_routes_n;
extern const ghl_route ghl_activity_routes[];
extern const size_t ghl_activity_routes_n;
extern const ghl_route ghl_admin_routes[];
extern const size_t ghl_admin_routes_n;
extern const ghl_route ghl_ui_routes[];
extern const size_t ghl_ui_routes_n;

#endif
