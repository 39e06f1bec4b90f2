/* store_contract_concurrency.c: contract cases with several handles at once (threads standing
 * for workers and processes), and a crash test: a child killed with SIGKILL loses nothing it
 * reported as committed. */
#include "store_contract.h"

#include "util/rng.h"

#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <sys/wait.h>
#include <unistd.h>

#define THREADS 6

/* What every racing thread shares; threads never call cmocka (it is not thread-safe). */
typedef struct race {
    sc_fixture *f;
    pthread_barrier_t start;
    pthread_mutex_t mu;
    atomic_int errors;
    char first_error[ERR_MSG_MAX + 64];
    void (*body)(struct race *r, store *s, int thread);
    atomic_int *counts; /* per item, as each case needs */
    int items;
    atomic_int total;
} race;

typedef struct race_arg {
    race *r;
    int thread;
} race_arg;

static void race_fail(race *r, const char *what, const err *e)
{
    pthread_mutex_lock(&r->mu);
    if (atomic_fetch_add(&r->errors, 1) == 0)
        snprintf(r->first_error, sizeof r->first_error, "%s: %s", what, e ? e->msg : "");
    pthread_mutex_unlock(&r->mu);
}

static void *race_thread(void *p)
{
    race_arg *a = p;
    store *s = NULL;
    err e;
    int rc = store_open(&s, a->r->f->url, &a->r->f->clock, &e);
    pthread_barrier_wait(&a->r->start);
    if (rc != 0)
        race_fail(a->r, "open", &e);
    else
        a->r->body(a->r, s, a->thread);
    store_close(s);
    return NULL;
}

static void run_race(race *r)
{
    pthread_t t[THREADS];
    race_arg args[THREADS];
    pthread_barrier_init(&r->start, NULL, THREADS);
    pthread_mutex_init(&r->mu, NULL);
    for (int i = 0; i < THREADS; i++) {
        args[i] = (race_arg){r, i};
        assert_int_equal(pthread_create(&t[i], NULL, race_thread, &args[i]), 0);
    }
    for (int i = 0; i < THREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&r->start);
    pthread_mutex_destroy(&r->mu);
    if (atomic_load(&r->errors) != 0)
        print_error("%d errors, first: %s\n", atomic_load(&r->errors), r->first_error);
    assert_int_equal(atomic_load(&r->errors), 0);
}

/* ------------------------------------------------------------------ deliveries */

static void delivery_body(race *r, store *s, int thread)
{
    for (int i = 0; i < r->items; i++) {
        char id[32];
        snprintf(id, sizeof id, "delivery-%d", i);
        bool seen = true;
        err e;
        if (store_delivery_seen_or_insert(&seen, s, "ghl", id, &e) != 0)
            race_fail(r, "delivery", &e);
        else if (!seen)
            atomic_fetch_add(&r->counts[i], 1);
    }
}

static void deliveries_race_has_one_winner(void **state)
{
    race r = {.f = *state, .body = delivery_body, .items = 40};
    atomic_int counts[40];
    for (int i = 0; i < 40; i++)
        atomic_init(&counts[i], 0);
    r.counts = counts;
    run_race(&r);
    for (int i = 0; i < 40; i++)
        assert_int_equal(atomic_load(&counts[i]), 1);
}

/* ------------------------------------------------------------------ outbox claims */

#define OPS 120
#define KEYS 40 /* three operations per record, which must run in order */

static void claim_body(race *r, store *s, int thread)
{
    char owner[16];
    snprintf(owner, sizeof owner, "w%d", thread);
    int64_t deadline = clock_mono_ms(clock_system()) + 60000;
    while (atomic_load(&r->total) < OPS && clock_mono_ms(clock_system()) < deadline) {
        store_ops ops;
        err e;
        if (store_outbox_claim(&ops, s, owner, 600000, NULL, 4, &e) != 0) {
            race_fail(r, "claim", &e);
            return;
        }
        for (size_t i = 0; i < ops.n; i++) {
            int64_t idx = strtoll(ops.v[i].idem_key, NULL, 10);
            if (idx < 0 || idx >= OPS || atomic_fetch_add(&r->counts[idx], 1) != 0)
                race_fail(r, "claimed twice", NULL);
            else if (idx >= KEYS && atomic_load(&r->counts[idx - KEYS]) != 2)
                race_fail(r, "out of order on one record", NULL);
            if (store_outbox_intent(s, &ops.v[i], &e) != 0 ||
                store_outbox_complete(s, &ops.v[i], &e) != 0)
                race_fail(r, "complete", &e);
            atomic_fetch_add(&r->counts[idx], 1); /* 2: done */
            atomic_fetch_add(&r->total, 1);
        }
        store_ops_free(&ops);
    }
}

