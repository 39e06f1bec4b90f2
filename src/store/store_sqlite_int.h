/* store_sqlite_int.h: the SQLite backend's handle and helpers, shared by its source files. */
#ifndef PHEEDSYNC_STORE_SQLITE_INT_H
#define PHEEDSYNC_STORE_SQLITE_INT_H

#include "store/store_backend.h"

#include <sqlite3.h>

/* Prepared statements kept for reuse: preparing costs more than most statements take to run. */
#define SQ_CACHE_MAX 96

typedef struct sq_cached {
    uint64_t hash; /* of the SQL text */
    const char *sql;
    sqlite3_stmt *st;
    bool busy;
} sq_cached;

typedef struct sq_store {
    store base;
    sqlite3 *db;
    int depth; /* nesting of sq_tx_start inside one public call */
    sq_cached cache[SQ_CACHE_MAX];
    size_t n_cache;
} sq_store;

#define SQ(s) ((sq_store *)(void *)(s))

/* Maps a SQLite result code to an ERR_* code with SQLite's message; what: the action. */
int sq_fail(sq_store *q, int rc, err *e, const char *what);

/* Prepares sql and binds arguments by types, one letter each: 't' const char * (NULL binds
 * NULL), 'i' int64_t, 'd' int. Parameters are ?1, ?2, ... in that order. */
int sq_prep(sqlite3_stmt **out, sq_store *q, err *e, const char *sql, const char *types, ...);
/* Gives back a statement from sq_prep (finished with or not): a cached one is reset for its next
 * use, any other finalized. */
void sq_release(sq_store *q, sqlite3_stmt *st);
/* Steps: 1 a row, 0 done, or a negative ERR_* code (e filled). */
int sq_step(sq_store *q, sqlite3_stmt *st, err *e);
/* Runs a statement that returns no rows; *out_changes (may be NULL): rows changed. */
int sq_run(int64_t *out_changes, sq_store *q, err *e, const char *sql, const char *types, ...);
/* Runs a query for one integer (first column of the first row); ERR_NOT_FOUND when no row. */
int sq_int(int64_t *out, sq_store *q, err *e, const char *sql, const char *types, ...);

/* Makes the rest of a public call atomic: a write transaction (BEGIN IMMEDIATE) when none is
 * open, or a savepoint inside the caller's. sq_tx_end commits on rc == 0, rolls back otherwise,
 * and returns rc (or the commit's failure). */
int sq_tx_start(sq_store *q, err *e);
int sq_tx_end(sq_store *q, int rc, err *e);
/* A consistent read of several statements (a deferred transaction, or nothing inside one). */
int sq_read_start(sq_store *q, err *e);
void sq_read_end(sq_store *q);

/* A column as a malloc'd string (NULL for SQL NULL); sets *failed when allocation fails. */
char *sq_text(sqlite3_stmt *st, int col, bool *failed);
/* A fresh claim fence from the store-wide sequence. */
int sq_next_claim(int64_t *out, sq_store *q, err *e);

/* Schema (store_sqlite_schema.c). */
int sq_migrate(sq_store *q, err *e);
int sq_schema_version(int *out, store *s, err *e);

/* Each source file fills its part of the vtable. */
void sq_fill_queue(store_vtable *vt);
void sq_fill_outbox(store_vtable *vt);
void sq_fill_links(store_vtable *vt);
void sq_fill_misc(store_vtable *vt);
void sq_fill_admin(store_vtable *vt);
void sq_fill_queues(store_vtable *vt);

#endif
