/* pl_internal.h: what the PheedLoop emulator's files share: the state, the record operations
 * (called with the state's mutex held) and the HTTP reply helpers. */
#ifndef PHEEDSYNC_SANDBOX_PL_INTERNAL_H
#define PHEEDSYNC_SANDBOX_PL_INTERNAL_H

#include "sandbox/pheedloop/pl_emu.h"
#include "util/rng.h"

#include <pthread.h>

#define SBX_PL_API_VERSION "v3.7.0"
#define SBX_PL_API_PREFIX "/api/v3/organization/"
#define SBX_PL_CODE_MAX 40
#define SBX_PL_SECRET_HEX 64
#define SBX_PL_KEY_MAX 256
#define SBX_PL_PAGE_DEFAULT 100
#define SBX_PL_PAGE_MAX 500
/* What one request body may hold in a bulk call; larger arrays answer 400. */
#define SBX_PL_BULK_MAX 1000
#define SBX_PL_MAX_ROUTES 96
/* ASSUMED wording: PheedLoop's importer matches on the lower-cased email. */
#define SBX_PL_MSG_DUP_EMAIL "An attendee with this email already exists in this event."

/* One event and everything that lives inside it. Records are the JSON the API shows. */
typedef struct sbx_pl_event {
    int64_t id;
    char code[SBX_PL_CODE_MAX];
    char secret[SBX_PL_SECRET_HEX + 1]; /* the dashboard's Webhook Secret */
    json_t *rec;
    json_t *attendees;     /* array, creation order */
    json_t *att_by_code;   /* code -> attendee (same object as in the array) */
    json_t *att_by_email;  /* normalised email -> attendee */
    json_t *registrations; /* array, creation order */
    json_t *reg_by_att;    /* attendee code -> its registration */
    json_t *tags;          /* event tags */
    json_t *announcements;
    json_t *hooks; /* REST hooks */
} sbx_pl_event;

typedef struct sbx_pl_emu sbx_pl_emu;
typedef void (*sbx_pl_handler)(sbx_pl_emu *p, const http_request *req, http_response *res);

typedef struct sbx_pl_route {
    sbx_pl_emu *p;
    sbx_pl_handler fn;
} sbx_pl_route;

/* The welcome emails PheedLoop would have sent for API creates, by create-time flag. */
enum sbx_pl_welcome {
    SBX_PL_WELCOME_APP,
    SBX_PL_WELCOME_PORTAL,
    SBX_PL_WELCOME_VIRTUAL,
    SBX_PL_WELCOME_KINDS
};

struct sbx_pl_emu {
    pthread_mutex_t mu;
    sbx_service *svc;
    char org_code[SBX_PL_CODE_MAX];
    char api_key[SBX_PL_KEY_MAX];
    char api_secret[SBX_PL_KEY_MAX];
    rng rng;
    sbx_pl_event **events;
    size_t n_events, cap_events;
    json_t *tickets;      /* all events' tickets */
    json_t *members;      /* array */
    json_t *mbr_by_code;  /* code -> member (same object as in the array) */
    json_t *mbr_by_email; /* normalised email -> member */
    json_t *contact_tags; /* array */
    json_t *welcome_log;  /* the last emails: {kind, attendee_code, event_code, email, ts} */
    int64_t welcome_count[SBX_PL_WELCOME_KINDS];
    int64_t next_event_id, next_hook_id, next_tag_id, next_ticket_id;
    int64_t webhooks_fired;
    sbx_pl_route routes[SBX_PL_MAX_ROUTES];
    size_t n_routes;
    /* The other organizations served on this one's port (pl_orgs.c), in the first one only;
     * added while serving, never removed before the end. */
    pthread_mutex_t orgs_mu;
    sbx_pl_emu **orgs;
    size_t n_orgs;
    sbx_pl_emu *parent; /* another organization's: the first one */
};

/* Where a change comes from: the REST API, the dashboard (admin UI routes) or seeding. */
typedef enum sbx_pl_origin { SBX_PL_FROM_API, SBX_PL_FROM_UI, SBX_PL_FROM_SEED } sbx_pl_origin;