static void outbox_claims_never_overlap(void **state)
{
    sc_fixture *f = *state;
    SC_OK(store_begin(f->s, SC_E));
    for (int i = 0; i < OPS; i++) {
        char key[32], idem[32];
        snprintf(key, sizeof key, "ghl:contact:L:%d", i % KEYS);
        snprintf(idem, sizeof idem, "%d", i);
        store_op_new op = {"ghl", "acct", "ghl.update_contact", key, "{}", idem, i % 3, 0, NULL};
        int64_t id = 0;
        SC_OK(store_outbox_enqueue(&id, NULL, f->s, &op, SC_E));
    }
    SC_OK(store_commit(f->s, SC_E));
    race r = {.f = f, .body = claim_body, .items = OPS};
    atomic_int counts[OPS];
    for (int i = 0; i < OPS; i++)
        atomic_init(&counts[i], 0);
    r.counts = counts;
    run_race(&r);
    for (int i = 0; i < OPS; i++)
        assert_int_equal(atomic_load(&counts[i]), 2);
    store_counts c;
    SC_OK(store_count(&c, f->s, SC_E));
    assert_int_equal(c.outbox_done, OPS);
}

/* ------------------------------------------------------------------ budgets */

static void budget_body(race *r, store *s, int thread)
{
    store_budget_limits lim = {3600000, 100, 150};
    for (;;) {
        store_budget_take_result res;
        err e;
        if (store_budget_take(&res, s, "loc", &lim, 1, &e) != 0) {
            race_fail(r, "take", &e);
            return;
        }
        if (!res.granted)
            return;
        atomic_fetch_add(&r->total, 1);
    }
}

static void budget_take_is_atomic(void **state)
{
    race r = {.f = *state, .body = budget_body};
    run_race(&r);
    assert_int_equal(atomic_load(&r.total), 100);
}

/* ------------------------------------------------------------------ shadows, locks, holds */

#define SHADOW_PUTS 10 /* per thread */

/* Read the version, write on it; a conflict (another thread wrote first) reads again. */
static void shadow_body(race *r, store *s, int thread)
{
    (void)thread;
    for (int done = 0; done < SHADOW_PUTS;) {
        store_shadow *sh = NULL;
        int64_t v = 0, got = 0;
        err e;
        int rc = store_shadow_get(&sh, s, "ghl", "ghl:contact:L:race", &e);
        if (rc == 0)
            v = sh->version;
        store_shadow_free(sh);
        if (rc == 0 || rc == ERR_NOT_FOUND)
            rc = store_shadow_put(&got, s, "ghl", "ghl:contact:L:race", "{}", NULL, v, &e);
        if (rc == ERR_CONFLICT)
            continue;
        if (rc != 0 || got != v + 1 || got > r->items ||
            atomic_fetch_add(&r->counts[got - 1], 1) != 0) {
            race_fail(r, "shadow put", rc != 0 ? &e : NULL);
            return;
        }
        done++;
    }
}

static void shadow_versions_are_never_lost(void **state)
{
    sc_fixture *f = *state;
    race r = {.f = f, .body = shadow_body, .items = THREADS * SHADOW_PUTS};
    atomic_int counts[THREADS * SHADOW_PUTS];
    for (int i = 0; i < THREADS * SHADOW_PUTS; i++)
        atomic_init(&counts[i], 0);
    r.counts = counts;
    run_race(&r);
    for (int i = 0; i < THREADS * SHADOW_PUTS; i++)
        assert_int_equal(atomic_load(&counts[i]), 1); /* each version written once */
    store_shadow *sh = NULL;
    SC_OK(store_shadow_get(&sh, f->s, "ghl", "ghl:contact:L:race", SC_E));
    assert_int_equal(sh->version, THREADS * SHADOW_PUTS);
    store_shadow_free(sh);
}

