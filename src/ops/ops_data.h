/* ops_data.h: both sides' records as the operator's commands read them: the field map of the
 * configuration, the location's custom field definitions, each event's record, tags and
 * registrations (read once per run), single contacts and attendees, and each read through the
 * map into a canonical person. Everything here only reads: no API write, no store write. */
#ifndef PHEEDSYNC_OPS_DATA_H
#define PHEEDSYNC_OPS_DATA_H

#include "app/app.h"
#include "core/person.h"

typedef struct ops_event {
    char *code;
    json_t *event;     /* the event record */
    json_t *tags;      /* its tags [{id, code, name, ...}] */
    json_t *regs;      /* attendee code -> registration; NULL until first asked for */
    json_t *attendees; /* code -> attendee after ops_data_prefetch; NULL before */
} ops_event;

typedef struct ops_data {
    app_ctx *app;
    core_map *map;
    /* The link of the configuration read through (app->links[link]): its location, events,
     * clients. The commands go over every link, or the one --link names (link_only). */
    size_t link;
    bool link_only;
    const char *location; /* its location_id */
    const char *const *link_events; /* its events, NULL-terminated */
    json_t *field_defs;   /* the location's custom fields; NULL until first asked for */
    json_t *contacts;     /* id -> contact after ops_data_prefetch; NULL before */
    ops_event **events;   /* read so far */
    size_t n_events;
} ops_data;

/* The map from the configuration (ERR_CONFIG names the section and key). Opens nothing else:
 * the services are opened by the caller (app_require) as it needs them. */
int ops_data_open(ops_data *d, app_ctx *a, err *e);
void ops_data_close(ops_data *d);
/* Reads through link i from now on (the reference data read so far is dropped when the link
 * changes). */
void ops_data_use_link(ops_data *d, size_t i);
/* --link NAME: only that link (ERR_CONFIG naming the links there are; NULL or "": every link). */
int ops_data_only_link(ops_data *d, const char *name, err *e);
/* The links a command goes over: [*from, *to). */
void ops_data_links(const ops_data *d, size_t *from, size_t *to);
/* The link whose location is location_id; false when none is (or it is outside --link). */
bool ops_data_link_of_location(size_t *out, const ops_data *d, const char *location_id);
/* The link's clients (with APP_GHL / APP_PL open) and its organization ("" unknown). */
ghl_client *ops_data_ghl(const ops_data *d);
pl_client *ops_data_pl(const ops_data *d);
const char *ops_data_org(ops_data *d);
/* "default" or the [link] name of the link read through. */
const char *ops_data_link_name(const ops_data *d);

/* The location's custom field definitions (an array of raw records), read once. */
int ops_data_field_defs(const json_t **out, ops_data *d, err *e);
/* True when the field lives in a HighLevel custom field the location does not have: the sync
 * leaves such a field alone until it is created, so comparing it would be noise. */
bool ops_data_field_missing(ops_data *d, const core_field *f);
/* The event's record and tags, read once; ERR_NOT_FOUND for an event PheedLoop does not have. */
int ops_data_event(ops_event **out, ops_data *d, const char *event, err *e);
/* The attendee's registration in the event (every registration of the event is read on the
 * first call); *out NULL when it has none. */
int ops_data_registration(const json_t **out, ops_data *d, const char *event, const char *code,
                          err *e);

/* Lists every contact of the location and every attendee of the configured events once, so
 * that a pass over many people costs a few list pages rather than a read per record: reads is
 * how many records of each side would be read one by one, and a list that would take as many
 * pages (as its first page tells) is left unread. The reads below then take records from the
 * lists; one a list lacks is still read by itself (a record created since, or really gone:
 * ERR_NOT_FOUND). */
int ops_data_prefetch(ops_data *d, size_t reads, err *e);

/* One contact (a new reference). ERR_NOT_FOUND when HighLevel has no such contact; ERR_CONFIG
 * when the location is not connected (the message says what to run). */
int ops_data_contact(json_t **out, ops_data *d, const char *contact_id, err *e);
/* One attendee (a new reference); ERR_NOT_FOUND when the event has no such attendee. */
int ops_data_attendee(json_t **out, ops_data *d, const char *event, const char *code, err *e);

/* The contact / attendee read through the map (custom fields by the location's definitions;
 * the attendee with its registration, event and event tags). */
int ops_data_person_ghl(core_person *out, ops_data *d, const json_t *contact, err *e);
int ops_data_person_pl(core_person *out, ops_data *d, const char *event, const json_t *attendee,
                       err *e);
/* The record the attendee is read from (pointers into d and attendee). */
int ops_data_pl_record(core_pl_record *out, ops_data *d, const char *event, const json_t *attendee,
                       err *e);

/* The normalised form of an e-mail address into out (size n); ERR_INVALID when it is not one. */
int ops_norm_email(char *out, size_t n, const char *raw, err *e);

#endif
