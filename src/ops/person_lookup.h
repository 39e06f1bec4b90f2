/* person_lookup.h: who an operator means by EMAIL|ID (`pheedsync profile`, `audit`): the
 * link, when someone is linked, and the records of both sides.
 *
 * A query with '@' is an e-mail address, compared normalised (trimmed, lower-cased) with the
 * links' match keys; several live links with that address are ambiguous (ERR_CONFLICT, the
 * message lists them). Any other query is an id: a HighLevel contact id, a PheedLoop attendee
 * code in one of the configured events, or a link's number (what the audit log names people
 * by; an ended link is found too). Someone nobody linked is looked for through the APIs: the
 * location's duplicate search and each configured event's attendees (by e-mail), or a read by
 * id. ERR_NOT_FOUND when nothing names the person; ERR_INVALID for a query that can be neither
 * an address nor an id. With several links every link is looked in (the store's links across
 * them; the APIs link by link until one has the person), or only the one ops_data_only_link
 * names; the records are read through the link of the person's location. */
#ifndef PHEEDSYNC_OPS_PERSON_LOOKUP_H
#define PHEEDSYNC_OPS_PERSON_LOOKUP_H

#include "ops/ops_data.h"

#define OPS_EMAIL_MAX 320

typedef struct ops_attendee {
    char *event, *code;
    json_t *attendee; /* NULL when not read, or gone */
    char *error;      /* why it could not be read; NULL otherwise */
} ops_attendee;

typedef struct ops_person {
    store_link *link;          /* NULL: nobody is linked */
    char email[OPS_EMAIL_MAX]; /* normalised; "" when unknown */
    char *contact_id;          /* NULL when no contact is known */
    json_t *contact;           /* NULL when not read, or gone */
    char *contact_error;       /* why it could not be read; NULL otherwise */
    ops_attendee *attendees;
    size_t n_attendees;
    const char *link_name; /* the configuration's link it was found in: "default" or a name */
} ops_person;

enum {
    /* Also read the linked records from both sides (a record that is gone is noted in its
     * error, not failed). Records found through the APIs for an unlinked person are kept
     * either way. */
    OPS_FIND_READ = 1 << 0,
    /* The store alone, no API: an address nobody is linked with gives a person with only
     * that address; an id nobody is linked with is ERR_NOT_FOUND. */
    OPS_FIND_STORE = 1 << 1,
};

int ops_person_find(ops_person *out, ops_data *d, const char *query, unsigned flags, err *e);
void ops_person_free(ops_person *p);

/* The names the audit log may file this person under: the link's number, the link's e-mail
 * and the person's e-mail (entries written before the link existed), without repeats. Returns
 * how many were written to keys (at most 3). */
size_t ops_person_audit_keys(const ops_person *p, char keys[3][OPS_EMAIL_MAX]);

#endif