/* Every thread tries to take one lock and to decide one pending hold: one of each wins. */
static void one_winner_body(race *r, store *s, int thread)
{
    char owner[16];
    snprintf(owner, sizeof owner, "w%d", thread);
    bool got = false;
    err e;
    if (store_lock_try(&got, s, "refresh:ghl:race", owner, 60000, &e) != 0)
        race_fail(r, "lock", &e);
    else if (got)
        atomic_fetch_add(&r->counts[0], 1);
    int rc = thread % 2 ? store_held_approve(s, r->items, owner, &e)
                        : store_held_reject(s, r->items, owner, &e);
    if (rc == 0)
        atomic_fetch_add(&r->counts[1], 1);
    else if (rc != ERR_BAD_STATE)
        race_fail(r, "decide", &e);
}

static void locks_and_holds_have_one_winner(void **state)
{
    sc_fixture *f = *state;
    store_held_new h = {NULL, "ghl", "ghl:contact:L:1", 0, "missing from full scan", "{}"};
    int64_t id = 0;
    SC_OK(store_held_create(&id, NULL, f->s, &h, SC_E));
    race r = {.f = f, .body = one_winner_body, .items = (int)id};
    atomic_int counts[2];
    atomic_init(&counts[0], 0);
    atomic_init(&counts[1], 0);
    r.counts = counts;
    run_race(&r);
    assert_int_equal(atomic_load(&counts[0]), 1);
    assert_int_equal(atomic_load(&counts[1]), 1);
    store_helds list;
    SC_OK(store_held_list(&list, f->s, -1, 0, 10, SC_E));
    assert_int_equal(list.n, 1);
    assert_int_not_equal(list.v[0].state, STORE_HELD_PENDING);
    assert_non_null(list.v[0].decided_by);
    store_helds_free(&list);
}

/* ------------------------------------------------------------------ crash */

/* The child appends hints, alone or three to a transaction, and reports each committed one's
 * number through the pipe; it runs until killed. */
static void crash_child(const char *url, int fd, int round)
{
    store *s = NULL;
    err e;
    if (store_open(&s, url, NULL, &e) != 0)
        _exit(3);
    for (int32_t i = 0; i < 100000;) {
        int batch = (i / 3) % 2 ? 3 : 1;
        if (batch > 1 && store_begin(s, &e) != 0)
            _exit(4);
        for (int k = 0; k < batch; k++) {
            char key[48];
            snprintf(key, sizeof key, "crash:%d:%d", round, i + k);
            store_hint_new h = {"ghl", "ContactUpdate", key, "{\"crash\":true}", 0, NULL};
            if (store_inbox_append(NULL, s, &h, &e) != 0)
                _exit(5);
        }
        if (batch > 1 && store_commit(s, &e) != 0)
            _exit(6);
        for (int k = 0; k < batch; k++, i++) {
            int32_t v = i;
            if (write(fd, &v, sizeof v) != (ssize_t)sizeof v)
                _exit(7);
        }
    }
    _exit(0);
}

/* Reads reports until `until` of them (or end of file); returns how many were read. */
static int read_reports(int fd, int32_t *out, int have, int until, int cap)
{
    while (have < until && have < cap) {
        int32_t v;
        ssize_t n = read(fd, &v, sizeof v);
        if (n != (ssize_t)sizeof v)
            break;
        out[have++] = v;
    }
    return have;
}

static void crash_loses_nothing_committed(void **state)
{
    sc_fixture *f = *state;
    store_close(f->s); /* no connection crosses the fork */
    f->s = NULL;
    rng r;
    rng_seed(&r, (uint64_t)clock_now_ms(NULL) ^ (uint64_t)getpid());
    enum { ROUNDS = 3, CAP = 200000 };
    int32_t *got = calloc(CAP, sizeof *got);
    assert_non_null(got);
    int reported[ROUNDS];
    for (int round = 0; round < ROUNDS; round++) {
        int fds[2];
        assert_int_equal(pipe(fds), 0);
        pid_t pid = fork();
        assert_true(pid >= 0);
        if (pid == 0) {
            close(fds[0]);
            crash_child(f->url, fds[1], round);
        }
        close(fds[1]);
        int n = read_reports(fds[0], got, 0, 1 + (int)rng_below(&r, 30), CAP);
        struct timespec jitter = {0, (long)rng_below(&r, 3000) * 1000};
        nanosleep(&jitter, NULL); /* kill at a random instant, not just after a report */
        kill(pid, SIGKILL);
        n = read_reports(fds[0], got, n, CAP, CAP); /* what it reported before dying */
        close(fds[0]);
        int status = 0;
        assert_int_equal(waitpid(pid, &status, 0), pid);
        assert_true(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL);
        reported[round] = n;
        err oe;
        /* recovery, on the child's clock (the real one) so that its hints are due */
        if (store_open(&f->s, f->url, NULL, &oe) != 0)
            print_error("reopen: %s\n", oe.msg);
        assert_non_null(f->s);
        store_hints all;
        SC_OK(store_inbox_claim(&all, f->s, "check", 60000, 10000, SC_E));
        for (int i = 0; i < n; i++) {
            char key[48];
            snprintf(key, sizeof key, "crash:%d:%d", round, got[i]);
            bool found = false;
            for (size_t k = 0; k < all.n && !found; k++)
                found = strcmp(all.v[k].record_key, key) == 0;
            if (!found)
                print_error("round %d: reported %s is missing\n", round, key);
            assert_true(found);
        }
        for (size_t k = 0; k < all.n; k++)
            SC_OK(store_inbox_ack(f->s, &all.v[k], SC_E));
        store_hints_free(&all);
        store_close(f->s);
        f->s = NULL;
    }
    free(got);
    f->s = sc_open(f);
    assert_true(reported[0] > 0 && reported[1] > 0 && reported[2] > 0);
}

