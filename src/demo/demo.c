/* demo.c: `pheedsync demo` from start to summary: each step with its tick, the addresses to
 * open, then live edits at a steady pace with their outcomes until stopped. */
#include "demo/demo_int.h"
#include "cli/commands.h"
#include "util/jsonx.h"

#include <stdarg.h>
#include <unistd.h>

void demo_step(demo *d, bool ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->out, "  %s ", ok ? "✓" : "✗");
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    va_end(ap);
    fflush(d->out);
}

void demo_line(demo *d, const char *fmt, ...)
{
    if (d->opt.quiet)
        return;
    time_t now = time(NULL);
    struct tm tm;
    char stamp[16] = "";
    if (localtime_r(&now, &tm))
        strftime(stamp, sizeof stamp, "%H:%M:%S", &tm);
    va_list ap;
    va_start(ap, fmt);
    fprintf(d->out, "%s  ", stamp);
    vfprintf(d->out, fmt, ap);
    fputc('\n', d->out);
    va_end(ap);
    fflush(d->out);
}

void demo_event(demo *d, const char *side, const char *action, const char *fmt, ...)
{
    char what[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof what, fmt, ap);
    va_end(ap);
    /* Padded by characters, not bytes: the arrows are three bytes wide in UTF-8. */
    size_t chars = 0;
    for (const char *c = action; *c; c++)
        chars += ((unsigned char)*c & 0xC0) != 0x80;
    int pad = chars < 14 ? (int)(14 - chars) : 0;
    demo_line(d, "%-9s  %s%*s %s", side, action, pad, "", what);
}

bool demo_stopping(const sigset_t *stop)
{
    sigset_t pending;
    if (sigpending(&pending) != 0)
        return false;
    return sigismember(&pending, SIGINT) == 1 || sigismember(&pending, SIGTERM) == 1;
}

/* ---------------------------------------------------------------- the steps */

static void show_sandbox(demo *d)
{
    json_t *info = sbx_sandbox_info(d->sbx);
    const json_t *seeded = json_object_get(info, "seeded");
    demo_step(d, true,
              "sandbox started: %zu people generated, %lld on both sides (PheedLoop spelling "
              "them differently), %lld only in HighLevel, %lld only in PheedLoop",
              d->opt.people, (long long)jsonx_int(seeded, "on_both_sides", 0),
              (long long)jsonx_int(seeded, "only_highlevel", 0),
              (long long)jsonx_int(seeded, "only_pheedloop", 0));
    fprintf(d->out, "      HighLevel emulator  %s (location %s)\n", d->ghl_base, d->location);
    fprintf(d->out, "      PheedLoop emulator  %s (organization %s, events", d->pl_base, d->org);
    size_t i;
    const json_t *ev;
    json_array_foreach(d->events, i, ev) fprintf(d->out, " %s", jsonx_str(ev, "code"));
    fprintf(d->out, ")\n      sandbox admin API   /_sandbox/ on both, header X-Sandbox-Token: %s\n",
            d->sbx_token);
    json_decref(info);
}

static void show_addresses(demo *d)
{
    fprintf(d->out,
            "\n  Status page   http://127.0.0.1:%u/   (admin token for its actions: %s)\n"
            "  Metrics       http://127.0.0.1:%u/metrics\n"
            "  From another terminal: pheedsync status --config %s\n\n",
            (unsigned)d->port, d->page_token, (unsigned)d->port, d->conf_path);
    fflush(d->out);
}

/* Runs the steps before the live edits; false (with e) on the first failure. */
static bool set_up(demo *d, const sigset_t *stop, err *e)
{
    if (demo_prepare(d, e) != 0 || demo_start_sandbox(d, e) != 0)
        return false;
    show_sandbox(d);
    if (demo_write_config(d, e) != 0)
        return false;
    demo_step(d, true, "configuration written: %s (store and key beside it)", d->conf_path);
    if (demo_connect(d, e) != 0)
        return false;
    demo_step(d, true,
              "HighLevel connected through OAuth: authorize page, redirect, code "
              "exchange; tokens sealed in the store");
    if (demo_initial_sync(d, stop, e) != 0 || demo_stopping(stop))
        return false;
    if (demo_start_daemon(d, e) != 0)
        return false;
    demo_step(d, true,
              "daemon started on 127.0.0.1:%u: webhook endpoints, planner, 2 workers, pollers "
              "every %d s (for what webhooks miss), reconcile",
              (unsigned)d->port, DEMO_POLL_INTERVAL_S);
    if (demo_register_webhooks(d, e) != 0)
        return false;
    demo_step(d, true,
              "webhooks registered: HighLevel and PheedLoop (REST hooks for every event) "
              "deliver to the daemon, signed");
    return demo_load_people(d, e) == 0;
}

/* Edits at opt.edit_interval_ms until stopped or the duration ends; returns its length. */
static int64_t live(demo *d, const sigset_t *stop)
{
    int64_t start = clock_mono_ms(clock_system()), next = start;
    int64_t end = d->opt.duration_s ? start + d->opt.duration_s * 1000 : 0;
    if (!d->opt.quiet)
        fprintf(d->out, "Live edits every %.1f s%s; their sync outcomes follow as they land:\n",
                (double)d->opt.edit_interval_ms / 1000.0, end ? "" : " until Ctrl-C");
    for (;;) {
        int64_t now = clock_mono_ms(clock_system());
        if (end && now >= end)
            break;
        if (now >= next) {
            demo_edit(d);
            next += d->opt.edit_interval_ms;
            if (next < now)
                next = now + d->opt.edit_interval_ms;
        }
        demo_watch_poll(d);
        int64_t wait = PS_MIN(200, PS_MAX(1, next - clock_mono_ms(clock_system())));
        struct timespec ts = {wait / 1000, (long)(wait % 1000) * 1000000L};
        if (sigtimedwait(stop, NULL, &ts) > 0)
            break;
    }
    return clock_mono_ms(clock_system()) - start;
}

int demo_run(const demo_options *o, const sigset_t *stop, FILE *out)
{
    demo *d = calloc(1, sizeof *d);
    if (!d)
        return EXIT_RUNTIME;
    d->opt = *o;
    d->out = out;
    d->tty = isatty(fileno(out));
    rng_seed(&d->rng, o->seed ^ 0x64656d6fULL);
    fprintf(out, "pheedsync demo: HighLevel and PheedLoop emulated on this machine, kept in sync "
                 "by pheedsync. No account or configuration needed.\n\n");
    err e = {0};
    int code = EXIT_OK;
    if (!set_up(d, stop, &e)) {
        if (demo_stopping(stop)) {
            fprintf(out, "\nStopped before the live edits.\n");
        } else {
            demo_step(d, false, "%s", e.msg);
            code = e.code == ERR_INVALID || e.code == ERR_CONFIG ? EXIT_USAGE : EXIT_RUNTIME;
        }
    } else {
        show_addresses(d);
        int64_t live_ms = live(d, stop);
        if (!d->opt.quiet)
            fprintf(out, "\nStopping: waiting for the last changes to land...\n");
        bool drained = demo_drain(d, stop, 20000);
        demo_summary(d, live_ms);
        if (!drained)
            fprintf(out, "(stopped before everything queued was applied: it stays queued in the "
                         "store)\n");
    }
    demo_teardown(d);
    free(d);
    return code;
}
