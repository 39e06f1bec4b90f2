/* store_contract.h: the backend-independent contract of store.h, run against any backend by
 * giving it a way to make fresh databases. */
#ifndef PHEEDSYNC_STORE_CONTRACT_H
#define PHEEDSYNC_STORE_CONTRACT_H

#include "store/store.h"

typedef struct store_contract_backend {
    const char *name; /* what store_backend() answers, e.g. "sqlite" */
    /* Makes a fresh, empty database and writes its store URL into url. 0 on success. */
    int (*fresh)(void *ctx, char *url, size_t url_len);
    /* Marks the database at url as written by schema version `version`, bypassing the store
     * (as a newer pheedsync would have left it). 0 on success. */
    int (*force_version)(void *ctx, const char *url, int version);
    /* Removes what fresh made. */
    void (*cleanup)(void *ctx, const char *url);
    void *ctx;
} store_contract_backend;

/* Runs every contract test against b; returns the number of failures (cmocka's result). */
int store_contract_run(const store_contract_backend *b);

/* ------------------------------------------------------------------ for the suite's files */

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

/* 2026-11-27T07:47:59.123Z */
#define SC_T0 INT64_C(1795765679123)
#define SC_URL_MAX 1024

typedef struct sc_fixture {
    const store_contract_backend *b;
    char url[SC_URL_MAX];
    clock_source clock; /* fake, shared by every handle the test opens */
    store *s;
} sc_fixture;

typedef struct sc_case {
    const char *name;
    void (*fn)(void **state);
} sc_case;

/* Opens another handle on the fixture's database (as another worker or process would). */
store *sc_open(sc_fixture *f);
/* Asserts rc == 0, printing the error otherwise. */
#define SC_OK(call)                                                                                \
    do {                                                                                           \
        err sc_e_;                                                                                 \
        err_clear(&sc_e_);                                                                         \
        int sc_rc_ = (call);                                                                       \
        if (sc_rc_ != 0)                                                                           \
            print_error("%s: %d %s\n", #call, sc_rc_, sc_e_.msg);                                  \
        assert_int_equal(sc_rc_, 0);                                                               \
    } while (0)
/* SC_OK and SC_FAILS pass their own err record as `SC_E` inside the call. */
#define SC_E (&sc_e_)
#define SC_FAILS(code, call)                                                                       \
    do {                                                                                           \
        err sc_e_;                                                                                 \
        err_clear(&sc_e_);                                                                         \
        int sc_rc_ = (call);                                                                       \
        if (sc_rc_ != (code))                                                                      \
            print_error("%s: %d %s\n", #call, sc_rc_, sc_e_.msg);                                  \
        assert_int_equal(sc_rc_, (code));                                                          \
        assert_true(sc_e_.msg[0] != '\0');                                                         \
    } while (0)

extern const sc_case sc_basic_cases[];
extern const sc_case sc_queue_cases[];
extern const sc_case sc_record_cases[];
extern const sc_case sc_concurrency_cases[];
extern const sc_case sc_link_cases[];

#endif
