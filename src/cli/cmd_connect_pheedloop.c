/* cmd_connect_pheedloop.c: `pheedsync connect pheedloop`: checks the organization code, API
 * key and secret with validateauth/, lists the events they can see, and stores them sealed so
 * that the daemon runs without them in the configuration file. */
#include "app/app.h"
#include "cli/commands.h"
#include "pheedloop/pl_creds.h"

static const char usage_text[] =
    "usage: pheedsync connect pheedloop [OPTIONS]\n"
    "\n"
    "Checks the PheedLoop organization code, API key and secret (Dashboard > Settings >\n"
    "Integrations > Rest API), lists the events they can see, and stores them sealed in the\n"
    "store, so that api_key and api_secret can leave the configuration file.\n"
    "Pass them in the configuration or, better, in the environment:\n"
    "  PHEEDSYNC_PHEEDLOOP_ORG_CODE, PHEEDSYNC_PHEEDLOOP_API_KEY, PHEEDSYNC_PHEEDLOOP_API_SECRET\n"
    "The sealing key comes from PHEEDSYNC_SEAL_KEY, else from [store] key_file, else from\n"
    "pheedsync.key beside an SQLite store (created on first use, mode 600).\n"
    "With --link NAME, the organization of [link \"NAME\"] and its api_key and api_secret\n"
    "(else [pheedloop]'s), stored for that link only.\n"
    "\n"
    "options:\n" APP_USAGE_OPTIONS "  --no-store        check and list only; store nothing\n"
    "  --link NAME       the [link \"NAME\"] to connect\n"
    "  -h, --help        this text\n";

enum { OPT_NO_STORE = 256, OPT_LINK };

static const struct option long_options[] = {
    APP_LONG_OPTIONS,
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"link", required_argument, NULL, OPT_LINK},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* Prints the events the key can see, marking the configured ones; warns about configured
 * events it cannot see. Returns the number seen, or a negative ERR_*. */
static int list_events(pl_client *c, const app_link *l, err *e)
{
    const char *const *wanted = l->cfg.events;
    size_t n_wanted = 0;
    while (wanted[n_wanted])
        n_wanted++;
    bool *found = calloc(n_wanted + 1, sizeof *found);
    pl_iter *it = NULL;
    int rc = found ? pl_client_events(&it, c, GOVERNOR_LANE_LIVE, e)
                   : err_set(e, ERR_NOMEM, "out of memory");
    int n = 0;
    pl_event_rec ev;
    printf("Events this key can see:\n");
    while (rc == 0 && (rc = pl_iter_next_event(&ev, it, e)) == 1) {
        rc = 0;
        bool synced = false;
        for (size_t i = 0; i < n_wanted; i++)
            if (strcmp(wanted[i], ev.code) == 0)
                synced = found[i] = true;
        printf("  %-16s %-40s %s%s\n", ev.code, ev.name ? ev.name : "", ev.date ? ev.date : "",
               synced ? "  (synced)" : "");
        n++;
        pl_event_rec_free(&ev);
    }
    pl_iter_free(it);
    if (rc == 0 && n == 0)
        printf("  (none)\n");
    for (size_t i = 0; rc == 0 && i < n_wanted; i++)
        if (!found[i])
            printf("warning: %s events names %s, which this key cannot see\n",
                   app_link_section(l, false), wanted[i]);
    free(found);
    return rc < 0 ? rc : n;
}

/* A link's key or secret: its own, else [pheedloop]'s. */
static const char *link_value(const app_ctx *a, const app_link *l, const char *key)
{
    const char *v = l->sec ? config_sec_str(l->sec, key) : NULL;
    return v && *v ? v : config_str(a->cfg, "pheedloop", key);
}

static int store_creds(app_ctx *a, const app_link *l, pl_client *c, err *e)
{
    char account[STORE_LINK_MAX + 16];
    app_link_pl_account(account, sizeof account, l);
    int rc = app_require(a, APP_STORE | APP_KEY, e);
    if (rc == 0)
        rc = pl_creds_save_account(a->store, a->key, account, pl_client_org(c),
                                   link_value(a, l, "api_key"), link_value(a, l, "api_secret"), e);
    if (rc == 0)
        printf("Credentials sealed and stored in %s (service %s, account %s). api_key and "
               "api_secret may now leave the configuration file.\n",
               config_str(a->cfg, "store", "url"), PL_CREDS_SERVICE, account);
    return rc;
}

