/* preview.h: `pheedsync mapping preview`: the field map applied to real records, writing
 * nothing. Samples come from both sides (the first contacts of the location's search, the
 * first attendees of one event); each sample is paired with its counterpart, by its link or
 * else by e-mail (among the samples, then by HighLevel's duplicate search), and every mapped
 * field is shown side by side: the raw value of each side (before transforms), the canonical
 * value of each side, and what a sync would write where (the three-way merge against the
 * stored shadows of a linked pair; the first-link rule otherwise). An attendee without a
 * contact shows the contact a sync would create; a contact without an attendee shows that
 * nothing is written (attendees are created only by rules). Only reads are sent: GET requests
 * and HighLevel's contact search (a POST that changes nothing). */
#ifndef PHEEDSYNC_OPS_PREVIEW_H
#define PHEEDSYNC_OPS_PREVIEW_H

#include "ops/ops_data.h"

/* *out: {"event", "samples": {"ghl", "pheedloop"}, "people": [{"contact_id", "attendee",
 * "email", "paired_by": "link" | "email" | "duplicate_search" | null, "fields": [{"field",
 * "ghl_place", "pheedloop_place", "direction", "ghl_raw", "pheedloop_raw", "ghl",
 * "pheedloop", "writes": [{"to", "value"} | {"to", "add", "remove"}], "note"}], "bodies":
 * {"ghl", "pheedloop"}}]}. event NULL: the first of [pheedloop] events. */
int ops_preview(json_t **out, ops_data *d, size_t sample, const char *event, err *e);

#endif
