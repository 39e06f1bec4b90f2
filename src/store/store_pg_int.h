/* store_pg_int.h: the PostgreSQL backend's handle and helpers, shared by its source files.
 *
 * Statements are written with $1, $2, ... and every argument travels as text; a parameter
 * used only in a test such as `$2 IS NULL` needs its type written ($2::text IS NULL), and a
 * parameter compared with a number column is inferred as one. JSON columns are `json` (the
 * text is kept as written, and invalid JSON is refused as jsonb would refuse it). Times are
 * Unix milliseconds in BIGINT, as in the SQLite schema. */
#ifndef PHEEDSYNC_STORE_PG_INT_H
#define PHEEDSYNC_STORE_PG_INT_H

#include "store/store_backend.h"

#include <libpq-fe.h>

typedef struct pg_store {
    store base;
    PGconn *conn;
    int depth; /* nesting of pg_tx_start / pg_read_start inside one public call */
} pg_store;

#define PG(s) ((pg_store *)(void *)(s))

/* Maps a failed result (or, res NULL, the connection's state) to an ERR_* code with the
 * server's message; what: the action. Unique violation ERR_CONFLICT, foreign key ERR_NOT_FOUND,
 * check, not-null and malformed input (invalid JSON) ERR_INVALID, lost connection, lock
 * timeout, deadlock and serialization failure ERR_IO. */
int pg_fail(pg_store *p, const PGresult *res, err *e, const char *what);

/* Runs sql with arguments bound by types, one letter each: 't' const char * (NULL binds
 * NULL), 'i' int64_t, 'd' int. *out (PQclear it): the result when the statement returns rows
 * (SELECT, or RETURNING); out NULL discards it. 0, or a negative ERR_* code with e filled. */
int pg_query(PGresult **out, pg_store *p, err *e, const char *sql, const char *types, ...);
/* Runs a statement; *out_changes (may be NULL): the rows it inserted, updated or deleted. */
int pg_run(int64_t *out_changes, pg_store *p, err *e, const char *sql, const char *types, ...);
/* Runs a query for one integer (first column of the first row); ERR_NOT_FOUND when no row. */
int pg_int(int64_t *out, pg_store *p, err *e, const char *sql, const char *types, ...);

/* Runs statements separated by semicolons, with no arguments (schema steps, settings). */
int pg_script(pg_store *p, const char *sql, err *e);

/* A column as a malloc'd string (NULL for SQL NULL); sets *failed when allocation fails. */
char *pg_text(const PGresult *r, int row, int col, bool *failed);
/* A column as an integer (0 for SQL NULL). */
int64_t pg_i64(const PGresult *r, int row, int col);
bool pg_null(const PGresult *r, int row, int col);

/* Makes the rest of a public call atomic: BEGIN when no transaction is open, a savepoint
 * inside the caller's. pg_tx_end commits on rc == 0, rolls back otherwise, and returns rc (or
 * the commit's failure). */
int pg_tx_start(pg_store *p, err *e);
int pg_tx_end(pg_store *p, int rc, err *e);
/* One statement that may be refused (invalid JSON, a conflict): inside a caller's transaction
 * it runs in a savepoint, so that a refusal aborts only itself; alone it is its own transaction
 * and needs none. *out_guard tells pg_one_end which; pg_one_end returns rc, or the savepoint's
 * failure. */
int pg_one_start(bool *out_guard, pg_store *p, err *e);
int pg_one_end(pg_store *p, bool guard, int rc, err *e);
/* A consistent read of several statements (REPEATABLE READ, read only), or nothing inside a
 * transaction already open. */
int pg_read_start(pg_store *p, err *e);
void pg_read_end(pg_store *p);

/* A fresh claim fence from the store-wide sequence. */
int pg_next_claim(int64_t *out, pg_store *p, err *e);

/* Schema (store_pg_schema.c). */
int pg_migrate(pg_store *p, err *e);
int pg_schema_version(int *out, store *s, err *e);

/* Each source file fills its part of the vtable. */
void pg_fill_queue(store_vtable *vt);
void pg_fill_outbox(store_vtable *vt);
void pg_fill_links(store_vtable *vt);
void pg_fill_misc(store_vtable *vt);
void pg_fill_admin(store_vtable *vt);
void pg_fill_queues(store_vtable *vt);

#endif
