/* pg_cluster.h: a throwaway PostgreSQL server for tests: a cluster made with initdb in a
 * temporary directory, listening on a Unix socket in that directory only (no TCP port), with
 * trust authentication for its superuser `postgres`; stopped and removed at the end. When the
 * tests run as root the server runs as the system user `postgres` (PostgreSQL refuses root).
 * The server's binaries: PHEEDSYNC_PG_BIN, else the newest /usr/lib/postgresql/N/bin. A watchdog
 * process stops and removes the cluster when the test process ends, however it ends (a crash,
 * a timeout's kill), so that no server outlives its test. */
#ifndef PHEEDSYNC_TEST_PG_CLUSTER_H
#define PHEEDSYNC_TEST_PG_CLUSTER_H

#include "util/common.h"

typedef struct pg_cluster {
    char dir[200]; /* the socket directory; the data directory is dir/data */
    char bin[200];
    bool running;
    int watch_fd;      /* the watchdog's pipe: closing it (or dying) stops the cluster */
    pid_t watchdog;
} pg_cluster;

/* Makes and starts the cluster. 0, or -1 with why (what is missing, and what to install). */
int pg_cluster_start(pg_cluster *c, char *why, size_t why_len);
/* The store URL of database db on the cluster. */
void pg_cluster_url(const pg_cluster *c, const char *db, char *out, size_t n);
/* Runs sql (no result wanted) in database db as the superuser. 0, or -1 (printed). */
int pg_cluster_exec(const pg_cluster *c, const char *db, const char *sql);
/* Stops the server (immediate shutdown) and removes the directory. */
void pg_cluster_stop(pg_cluster *c);

#endif