/* ---- pl_emu.c: replies and request helpers ---- */
void sbx_pl_reply(http_response *res, int status, json_t *json);
void sbx_pl_reply_detail(http_response *res, int status, const char *detail);
void sbx_pl_reply_no_content(http_response *res);
/* {"field": ["msg"]} */
void sbx_pl_reply_field(http_response *res, const char *field, const char *msg);
/* Parses the body as JSON; answers 400 and returns NULL on a parse error. */
json_t *sbx_pl_body_json(const http_request *req, http_response *res);
/* The body as an object, or 400 (DRF's "Expected a dictionary" message) and NULL. */
json_t *sbx_pl_body_object(const http_request *req, http_response *res);
/* The {event} path parameter's event, or 404 and NULL. */
sbx_pl_event *sbx_pl_req_event(sbx_pl_emu *p, const http_request *req, http_response *res);
int64_t sbx_pl_now_ms(sbx_pl_emu *p);
void sbx_pl_now_iso(sbx_pl_emu *p, char out[CLOCK_ISO_LEN]);
/* A fresh code: prefix + 10 upper-case letters and digits. */
void sbx_pl_new_code(sbx_pl_emu *p, const char *prefix, char out[SBX_PL_CODE_MAX]);
void sbx_pl_new_hex(sbx_pl_emu *p, char out[SBX_PL_SECRET_HEX + 1]);
/* Adds err.field.append(msg) to an errors object (created on first use). */
void sbx_pl_add_error(json_t **errors, const char *field, const char *msg);
/* How many bytes of s, at most max, end on a UTF-8 character boundary (for "%.*s"). */
int sbx_pl_utf8_cut(const char *s, int max);
/* "Expected a list of items but got type \"dict\"." style names. */
const char *sbx_pl_json_type_name(const json_t *j);

/* ---- pl_store.c: records (mutex held) ---- */
sbx_pl_event *sbx_pl_event_find(sbx_pl_emu *p, const char *code);
void sbx_pl_event_free(sbx_pl_event *ev);
int sbx_pl_event_add(sbx_pl_emu *p, const char *code, const char *name, const char *date,
                     const char *end_date, const char *timezone, sbx_pl_event **out, err *e);
json_t *sbx_pl_event_tag_add(sbx_pl_emu *p, sbx_pl_event *ev, const char *name,
                             const char *description);
json_t *sbx_pl_event_tag_find(sbx_pl_event *ev, const char *name);
json_t *sbx_pl_ticket_find(sbx_pl_emu *p, sbx_pl_event *ev, const char *code);
json_t *sbx_pl_ticket_by_name(sbx_pl_emu *p, sbx_pl_event *ev, const char *name, bool create);
/* Lower-cased, trimmed; writes "" when it does not fit. */
void sbx_pl_email_norm(const char *email, char *out, size_t out_len);
/* Validates an attendee body; pending (may be NULL) holds normalised emails already claimed by
 * earlier items of the same bulk call. Returns the errors object or NULL when valid. */
json_t *sbx_pl_att_validate(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body, const json_t *self,
                            json_t *pending, sbx_pl_origin origin);
/* Creates a validated attendee and its registration; fires webhooks for API and UI origins. */
json_t *sbx_pl_att_create(sbx_pl_emu *p, sbx_pl_event *ev, const json_t *body,
                          sbx_pl_origin origin);
/* Applies a validated update; fires attendee.updated when something changed. */
void sbx_pl_att_update(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, const json_t *body,
                       sbx_pl_origin origin);
void sbx_pl_att_delete(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, sbx_pl_origin origin);
/* Returns true when the state changed. */
bool sbx_pl_att_checkin(sbx_pl_emu *p, sbx_pl_event *ev, json_t *att, bool in,
                        sbx_pl_origin origin);
json_t *sbx_pl_att_find(sbx_pl_event *ev, const char *code);
json_t *sbx_pl_reg_find(sbx_pl_event *ev, const char *code);
void sbx_pl_reg_cancel(sbx_pl_emu *p, sbx_pl_event *ev, json_t *reg, sbx_pl_origin origin);

/* A member from seeding, or NULL when the fields are not valid (a taken email). */
json_t *sbx_pl_member_seed(sbx_pl_emu *p, const json_t *fields);

/* ---- pl_fields.c: field validation shared by attendees and members ---- */
typedef enum sbx_pl_kind {
    SBX_PL_F_STR, /* string; numbers become strings, as DRF's CharField does */
    SBX_PL_F_EMAIL,
    SBX_PL_F_BOOL,
    SBX_PL_F_LIST,   /* any JSON array */
    SBX_PL_F_OBJECT, /* any JSON object */
    SBX_PL_F_ANY,    /* any JSON value */
    SBX_PL_F_DATE,   /* YYYY-MM-DD */
    SBX_PL_F_TIME,   /* HH:MM or HH:MM:SS */
} sbx_pl_kind;

typedef struct sbx_pl_field {
    const char *name;
    sbx_pl_kind kind;
    bool required; /* on create */
    bool nullable;
    bool allow_blank;
    size_t max_len; /* 0: no limit */
} sbx_pl_field;

/* Checks the keys of body named in fields (others are ignored, as DRF does); adds messages to
 * *errors. create: required fields must be present. */
void sbx_pl_fields_check(const sbx_pl_field *fields, size_t n, const json_t *body, bool create,
                         json_t **errors);
/* Copies the named keys of a checked body into rec (strings normalised), except skip (may be
 * NULL); true when a value changed. */
