/* status.h: `pheedsync status`: what the store knows (links, the last verify, queues, dead
 * letters, held deletes, pollers' cursors) and, with a probe, the state of each service.
 *
 * The report ({"people", "queue", "failing", "held_deletes", "services", "pollers",
 * "reconcile", "attention"}): people linked, and in sync as the last `pheedsync verify`
 * found them (null when it never ran); pending: change hints and operations waiting; failing:
 * dead letters and the people they concern. services.ghl.state is connected, token (a Private
 * Integration token), needs_reauth, not_connected, refused, unreachable or not_configured;
 * services.pheedloop.state connected, configured (not probed), refused, unreachable or
 * not_configured. A probe is one cheap read per service (a one-contact search, validateauth):
 * it proves the credentials and brings HighLevel's rate headers, what is left of the budget.
 * Pollers: the cursors the capture engine keeps (ghl.contacts.LOC, ghl.tasks.LOC,
 * pl.registrations.ORG.EVENT, pl.attendees.ORG.EVENT); lag is now minus the newest change a
 * cursor has seen, for those that record one. attention: why the status is not healthy (a
 * service not connected, dead letters, held deletes), empty when all is well. */
#ifndef PHEEDSYNC_OPS_STATUS_H
#define PHEEDSYNC_OPS_STATUS_H

#include "app/app.h"

int ops_status(json_t **out, app_ctx *a, bool probe, err *e);

#endif
