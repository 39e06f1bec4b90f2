/* verify.h: `pheedsync verify`: both sides compared field by field through the map, the way a
 * sync leaves them, and every difference listed.
 *
 * What counts as drift, per field of a linked contact and attendee pair:
 *   - a field that may flow (its direction, within [sync] direction) to a side where pheedsync
 *     can write it, with different canonical values on the two sides (for a one-way field:
 *     the target differs from the source; an empty value counts);
 *   - a value that cannot be read on one side (the sync leaves it alone: someone must fix it);
 *   - tags: a tag of one side missing on the other where tags flow that way; PheedLoop's
 *     computed tags (sign-up, check-in) missing in HighLevel are not drift, since the sync
 *     never removes them in PheedLoop and so leaves the sides apart once HighLevel drops one;
 *   - a linked record that no longer exists (field "record").
 * Records are read one by one for a few links, from complete listings of both sides for many
 * (a few list pages instead of a read per record).
 * Not compared: fields whose direction is none, fields on a HighLevel custom field the
 * person's own location lacks (the sync skips them too; listed as skipped; the people of a
 * location that has the field are compared on it), attendees of events that are no longer
 * configured (listed as skipped). */
#ifndef PHEEDSYNC_OPS_VERIFY_H
#define PHEEDSYNC_OPS_VERIFY_H

#include "ops/ops_data.h"

/* The cursor the last complete run is recorded under (read by `pheedsync status`):
 * {"at_ms", "links", "pairs", "in_sync", "drifted", "drifts"}. */
#define OPS_VERIFY_CURSOR "verify.last"

/* Appends to drifts an object per field where two canonical records differ as described
 * above: {"field", "ghl", "pheedloop", "direction", "owner"} (values null when empty; tags
 * add "missing_on_ghl" and "missing_on_pheedloop"; an unreadable value adds "why"). skip:
 * field names not to compare (may be NULL). Pure. */
int ops_verify_compare(json_t *drifts, const core_map *m, const core_person *ghl,
                       const core_person *pl, const json_t *skip, err *e);

/* Compares every live link (link_id 0) or one, reading both sides. *out:
 * {"checked_at", "links", "pairs", "in_sync", "drifted", "drifts": [{"link", "contact_id",
 *  "email", "event", "attendee", ...compare's fields}], "skipped_fields": [names: of every
 *  location together], "skipped_fields_by_link": {link name: [names its location lacks]} (only
 *  with several links), "skipped": [{"link", "event", "attendee", "why"}]}. Fails only when a side
 * cannot be read at all (unreachable, not connected): a missing record is drift. */
int ops_verify_run(json_t **out, ops_data *d, int64_t link_id, err *e);

/* Records a complete run's totals under OPS_VERIFY_CURSOR. */
int ops_verify_record(store *s, const json_t *report, int64_t now_ms, err *e);

#endif