bool sbx_pl_fields_apply(const sbx_pl_field *fields, size_t n, json_t *rec, const json_t *body,
                         const char *skip);
/* The stored form of a checked value (numbers as strings for SBX_PL_F_STR). New reference. */
json_t *sbx_pl_field_value(const sbx_pl_field *f, const json_t *v);
bool sbx_pl_date_valid(const char *s);
extern const sbx_pl_field sbx_pl_attendee_fields[];
extern const size_t sbx_pl_attendee_fields_n;
extern const sbx_pl_field sbx_pl_member_fields[];
extern const size_t sbx_pl_member_fields_n;

/* ---- pl_page.c: lists ---- */
typedef struct sbx_pl_page_sel {
    int64_t page, pages, size;
    size_t from, n; /* the slice of the list on this page */
} sbx_pl_page_sel;
/* Which slice of count items ?page=&page_size= (each may be NULL) ask for; false when the page
 * does not exist (DRF's 404 "Invalid page."). */
bool sbx_pl_page_select(sbx_pl_page_sel *out, const char *page, const char *page_size,
                        size_t count);
/* Answers page ?page=&page_size= of items (consumed) in DRF's envelope; 404 "Invalid page." */
void sbx_pl_page_reply(const http_request *req, http_response *res, json_t *items);
/* Reads ?{name}_gte / ?{name}_lte; answers 400 and returns false when one is not a date. */
typedef struct sbx_pl_date_range {
    char gte[11], lte[11]; /* "" when absent */
} sbx_pl_date_range;
bool sbx_pl_date_range_read(const http_request *req, http_response *res, const char *name,
                            sbx_pl_date_range *out);
/* Whether the record's ISO timestamp field falls within the range, by date. */
bool sbx_pl_date_range_match(const sbx_pl_date_range *r, const json_t *rec, const char *field);

/* ---- pl_hooks.c: REST hooks and webhooks ---- */
bool sbx_pl_hook_action_valid(const char *action);
/* Delivers {"action", "event_code", "data", "timestamp", "delivery_id"} to every hook of ev
 * subscribed to action, signed with the event's secret. */
void sbx_pl_hooks_fire(sbx_pl_emu *p, sbx_pl_event *ev, const char *action, const json_t *data);
/* Hex HMAC-SHA256 of body under secret into out (65 bytes). */
int sbx_pl_hmac_hex(char out[SBX_PL_SECRET_HEX + 1], const char *secret, const void *body,
                    size_t len);

/* ---- pl_orgs.c: several organizations on one port ---- */
int sbx_pl_orgs_init(sbx_pl_emu *p);
void sbx_pl_orgs_free(sbx_pl_emu *p);
int sbx_pl_orgs_mount(sbx_pl_emu *p, http_server *srv, err *e);
/* Which organization's key and secret these are, against the path's org: 0 when they are that
 * organization's, 404 when they are another's, 401 when nobody's. */
int sbx_pl_orgs_auth(sbx_pl_emu *p, const char *key, const char *secret, const char *org,
                     size_t org_len);
/* The organization a request is for (see pl_orgs.c), or NULL after answering 404. */
sbx_pl_emu *sbx_pl_orgs_route(sbx_pl_emu *p, const http_request *req, http_response *res);
/* One organization's info (base path, org code, key, secret, events), and every one's. */
json_t *sbx_pl_org_info(sbx_pl_emu *p);
json_t *sbx_pl_orgs_info(sbx_pl_emu *p);

/* ---- route handlers, one per file ---- */
void sbx_pl_h_validateauth(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_attendees_list(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_attendee_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_attendee_get(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_attendee_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_attendee_delete(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_bulk_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_bulk_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_bulk_delete(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_registrations(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_members_list(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_member_get(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_member_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_member_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_members_bulk_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_members_bulk_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_events_list(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_event_get(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_event_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_tickets(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_attendance(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_checkin(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_checkout(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_event_tags(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ctags_list(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ctag_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ctag_get(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ctag_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ctag_delete(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ann_list(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ann_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ann_get(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ann_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ann_delete(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_hooks_list(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_hook_create(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_hook_get(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_hook_put(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_hook_delete(sbx_pl_emu *p, const http_request *req, http_response *res);
/* admin (pl_admin.c) */
void sbx_pl_h_admin_state(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_admin_event(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_admin_tag(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_admin_seed(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ui_register(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ui_patch(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ui_delete(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ui_checkin(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ui_checkout(sbx_pl_emu *p, const http_request *req, http_response *res);
void sbx_pl_h_ui_cancel(sbx_pl_emu *p, const http_request *req, http_response *res);
/* The whole state as GET /_sandbox/state shows it. */
json_t *sbx_pl_state_json(sbx_pl_emu *p);

#endif
