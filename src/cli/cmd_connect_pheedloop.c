/* cmd_connect_pheedloop.c: `pheedsync connect pheedloop`: checks the organization code, API
 * key and secret with validateauth/, lists the events they can see, and stores them sealed so
 * that the daemon runs without them in the configuration file. */
#include "cli/commands.h"
#include "ghl/ghl_setup.h"
#include "pheedloop/pl_creds.h"
#include "util/log.h"

#include <getopt.h>
#include <unistd.h>

extern char **environ;

static const char usage_text[] =
    "usage: pheedsync connect pheedloop [--config FILE] [--no-store]\n"
    "\n"
    "Checks the PheedLoop organization code, API key and secret (Dashboard > Settings >\n"
    "Integrations > Rest API), lists the events they can see, and stores them sealed in the\n"
    "store, so that api_key and api_secret can leave the configuration file.\n"
    "Pass them in the configuration or, better, in the environment:\n"
    "  PHEEDSYNC_PHEEDLOOP_ORG_CODE, PHEEDSYNC_PHEEDLOOP_API_KEY, PHEEDSYNC_PHEEDLOOP_API_SECRET\n"
    "The sealing key comes from PHEEDSYNC_SEAL_KEY, else from [store] key_file, else from\n"
    "pheedsync.key beside an SQLite store (created on first use, mode 600).\n"
    "\n"
    "options:\n"
    "  --config FILE   configuration file (default ./pheedsync.conf, then /etc/pheedsync.conf)\n"
    "  --no-store      check and list only; store nothing\n"
    "  -h, --help      this text\n";

enum { OPT_CONFIG = 256, OPT_NO_STORE };

static const struct option long_options[] = {
    {"config", required_argument, NULL, OPT_CONFIG},
    {"no-store", no_argument, NULL, OPT_NO_STORE},
    {"help", no_argument, NULL, 'h'},
    {NULL, 0, NULL, 0},
};

/* The configuration named, or the first default that exists, or none (environment only). */
static int load_config(config **out, const char *path, err *e)
{
    static const char *const defaults[] = {"pheedsync.conf", "/etc/pheedsync.conf"};
    if (path)
        return config_load_file(out, path, environ, e);
    for (size_t i = 0; i < PS_ARRAY_LEN(defaults); i++)
        if (access(defaults[i], F_OK) == 0)
            return config_load_file(out, defaults[i], environ, e);
    return config_load_string(out, "", 0, "(environment)", environ, e);
}

/* PHEEDSYNC_SEAL_KEY, else the key file every command shares (see ghl_setup_key_path). */
static int load_seal_key(crypto_key **out, const config *cfg, err *e)
{
    buf path;
    buf_init(&path, 4096);
    int rc = ghl_setup_key_path(&path, cfg, e);
    if (rc == 0)
        rc = crypto_key_load(out, buf_cstr(&path), e);
    buf_free(&path);
    return rc;
}

/* Prints the events the key can see, marking the configured ones; warns about configured
 * events it cannot see. Returns the number seen, or a negative ERR_*. */
static int list_events(pl_client *c, const config *cfg, err *e)
{
    const char *const *wanted = NULL;
    size_t n_wanted = config_list(cfg, "pheedloop", "events", &wanted);
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
            printf("warning: [pheedloop] events names %s, which this key cannot see\n", wanted[i]);
    free(found);
    return rc < 0 ? rc : n;
}

static int store_creds(const config *cfg, pl_client *c, err *e)
{
    const config_section *s = config_section_get(cfg, "pheedloop");
    const char *url = config_str(cfg, "store", "url");
    crypto_key *key = NULL;
    store *st = NULL;
    int rc = load_seal_key(&key, cfg, e);
    if (rc == 0)
        rc = store_open(&st, url, NULL, e);
    if (rc == 0)
        rc = pl_creds_save(st, key, pl_client_org(c), config_sec_str(s, "api_key"),
                           config_sec_str(s, "api_secret"), e);
    store_close(st);
    crypto_key_free(key);
    if (rc == 0)
        printf("Credentials sealed and stored in %s (service %s). api_key and api_secret may "
               "now leave the configuration file.\n",
               url, PL_CREDS_SERVICE);
    return rc;
}

/* The exit code for a failed check: the user's answer to fix, or a runtime failure. */
static int exit_for(int rc)
{
    return rc == ERR_AUTH || rc == ERR_NOT_FOUND   ? EXIT_CHECK
           : rc == ERR_CONFIG || rc == ERR_INVALID ? EXIT_USAGE
                                                   : EXIT_RUNTIME;
}

static int run(const config *cfg, bool store_it)
{
    err e = {0};
    pl_client *c = NULL;
    int rc = pl_client_from_config(&c, cfg, NULL, &e);
    if (rc < 0) {
        fprintf(stderr, "pheedsync connect pheedloop: %s\n", e.msg);
        return EXIT_USAGE;
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
        rc = list_events(c, cfg, &e);
        if (rc < 0)
            fprintf(stderr, "pheedsync connect pheedloop: listing events: %s\n", e.msg);
    }
    if (rc >= 0 && store_it && (rc = store_creds(cfg, c, &e)) < 0)
        fprintf(stderr, "pheedsync connect pheedloop: storing the credentials: %s\n", e.msg);
    pl_client_free(c);
    return rc < 0 ? exit_for(rc) : EXIT_OK;
}

int cmd_connect_pheedloop(int argc, char **argv)
{
    const char *config_path = NULL;
    bool store_it = true;
    int opt;
    optind = 1;
    opterr = 0;
    while ((opt = getopt_long(argc, argv, ":h", long_options, NULL)) != -1) {
        switch (opt) {
        case OPT_CONFIG:
            config_path = optarg;
            break;
        case OPT_NO_STORE:
            store_it = false;
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
    config *cfg = NULL;
    err e = {0};
    if (load_config(&cfg, config_path, &e) < 0) {
        fprintf(stderr, "pheedsync connect pheedloop: %s\n", e.msg);
        return EXIT_USAGE;
    }
    log_setup(LOG_WARN, LOG_TEXT, stderr);
    int code = run(cfg, store_it);
    config_free(cfg);
    return code;
}
