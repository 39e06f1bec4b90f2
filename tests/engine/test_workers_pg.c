/* test_workers_pg.c: several workers over one PostgreSQL store. Three `pheedsync sync`
 * processes run the same backfill at once against a throwaway PostgreSQL server, under a
 * HighLevel rate limit that any one of them alone would fill: the work is shared (more than one
 * of them applies operations), HighLevel never answers 429 (they share its budget through the
 * store), nobody is duplicated on either side, everyone is linked, and a pass after them
 * writes nothing. Then the same with one of the three killed with SIGKILL halfway: the others
 * and a restart finish its work. */
#include "tests/engine/efix.h"
#include "tests/support/pg_cluster.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define WORKERS 3

static pg_cluster cluster;

static pid_t spawn_sync(efix *f, int worker)
{
    const char *bin = getenv("PHEEDSYNC_BIN");
    assert_non_null(bin);
    char out[300];
    snprintf(out, sizeof out, "%s/worker-%d.out", f->dir, worker);
    pid_t pid = fork();
    assert_true(pid >= 0);
    if (pid == 0) {
        if (!freopen(out, "w", stdout))
            _exit(126);
        execl(bin, bin, "sync", "--config", f->config_path, "--log-level", "error", (char *)NULL);
        _exit(127);
    }
    return pid;
}

static void spawn_workers(efix *f, pid_t *pids)
{
    for (int i = 0; i < WORKERS; i++)
        pids[i] = spawn_sync(f, i);
}

/* The operations worker applied, from its report line ("...; applied N; ..."); -1 when the
 * report is missing. */
static long applied_by(efix *f, int worker)
{
    char path[300], text[4096];
    snprintf(path, sizeof path, "%s/worker-%d.out", f->dir, worker);
    FILE *in = fopen(path, "r");
    if (!in)
        return -1;
    size_t n = fread(text, 1, sizeof text - 1, in);
    text[n] = '\0';
    fclose(in);
    const char *at = strstr(text, "applied ");
    return at ? strtol(at + strlen("applied "), NULL, 10) : -1;
}

static efix *start_on(const char *db)
{
    char sql[96], url[400];
    snprintf(sql, sizeof sql, "CREATE DATABASE %s", db);
    assert_int_equal(pg_cluster_exec(&cluster, "postgres", sql), 0);
    pg_cluster_url(&cluster, db, url, sizeof url);
    efix_opts o = {.seed_data = true, .people = 240, .seed = 83, .store_url = url};
    efix *f = efix_start(&o);
    efix_faults(f, "{\"latency_ms\": 1, \"latency_jitter_ms\": 2}");
    json_decref(efix_admin(f, true, "PUT", "/_sandbox/settings",
                           "{\"rate\": {\"max_per_interval\": 60, \"interval_ms\": 1000}}"));
    efix_reset_counters(f);
    return f;
}

/* HighLevel's answers with this status since the last counter reset. */
static int64_t ghl_answers(efix *f, const char *status)
{
    json_t *c = efix_admin(f, true, "GET", "/_sandbox/counters", NULL);
    int64_t n = jsonx_int(json_object_get(c, "by_status"), status, 0);
    json_decref(c);
    return n;
}

/* After the workers: the check pass runs with HighLevel's limit lifted. */
static void assert_converged(efix *f, size_t attendees)
{
    json_decref(efix_admin(f, true, "PUT", "/_sandbox/settings",
                           "{\"rate\": {\"max_per_interval\": 100000, \"interval_ms\": 10000}}"));
    efix_assert_no_duplicates(f);
    assert_int_equal(efix_attendee_count(f), attendees);
    efix_assert_all_linked(f);
    efix_faults(f, "{\"latency_ms\": 0, \"latency_jitter_ms\": 0}");
    efix_reset_counters(f);
    efix_pass(f, true);
    assert_int_equal(efix_writes(f, true), 0);
    assert_int_equal(efix_writes(f, false), 0);
}

static void three_workers_share_one_backfill(void **state)
{
    (void)state;
    efix *f = start_on("workers_share");
    size_t attendees = efix_attendee_count(f);
    pid_t pids[WORKERS];
    spawn_workers(f, pids);
    int busy = 0;
    for (int i = 0; i < WORKERS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(WIFEXITED(status));
        assert_int_equal(WEXITSTATUS(status), 0);
        long applied = applied_by(f, i);
        assert_true(applied >= 0);
        busy += applied > 0;
    }
    assert_true(busy >= 2); /* the work was shared, not done by one while the others waited */
    assert_true(ghl_answers(f, "200") + ghl_answers(f, "201") > 60);
    assert_int_equal(ghl_answers(f, "429"), 0);
    assert_converged(f, attendees);
    efix_stop(f);
}

static void a_killed_worker_is_taken_over(void **state)
{
    (void)state;
    efix *f = start_on("workers_killed");
    size_t attendees = efix_attendee_count(f);
    pid_t pids[WORKERS];
    spawn_workers(f, pids);
    struct timespec ts = {0, 400 * 1000000L};
    nanosleep(&ts, NULL);
    kill(pids[0], SIGKILL);
    for (int i = 0; i < WORKERS; i++) {
        int status = 0;
        assert_int_equal(waitpid(pids[i], &status, 0), pids[i]);
        assert_true(i == 0 || (WIFEXITED(status) && WEXITSTATUS(status) == 0));
    }
    /* What the killed worker held comes back when its leases expire: a restart finishes it. */
    assert_int_equal(efix_sync_cli(f, NULL, NULL, 0), 0);
    assert_converged(f, attendees);
    efix_stop(f);
}

int main(void)
{
    char why[512];
    if (pg_cluster_start(&cluster, why, sizeof why) != 0) {
        fprintf(stderr, "workers_pg: %s\n", why);
        pg_cluster_stop(&cluster);
        return 1;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(three_workers_share_one_backfill),
        cmocka_unit_test(a_killed_worker_is_taken_over),
    };
    int failed = cmocka_run_group_tests(tests, NULL, NULL);
    pg_cluster_stop(&cluster);
    return failed;
}