/* ------------------------------------------------------------------ inbox claims */

#define HINT_KEYS 30
#define HINTS_PER_APPENDER 90

static void inbox_race_body(race *r, store *s, int thread)
{
    err e;
    if (thread < 2) { /* appenders */
        for (int i = 0; i < HINTS_PER_APPENDER; i++) {
            char key[32];
            snprintf(key, sizeof key, "k:%d", (i * 7 + thread) % HINT_KEYS);
            store_hint_new h = {"ghl", "ContactUpdate", key, "{}", 0, NULL};
            if (store_inbox_append(NULL, s, &h, &e) != 0)
                race_fail(r, "append", &e);
        }
        return;
    }
    char owner[16];
    snprintf(owner, sizeof owner, "w%d", thread);
    int64_t deadline = clock_mono_ms(clock_system()) + 60000;
    while (atomic_load(&r->total) < 2 * HINTS_PER_APPENDER &&
           clock_mono_ms(clock_system()) < deadline) {
        store_hints got;
        if (store_inbox_claim(&got, s, owner, 600000, 3, &e) != 0) {
            race_fail(r, "claim", &e);
            return;
        }
        for (size_t i = 0; i < got.n; i++) {
            int k = (int)strtol(got.v[i].record_key + 2, NULL, 10);
            if (atomic_fetch_add(&r->counts[k], 1) != 0)
                race_fail(r, "one key claimed twice at once", NULL);
            atomic_fetch_add(&r->total, (int)got.v[i].count);
            atomic_fetch_sub(&r->counts[k], 1);
            if (store_inbox_ack(s, &got.v[i], &e) != 0)
                race_fail(r, "ack", &e);
        }
        store_hints_free(&got);
    }
}

static void inbox_claims_never_overlap(void **state)
{
    race r = {.f = *state, .body = inbox_race_body, .items = HINT_KEYS};
    atomic_int counts[HINT_KEYS];
    for (int i = 0; i < HINT_KEYS; i++)
        atomic_init(&counts[i], 0);
    r.counts = counts;
    run_race(&r);
    assert_int_equal(atomic_load(&r.total), 2 * HINTS_PER_APPENDER);
}

/* ------------------------------------------------------------------ links */

static bool one_of(int rc, int a, int b)
{
    return rc == a || rc == b;
}

static void lk_create_body(race *r, store *s, int thread)
{
    (void)thread;
    for (int i = 0; i < r->items; i++) {
        char c[32];
        snprintf(c, sizeof c, "C%d", i);
        int64_t id = 0;
        err e;
        int rc = store_link_create(&id, s, "LOC", c, NULL, NULL, &e);
        if (rc == 0)
            atomic_fetch_add(&r->counts[i], 1);
        else if (rc != ERR_CONFLICT)
            race_fail(r, "create", &e);
    }
}

