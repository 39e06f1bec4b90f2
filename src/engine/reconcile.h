/* reconcile.h: the scheduled comparison of complete scans of both sides, and the only source of
 * delete detection. Every record a scan reads becomes a hint of kind "scan" (source
 * "reconcile": the planner re-checks it for drift at the reconcile lane); a linked record that
 * a COMPLETE scan did not see becomes a hint of kind "gone". Complete means: HighLevel's search
 * ran to its last page without an error; PheedLoop's listing reached its end with every item
 * handed out and as many as the service counted (pl_iter_complete). An interrupted or failed
 * scan still writes its "scan" hints but never a "gone" one, and neither does a 404 anywhere.
 * Links created or changed after the scan began are left for the next scan (the record may be
 * newer than the listing). The "gone" hints of one call are written together as one batch, each
 * payload {"reason", "link_id", "scan_started_ms", "scanned", "batch", "batch_size"}, so that
 * the planner can hold a batch over the delete thresholds for approval as a whole; a
 * reconcile_run is one batch across both sides. */
#ifndef PHEEDSYNC_ENGINE_RECONCILE_H
#define PHEEDSYNC_ENGINE_RECONCILE_H

#include "engine/engine.h"

#include <stdatomic.h>

/* The cursor recording the last finished run: {"started_ms", "finished_ms", "complete"}; a
 * named link's is RECONCILE_CURSOR ":NAME" (engine_link_scoped). */
#define RECONCILE_CURSOR "reconcile.last"

typedef struct reconcile_options {
    size_t page_size;        /* HighLevel search page; 0: 500 */
    int64_t delay_ms;        /* the hints' delay */
    const atomic_bool *stop; /* checked between pages; NULL: never */
} reconcile_options;

typedef struct reconcile_side {
    bool complete; /* the whole list was seen: only then were deletes looked for */
    size_t seen;   /* records scanned: a "scan" hint each */
    size_t gone;   /* linked records missing from the complete scan: a "gone" hint each */
} reconcile_side;

typedef struct reconcile_result {
    reconcile_side ghl; /* zero when HighLevel is not configured */
    reconcile_side pl;  /* all events added up; complete when every event's was */
    size_t pl_events;   /* events scanned */
    int64_t started_ms, finished_ms;
} reconcile_result;

/* Scans the configured HighLevel location. An error (the scan failed part way) comes after the
 * scan hints read so far were written; no "gone" hint is written then. */
int reconcile_ghl(reconcile_side *out, engine *eng, const reconcile_options *o, err *e);
/* Scans one PheedLoop event the same way. */
int reconcile_pl_event(reconcile_side *out, engine *eng, const char *event,
                       const reconcile_options *o, err *e);
/* Both sides (each configured event), then records RECONCILE_CURSOR. One side's failure does
 * not keep the other from running; the first error is returned (and the cursor still
 * written, with complete false). */
int reconcile_run(reconcile_result *out, engine *eng, const reconcile_options *o, err *e);

#endif
