/* refile.h: queued work under the link that syncs it. Hints and operations are filed under a
 * link (store.h); when the configuration moves a location or an event to another link, or
 * renames a link, what was queued stays under the old name where no planner or worker takes
 * it. At startup (`pheedsync run`, `pheedsync sync`) each unfinished record key is filed under
 * the link its location, or its organization and event, belongs to now; keys of no link are
 * reported, as `pheedsync status` does. */
#ifndef PHEEDSYNC_ENGINE_REFILE_H
#define PHEEDSYNC_ENGINE_REFILE_H

#include "engine/engine.h"

#include <jansson.h>

/* The link of links[0..n) a queued record key belongs to, or -1: "ghl:LOCATION:..." by its
 * location, "pl:ORG:EVENT:..." by its organization and event (operations' keys may carry more
 * parts, such as "ghl:LOC:email:ADDRESS"). */
int engine_key_owner(const engine_link_cfg *links, size_t n, const char *key);

typedef struct engine_refile_report {
    /* Under another link than their owner's: re-filed (apply), or to be. */
    int64_t misfiled_keys, misfiled_rows;
    /* Belonging to no link of the configuration: they wait and nobody takes them. */
    int64_t unowned_keys, unowned_rows;
    /* Held by a live lease (a running planner or worker): left for next time. */
    int64_t busy_rows;
    /* {"misfiled": [{"record_key", "link", "owner", "hints", "operations"}],
     *  "unowned": [{"record_key", "link", "hints", "operations"}]}: the first few of each. */
    json_t *examples;
} engine_refile_report;

/* Looks at every unfinished record key of the store against links[0..n) (their org_code
 * resolved: engine.h's link of each engine); with apply, re-files the misfiled ones. */
int engine_refile_queues(engine_refile_report *out, store *s, const engine_link_cfg *links,
                         size_t n, bool apply, err *e);
/* Logs what the report says (a warning with what to do when anything was found). */
void engine_refile_log(const engine_refile_report *r, bool applied);
/* One line for people ("" when nothing is misfiled or unowned). */
void engine_refile_text(char *out, size_t size, const engine_refile_report *r, bool applied);
void engine_refile_report_free(engine_refile_report *r);

#endif