static void lk_attendee_body(race *r, store *s, int thread)
{
    char c[32];
    snprintf(c, sizeof c, "T%d", thread);
    int64_t id = 0;
    err e;
    if (store_link_create(&id, s, "LOC", c, NULL, NULL, &e) != 0) {
        race_fail(r, "own", &e);
        return;
    }
    for (int i = 0; i < r->items; i++) {
        char a[32];
        snprintf(a, sizeof a, "A%d", (i + thread) % r->items);
        int rc = store_link_add_attendee(s, id, "ORG", "E", a, &e);
        if (rc == 0)
            atomic_fetch_add(&r->counts[(i + thread) % r->items], 1);
        else if (rc != ERR_CONFLICT)
            race_fail(r, "add", &e);
        rc = store_link_set_member(s, id, "ORG", a, &e);
        if (!one_of(rc, 0, ERR_CONFLICT))
            race_fail(r, "member", &e);
    }
}

static void lk_churn_body(race *r, store *s, int thread)
{
    err e;
    for (int k = 0; k < 25; k++) {
        char c[32];
        snprintf(c, sizeof c, "T%d-%d", thread, k);
        int64_t id = 0;
        if (store_link_create(&id, s, "LOC", c, NULL, NULL, &e) != 0) {
            race_fail(r, "create", &e);
            return;
        }
        for (int j = 0; j < 6; j++) {
            char a[32];
            snprintf(a, sizeof a, "A%d", (k + j + thread) % 8);
            int rc = store_link_add_attendee(s, id, "ORG", "E", a, &e);
            if (!one_of(rc, 0, ERR_CONFLICT) && rc != ERR_NOT_FOUND)
                race_fail(r, "add", &e);
            snprintf(a, sizeof a, "A%d", (k * 3 + j + thread * 5) % 8);
            rc = store_link_unlink_attendee(s, "ORG", "E", a, "churn", &e);
            if (!one_of(rc, 0, ERR_NOT_FOUND))
                race_fail(r, "unlink attendee", &e);
        }
        if (thread % 2 == 0) {
            /* ends a neighbour's link, if it is live */
            store_link *l = NULL;
            char a[32];
            snprintf(a, sizeof a, "A%d", k % 8);
            int rc = store_link_by_attendee(&l, s, "ORG", "E", a, &e);
            if (rc == 0) {
                if (l->unlinked_ms != 0)
                    race_fail(r, "live attendee on an ended link", NULL);
                rc = store_link_unlink(s, l->id, "churn", &e);
                if (!one_of(rc, 0, ERR_NOT_FOUND))
                    race_fail(r, "unlink", &e);
                store_link_free(l);
            } else if (rc != ERR_NOT_FOUND)
                race_fail(r, "by attendee", &e);
        }
        int rc = store_link_unlink(s, id, "done", &e);
        if (!one_of(rc, 0, ERR_NOT_FOUND))
            race_fail(r, "unlink own", &e);
        atomic_fetch_add(&r->total, 1);
    }
}

/* Racing creators get one link per contact; racing linkers one link per attendee (and member);
 * adding, unlinking and ending links at once leaves no live attendee on an ended link, and every
 * live attendee found under the link that lists it. */
static void link_races_have_one_winner(void **state)
{
    sc_fixture *f = *state;
    atomic_int counts[30];
    for (int i = 0; i < 30; i++)
        atomic_init(&counts[i], 0);
    race r = {.f = f, .body = lk_create_body, .items = 30, .counts = counts};
    run_race(&r);
    for (int i = 0; i < 30; i++)
        assert_int_equal(atomic_load(&counts[i]), 1);
    atomic_int counts2[30];
    for (int i = 0; i < 30; i++)
        atomic_init(&counts2[i], 0);
    race r2 = {.f = f, .body = lk_attendee_body, .items = 30, .counts = counts2};
    run_race(&r2);
    for (int i = 0; i < 30; i++)
        assert_int_equal(atomic_load(&counts2[i]), 1);
    race r3 = {.f = f, .body = lk_churn_body, .items = 8};
    run_race(&r3);
    assert_int_equal(atomic_load(&r3.total), 25 * THREADS);
    for (int i = 0; i < 8; i++) {
        char a[32];
        snprintf(a, sizeof a, "A%d", i);
        store_link *l = NULL;
        err e;
        int rc = store_link_by_attendee(&l, f->s, "ORG", "E", a, &e);
        if (rc == 0) {
            assert_int_equal(l->unlinked_ms, 0);
            store_link_free(l);
        }
    }
    store_links all;
    SC_OK(store_link_list(&all, f->s, 0, 10000, SC_E));
    for (size_t i = 0; i < all.n; i++)
        for (size_t j = 0; j < all.v[i].n_attendees; j++) {
            store_link *l = NULL;
            const store_attendee_ref *a = &all.v[i].attendees[j];
            SC_OK(store_link_by_attendee(&l, f->s, "ORG", a->event, a->code, SC_E));
            assert_int_equal(l->id, all.v[i].id);
            store_link_free(l);
        }
    store_links_free(&all);
}

