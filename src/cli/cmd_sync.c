/* cmd_sync.c: `pheedsync sync [--dry-run] [--full]`: one pass (capture, plan, apply), then
 * exit; a progress bar on a terminal; a dry run prints the plan and writes nothing. */
#include "app/app.h"
#include "cli/commands.h"
#include "engine/poller.h"
#include "engine/refile.h"
#include "engine/sync.h"

#include <unistd.h>

static const char usage_text[] =
    "usage: pheedsync sync [--dry-run] [--full] [OPTIONS]\n"
    "\n"
    "Runs one pass and exits: reads what changed on both sides (the first pass, and every pass\n"
    "with --full, lists both sides completely), plans the changes, applies them, and waits until\n"
    "everything queued is applied or has failed for good. With several links ([link]\n"
    "sections), one pass per link in turn; the exit status is the worst of them.\n"
    "Exit status: 0 when everything was applied, 1 when something became a dead letter (see\n"
    "`pheedsync dlq list`) or a delete waits for approval, 2 usage or configuration error,\n"
    "3 runtime failure.\n"
    "\n"
    "options:\n"
    "  --dry-run         list both sides, print the operations a pass would queue, write\n"
    "                    nothing\n"
    "  --full            list both sides completely (also finds deletes)\n"
    "  --timeout SECONDS give up waiting after this long (default 3600)\n" APP_USAGE_OPTIONS
    "  -h, --help        this text\n";

enum { OPT_DRY = 256, OPT_FULL, OPT_TIMEOUT };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    {"dry-run", no_argument, NULL, OPT_DRY},
    {"full", no_argument, NULL, OPT_FULL},
    {"timeout", required_argument, NULL, OPT_TIMEOUT},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

typedef struct bar {
    bool on;
    const char *phase;
    const char *link; /* the link's name when there are several, else NULL */
} bar;

static void show_progress(void *ctx, const engine_progress *p)
{
    bar *b = ctx;
    if (!b->on)
        return;
    if (b->link)
        fprintf(stderr, "\r%s: ", b->link);
    else
        fputc('\r', stderr);
    if (p->total)
        fprintf(stderr, "%-5s %zu/%zu   ", p->phase, p->done, p->total);
    else
        fprintf(stderr, "%-5s %zu      ", p->phase, p->done);
    b->phase = p->phase;
}

static int report(const engine_pass_result *r, bool dry, const char *link)
{
    if (link)
        printf("link %s: ", link);
    if (dry) {
        printf("dry run: %zu records listed, %zu operations would be queued, %zu ambiguous\n",
               r->scan.contacts + r->scan.attendees, r->dry_ops, r->ambiguous);
        return EXIT_OK;
    }
    printf("listed %zu contacts and %zu attendees; planned %zu; applied %zu; dead letters %zu; "
           "deletes held %zu; ambiguous %zu\n",
           r->scan.contacts, r->scan.attendees, r->planned, r->ops - r->ops_dead, r->ops_dead,
           r->held, r->ambiguous);
    if (!r->drained) {
        fprintf(stderr, "pheedsync sync: gave up waiting: some changes are still queued\n");
        return EXIT_CHECK;
    }
    return r->ops_dead || r->held ? EXIT_CHECK : EXIT_OK;
}

/* One link's pass; its exit code. */
static int run_link(app_ctx *a, size_t i, engine_pass_opts *o)
{
    err e = {0};
    engine en;
    app_link_engine(&en, a, i);
    const char *name = a->n_links > 1 ? engine_link_label(&en.link) : NULL;
    bar b = {.on = isatty(STDERR_FILENO) && !o->dry_run, .link = name};
    o->progress = show_progress;
    o->progress_ctx = &b;
    engine_pass_result r = {0};
    int rc = engine_pass(&r, &en, o, &e);
    if (b.on && b.phase)
        fputs("\n", stderr);
    if (rc != 0) {
        if (name)
            err_wrap(&e, "link %s: ", name);
        app_fail(a, &e);
        return rc == ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
    }
    return report(&r, o->dry_run, name);
}

/* Work queued under a link that no longer syncs it goes to the one that does (a dry run only
 * says so). A failure here is reported and the passes go on. */
static void refile(app_ctx *a, bool apply)
{
    engine_link_cfg *cfgs = calloc(a->n_links, sizeof *cfgs);
    for (size_t i = 0; cfgs && i < a->n_links; i++) {
        engine en;
        app_link_engine(&en, a, i);
        cfgs[i] = en.link;
    }
    engine_refile_report r = {0};
    err e = {0};
    if (!cfgs || engine_refile_queues(&r, a->store, cfgs, a->n_links, apply, &e) != 0) {
        fprintf(stderr, "pheedsync sync: cannot check which link queued work belongs to: %s\n",
                cfgs ? e.msg : "out of memory");
    } else if (r.misfiled_keys || r.unowned_keys) {
        char text[1024];
        engine_refile_text(text, sizeof text, &r, apply);
        fprintf(stderr, "pheedsync sync: %s\n", text);
    }
    engine_refile_report_free(&r);
    free(cfgs);
}

static int run(app_ctx *a, engine_pass_opts *o)
{
    err e = {0};
    if (app_require(a, APP_STORE | APP_GHL | APP_PL, &e) != 0) {
        app_fail(a, &e);
        return app_exit_code(e.code);
    }
    refile(a, !o->dry_run);
    int code = EXIT_OK;
    for (size_t i = 0; i < a->n_links; i++) {
        int link_code = run_link(a, i, o); /* PS_MAX would run the pass twice */
        code = PS_MAX(code, link_code);    /* the codes grow with the trouble */
    }
    return code;
}

int cmd_sync(int argc, char **argv)
{
    app_options ao = {.command = "sync"};
    /* After the first pass, the pollers read what changed since. */
    engine_pass_opts po = {.out = stdout, .capture = poller_capture};
    long timeout_s = 3600;
    err e = {0};
    int opt, rc;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        rc = app_option(&ao, opt, optarg, &e);
        if (rc == 1)
            continue;
        if (opt == 'h') {
            fputs(usage_text, stdout);
            return EXIT_OK;
        }
        if (opt == OPT_DRY || opt == OPT_FULL) {
            *(opt == OPT_DRY ? &po.dry_run : &po.full) = true;
            continue;
        }
        if (opt == OPT_TIMEOUT) {
            char *end = NULL;
            timeout_s = strtol(optarg, &end, 10);
            if (end && !*end && timeout_s > 0)
                continue;
            err_set(&e, ERR_INVALID, "--timeout: a number of seconds, not '%s'", optarg);
        } else if (rc == 0) {
            err_set(&e, ERR_INVALID, "unknown or incomplete option '%s'", argv[optind - 1]);
        }
        fprintf(stderr, "pheedsync sync: %s\n\n%s", e.msg, usage_text);
        return EXIT_USAGE;
    }
    if (optind < argc) {
        fprintf(stderr, "pheedsync sync: unexpected argument '%s'\n\n%s", argv[optind], usage_text);
        return EXIT_USAGE;
    }
    app_ctx a;
    int code;
    if (app_open(&a, &ao, &e) != 0) {
        app_fail(&a, &e);
        code = EXIT_USAGE;
    } else {
        po.deadline_ms = clock_mono_ms(a.clock) + timeout_s * 1000;
        code = run(&a, &po);
    }
    app_close(&a);
    return code;
}
