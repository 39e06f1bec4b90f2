/* demo.h: `pheedsync demo` in one process: the sandbox seeded with people on both sides, a
 * generated configuration, the OAuth connection, the initial sync, the daemon with its webhooks,
 * and a stream of live edits on both sides whose sync outcomes are printed as they land. */
#ifndef PHEEDSYNC_DEMO_H
#define PHEEDSYNC_DEMO_H

#include "util/common.h"

#include <signal.h>

#define DEMO_DEFAULT_PORT 8470
#define DEMO_DEFAULT_DIR "pheedsync-demo"

typedef struct demo_options {
    uint64_t seed;
    size_t people;            /* generated people; about 3/4 in HighLevel, 3/4 in PheedLoop */
    int port;                 /* daemon and status page; -1: 8470, else a free one; 0: free */
    int64_t edit_interval_ms; /* between two live edits */
    int64_t duration_s;       /* of the live edits; 0: until a stop signal */
    const char *dir;          /* state directory (configuration, store, key) */
    bool quiet;               /* no line per edit and outcome: steps and summary only */
} demo_options;

/* Runs the demo until one of stop (blocked in every thread by the caller) arrives or the
 * duration ends; prints to out. Returns an exit code (cli/commands.h). */
int demo_run(const demo_options *o, const sigset_t *stop, FILE *out);

#endif