/* Link writes refused inside a caller's transaction (conflicts, unknown links) fail alone: the
 * transaction's other writes commit. Listing pages by id and groups attendees. */
static void refused_link_writes_keep_the_transaction(void **state)
{
    sc_fixture *f = *state;
    int64_t a = 0, b = 0, c = 0;
    SC_OK(store_link_create(&a, f->s, "LOC", "C1", NULL, NULL, SC_E));
    SC_OK(store_link_create(&b, f->s, "LOC", "C2", NULL, NULL, SC_E));
    SC_OK(store_link_set_member(f->s, a, "ORG", "M1", SC_E));
    SC_OK(store_link_add_attendee(f->s, a, "ORG", "E", "A1", SC_E));
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_link_set_keys(f->s, b, "b@x", NULL, SC_E));
    SC_FAILS(ERR_CONFLICT, store_link_set_member(f->s, b, "ORG", "M1", SC_E));
    SC_FAILS(ERR_CONFLICT, store_link_create(&c, f->s, "LOC", "C1", NULL, NULL, SC_E));
    SC_FAILS(ERR_CONFLICT, store_link_add_attendee(f->s, b, "ORG", "E", "A1", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_unlink_attendee(f->s, "ORG", "E", "A9", "x", SC_E));
    SC_FAILS(ERR_NOT_FOUND, store_link_add_attendee(f->s, 999, "ORG", "E", "A2", SC_E));
    SC_OK(store_link_add_attendee(f->s, b, "ORG", "E", "A2", SC_E));
    SC_OK(store_link_create(&c, f->s, "LOC", "C3", NULL, NULL, SC_E));
    SC_OK(store_commit(f->s, SC_E));
    store_link *l = NULL;
    SC_OK(store_link_get(&l, f->s, b, SC_E));
    assert_string_equal(l->email_norm, "b@x");
    assert_null(l->member_code);
    assert_int_equal(l->n_attendees, 1);
    store_link_free(l);
    SC_OK(store_link_by_contact(&l, f->s, "LOC", "C3", SC_E));
    store_link_free(l);
    store_links all;
    SC_OK(store_link_list(&all, f->s, 0, 2, SC_E));
    assert_int_equal(all.n, 2);
    assert_int_equal(all.v[0].id, a);
    assert_int_equal(all.v[0].n_attendees, 1);
    assert_string_equal(all.v[0].attendees[0].code, "A1");
    assert_string_equal(all.v[0].member_code, "M1");
    assert_int_equal(all.v[1].n_attendees, 1);
    assert_string_equal(all.v[1].attendees[0].code, "A2");
    store_links_free(&all);
    SC_OK(store_link_list(&all, f->s, b, 10, SC_E));
    assert_int_equal(all.n, 1);
    assert_int_equal(all.v[0].id, c);
    assert_int_equal(all.v[0].n_attendees, 0);
    store_links_free(&all);
    SC_OK(store_link_by_email(&all, f->s, "nobody", SC_E));
    assert_int_equal(all.n, 0);
    store_links_free(&all);
    SC_OK(store_begin(f->s, SC_E));
    SC_OK(store_link_unlink(f->s, a, "r", SC_E));
    SC_OK(store_rollback(f->s, SC_E));
    SC_OK(store_link_by_member(&l, f->s, "ORG", "M1", SC_E));
    assert_int_equal(l->id, a);
    store_link_free(l);
}

const sc_case sc_concurrency_cases[] = {
    {"inbox_claims_never_overlap", inbox_claims_never_overlap},
    {"refused_link_writes_keep_the_transaction", refused_link_writes_keep_the_transaction},
    {"link_races_have_one_winner", link_races_have_one_winner},
    {"deliveries_race_has_one_winner", deliveries_race_has_one_winner},
    {"outbox_claims_never_overlap", outbox_claims_never_overlap},
    {"budget_take_is_atomic", budget_take_is_atomic},
    {"shadow_versions_are_never_lost", shadow_versions_are_never_lost},
    {"locks_and_holds_have_one_winner", locks_and_holds_have_one_winner},
    {"crash_loses_nothing_committed", crash_loses_nothing_committed},
    {NULL, NULL},
};
