/* ghl_emu.h: the HighLevel (LeadConnector API v2) emulator: contacts, tasks, notes,
 * appointments, tags, custom fields, search, upsert and duplicate rules, webhooks; with OAuth,
 * scopes and rate limits in front.
 *
 * Behaviour a client can rely on (specs/ghl/apps/contacts.json; choices where it is silent):
 * - In front of every API route: the Version header must be 2021-07-28 (else 400), then the
 *   bearer and its scope (ghl_auth.h: 401), then the rate limit of the token's location (429,
 *   X-RateLimit-* headers always). Reads want contacts.readonly, writes contacts.write,
 *   GET /locations/{id}/customFields locations/customFields.readonly. A token for another
 *   location: 403 {"statusCode":403,"message":"The token does not have access to this
 *   location."}. Route names for the counters are the spec's operationIds.
 * - Errors: 400 {"statusCode","message"}; validation 422 {"statusCode":422,"message":[...],
 *   "error":"Unprocessable Entity"}. Unknown contact, task or note: 400 "Contact not found"
 *   (the spec declares no 404). A missing locationId: 422, but 400 for search and the
 *   duplicate lookup, which declare no 422. Unknown body properties are ignored.
 * - Contacts: ids are 20 alphanumerics. Emails are trimmed and lower-cased; phones become
 *   E.164 when they parse (+ and 7-15 digits; 10 digits: +1; 11 starting with 1: +), else are
 *   kept trimmed; tags are trimmed, lower-cased and unique. null or "" clears a field. "name"
 *   alone is split into firstName and lastName at the first space. dateOfBirth takes the
 *   spec's formats (and ISO) and reads back as YYYY-MM-DDT00:00:00.000Z. businessId and
 *   companyName are accepted on create, update and upsert. PUT tags replace all tags.
 * - Custom fields are written {id|key, field_value|value} (key "contact.x" or "x"), read
 *   {id, value}; unknown ones are ignored, as HighLevel does; "" or null clears; numbers are
 *   stored as text (the spec reads value as a string); arrays only for CHECKBOX and
 *   MULTIPLE_OPTIONS fields. Each location starts with contact.ticket_type (SINGLE_OPTIONS),
 *   contact.dietary (TEXT) and contact.company_size (NUMERICAL).
 * - dateUpdated (ISO, milliseconds, the service clock) moves on every change of a field,
 *   custom field or tag, always forward (two changes in one millisecond still order). A write
 *   that changes nothing moves nothing and fires no webhook. Tasks, notes and appointments
 *   leave the contact alone; deleting a contact drops them silently.
 * - Duplicates: where the location forbids them, a create or update that would give a second
 *   contact the same email (case-insensitive) or phone (same digits) answers 400 "This
 *   location does not allow duplicated contacts." with meta {contactName, contactId,
 *   matchingField}, email checked first. Upsert matches email, then phone, and updates the
 *   oldest match ("new": false); when email and phone match two contacts the phone is dropped
 *   from the update; createNewIfDuplicateAllowed creates only where duplicates are allowed.
 *   GET /contacts/search/duplicate answers the oldest match or {"contact": null}.
 * - GET /contacts/ (deprecated): newest first (dateAdded, then ids ascending), limit 20 by
 *   default, 100 at most (101: 400), cursor startAfter (ms) + startAfterId; "count" and
 *   meta.total are the matches; meta.nextPageUrl, nextPage, startAfter, startAfterId are null
 *   on the last page. query: names, email, company, tags, or 4+ digits of the phone.
 * - POST /contacts/search: {contacts, total}; pageLimit 20 by default, 1 to 500; page *
 *   pageLimit at most 10000, past it searchAfter (the "searchAfter" each result carries: its
 *   sort values, then its id); default sort dateAdded desc. Filters (AND at the top, groups
 *   {"group":"AND"|"OR","filters":[...]}): eq, not_eq, contains, not_contains, exists,
 *   not_exists, range ({gt,gte,lt,lte}, dates only, ISO or ms) on email, phone (digits), tags
 *   (eq: any of the values), names (also *LowerCase), companyName, businessId, address, city,
 *   state, country, postalCode, source, assignedTo, timezone, website, dnd, dateAdded,
 *   dateUpdated, customFields.<id or key>; strings compare case-insensitively.
 * - Webhooks (to the admin-set URL; none while it is unset): ContactCreate, ContactUpdate,
 *   ContactDndUpdate, ContactTagUpdate, ContactDelete, TaskCreate, TaskComplete, TaskDelete,
 *   NoteCreate, NoteUpdate, NoteDelete, AppointmentCreate/Update/Delete, with the fields of
 *   HighLevel's event pages (absent values omitted) plus timestamp and webhookId, signed in
 *   X-GHL-Signature (Ed25519) and X-WH-Signature (RSA-SHA256), in the order of the changes.
 *   API and admin UI changes fire alike; seeding fires nothing; editing a task fires nothing
 *   (HighLevel has no TaskUpdate), completing it fires TaskComplete.
 * - Appointments are made through the admin UI routes only; times are stored as ISO UTC with
 *   milliseconds; "status" sets both status and appointmentStatus.
 * - Admin (X-Sandbox-Token): GET /_sandbox/state, PUT /_sandbox/settings {location_id,
 *   allowDuplicates, webhook_url, rate {max_per_interval, interval_ms, max_daily}},
 *   POST /_sandbox/locations {id, name, allowDuplicates, scopes} (answers a PIT too),
 *   POST /_sandbox/oauth/{code,pit,expire,revoke}, GET /_sandbox/oauth/state,
 *   POST /_sandbox/seed {contacts, seed, location_id}, and /_sandbox/ui/contacts[/{id}
 *   [/tags|/tasks[/{taskId}[/complete]]|/notes[/{id}]|/appointments[/{id}]]]
 *   (POST creates, PATCH edits, DELETE removes; answers as the API's). */