/* The client of what the configuration says for link l (never the stored credentials: those
 * are what is replaced). */
static int client_of(pl_client **out, app_ctx *a, const app_link *l, err *e)
{
    if (!l->sec)
        return pl_client_from_config(out, a->cfg, a->http, e);
    const config_section *pl = config_section_get(a->cfg, "pheedloop");
    pl_client_config pc = {.base_url = config_sec_str(pl, "base_url"),
                           .org_code = l->cfg.org_code,
                           .api_key = link_value(a, l, "api_key"),
                           .api_secret = link_value(a, l, "api_secret"),
                           .rate_per_minute = config_sec_int(pl, "rate_limit"),
                           .http = a->http};
    if (!pc.api_key || !*pc.api_key || !pc.api_secret || !*pc.api_secret)
        return err_set(e, ERR_CONFIG,
                       "%s: set api_key and api_secret there (or in [pheedloop]) to connect it",
                       config_sec_label(l->sec));
    return pl_client_new(out, &pc, e);
}

/* The exit code for a failed check: the user's answer to fix, or a runtime failure. */
static int exit_for(int rc)
{
    return rc == ERR_AUTH || rc == ERR_NOT_FOUND   ? EXIT_CHECK
           : rc == ERR_CONFIG || rc == ERR_INVALID ? EXIT_USAGE
                                                   : EXIT_RUNTIME;
}

static int run(app_ctx *a, const char *link, bool store_it)
{
    err e = {0};
    pl_client *c = NULL;
    size_t li = 0;
    int rc = app_link_find(&li, a, link, &e);
    const app_link *l = &a->links[li];
    if (rc == 0)
        rc = app_require(a, APP_HTTP, &e);
    if (rc == 0)
        rc = client_of(&c, a, l, &e);
    if (rc < 0) {
        app_fail(a, &e);
        return app_exit_code(rc);
    }
    rc = pl_client_validate_auth(NULL, c, NULL, &e);
    if (rc == ERR_AUTH)
        fprintf(stderr,
                "PheedLoop refused the API key and secret: copy both again from "
                "Dashboard > Settings > Integrations > Rest API (%s)\n",
                e.msg);
    else if (rc == ERR_NOT_FOUND)
        fprintf(stderr, "PheedLoop knows no organization %s: check [pheedloop] org_code (%s)\n",
                pl_client_org(c), e.msg);
    else if (rc < 0)
        fprintf(stderr, "pheedsync connect pheedloop: %s\n", e.msg);
    if (rc == 0) {
        printf("PheedLoop organization %s: API key and secret accepted.\n", pl_client_org(c));
        rc = list_events(c, l, &e);
        if (rc < 0)
            fprintf(stderr, "pheedsync connect pheedloop: listing events: %s\n", e.msg);
    }
    if (rc >= 0 && store_it && (rc = store_creds(a, l, c, &e)) < 0)
        fprintf(stderr, "pheedsync connect pheedloop: storing the credentials: %s\n", e.msg);
    pl_client_free(c);
    return rc < 0 ? exit_for(rc) : EXIT_OK;
}

int cmd_connect_pheedloop(int argc, char **argv)
{
    app_options ao = {.command = "connect pheedloop"};
    bool store_it = true;
    const char *link = NULL;
    err e = {0};
    int opt, rc;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        if ((rc = app_option(&ao, opt, optarg, &e)) != 0) {
            if (rc < 0) {
                fprintf(stderr, "pheedsync connect pheedloop: %s\n\n%s", e.msg, usage_text);
                return EXIT_USAGE;
            }
            continue;
        }
        switch (opt) {
        case OPT_NO_STORE:
            store_it = false;
            break;
        case OPT_LINK:
            link = optarg;
            break;
        case 'h':
            fputs(usage_text, stdout);
            return EXIT_OK;
        default:
            fprintf(stderr, "pheedsync connect pheedloop: unknown or incomplete option '%s'\n\n%s",
                    argv[optind - 1], usage_text);
            return EXIT_USAGE;
        }
    }
    if (optind < argc) {
        fprintf(stderr, "pheedsync connect pheedloop: unexpected argument '%s'\n\n%s", argv[optind],
                usage_text);
        return EXIT_USAGE;
    }
    app_ctx a;
    int code = EXIT_USAGE;
    if (app_open(&a, &ao, &e) < 0)
        app_fail(&a, &e);
    else
        code = run(&a, link, store_it);
    app_close(&a);
    return code;
}