#ifndef PHEEDSYNC_SANDBOX_GHL_EMU_H
#define PHEEDSYNC_SANDBOX_GHL_EMU_H

#include "sandbox/ghl/ghl_auth.h"
#include "sandbox/ghl/ghl_ratelimit.h"
#include "sandbox/service.h"

typedef struct sbx_ghl_emu sbx_ghl_emu;

typedef struct sbx_ghl_emu_options {
    const char *location_id;      /* the first location; default generated */
    bool allow_duplicates;        /* the location's "Allow Duplicate Contact" setting; default false */
    sbx_ghl_ratelimit_options rate;   /* zeros: HighLevel's defaults */
    int64_t access_ttl_s;         /* zero: 86399 */
    const char *webhook_url;      /* where webhooks go; NULL: none until set by the admin API */
} sbx_ghl_emu_options;

int sbx_ghl_emu_new(sbx_ghl_emu **out, const sbx_ghl_emu_options *opts, sbx_service *svc, err *e);
void sbx_ghl_emu_free(sbx_ghl_emu *g);
/* Registers every API, OAuth and admin route on srv and installs the service glue. */
int sbx_ghl_emu_mount(sbx_ghl_emu *g, http_server *srv, err *e);
/* What a configuration needs: location id, client id and secret, a Private Integration Token,
 * the webhook public keys: sbx_ghl_auth_info's keys plus {"location_id", "locations": [ids], "pit"
 * (every scope, first location), "version", "webhook_public_key" (Ed25519, PEM),
 * "webhook_public_key_b64" (Ed25519, base64 SPKI), "webhook_rsa_public_key" (PEM),
 * "webhook_url"}. */
json_t *sbx_ghl_emu_info(sbx_ghl_emu *g);
/* Stores a contact directly (no webhook), as seeding does; fields in the API's create shape. */
int sbx_ghl_emu_seed_contact(sbx_ghl_emu *g, const char *location_id, const json_t *fields,
                         char *id_out, size_t id_len, err *e);
sbx_ghl_auth *sbx_ghl_emu_auth(sbx_ghl_emu *g);

#endif
