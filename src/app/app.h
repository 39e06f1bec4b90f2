/* app.h: what every command shares: the common options (--config, --log-level, --json), the
 * configuration, the logger, and the services a command needs (store, sealing key, HTTP client,
 * HighLevel token manager and client, PheedLoop client), each opened only when asked for and
 * all closed in reverse order by app_close. The sync engine is filled from it (app_engine). */
#ifndef PHEEDSYNC_APP_H
#define PHEEDSYNC_APP_H

#include "crypto/seal.h"
#include "engine/engine.h"
#include "ghl/ghl_setup.h"
#include "util/log.h"

#include <getopt.h>

/* ---------------------------------------------------------------- common options */

/* getopt_long values of the common options; a command's own start at 256. */
enum { APP_OPT_CONFIG = 1000, APP_OPT_LOG_LEVEL, APP_OPT_JSON };

/* The entries of the common options, for a command's struct option table. */
/* clang-format off */
#define APP_LONG_OPTIONS \
    {"config", required_argument, NULL, APP_OPT_CONFIG}, \
    {"log-level", required_argument, NULL, APP_OPT_LOG_LEVEL}
#define APP_LONG_OPTION_JSON {"json", no_argument, NULL, APP_OPT_JSON}
/* clang-format on */

/* Lines for a command's usage text. */
#define APP_USAGE_OPTIONS                                                                          \
    "  --config FILE     configuration file (default ./pheedsync.conf, then\n"                     \
    "                    /etc/pheedsync.conf)\n"                                                   \
    "  --log-level LEVEL debug, info, warn, error or off (default [log] level, else warn)\n"
#define APP_USAGE_JSON "  --json            machine-readable output\n"

/* Where the services come from. */
typedef struct app_options {
    const char *command;     /* "check": prefixes messages ("pheedsync check: ...") */
    const char *config_path; /* --config; NULL: ./pheedsync.conf, then /etc/pheedsync.conf */
    const char *log_level;   /* --log-level; NULL: [log] level when set, else log_default */
    const char *log_default; /* NULL: "warn" (a command's own output is what matters); the
                                daemon passes "info" */
    bool json;               /* --json */
    char *const *envp;       /* the environment the configuration reads; NULL: environ */
    const http_client_config *http_config; /* the shared HTTP client's; NULL: defaults */
    clock_source *clock;                   /* NULL: the system clock */
} app_options;

/* Handles one of the common options seen by getopt_long: 1 when opt was one (taken into o),
 * 0 when it is not, ERR_INVALID (message names the option) for a bad value. */
int app_option(app_options *o, int opt, const char *arg, err *e);

/* ---------------------------------------------------------------- the context */

/* What a command needs opened; each implies what it stands on. */
enum {
    APP_STORE = 1 << 0, /* [store] url */
    APP_KEY = 1 << 1,   /* the sealing key (PHEEDSYNC_SEAL_KEY or the key file) */
    APP_HTTP = 1 << 2,  /* the one HTTP client both services share */
    APP_GHL = 1 << 3,   /* the HighLevel token manager and client */
    APP_PL = 1 << 4,    /* the PheedLoop client (credentials from the store when the
                           configuration lacks them) */
};

/* One link of the configuration (engine.h): the default one of [ghl] location_id and
 * [pheedloop] org_code and events (present when either is set, or when there is no [link]),
 * then each [link "NAME"] in file order. */
typedef struct app_link {
    engine_link_cfg cfg;       /* .name "" for the default link; strings live in the config */
    const config_section *sec; /* its [link "NAME"]; NULL for the default link */
    ghl_client *ghl; /* with APP_GHL: the client of its location (the shared one unless the
                        link signs in with a token of its own) */
    pl_client *pl;   /* with APP_PL: its organization's (shared by the links of one
                        organization and credentials) */
    /* What this link owns, closed with it. */
    const char **events;
    ghl_setup own_setup;
    ghl_client *own_ghl;
    pl_client *own_pl;
    bool own_pl_creds; /* its api_key and secret are its own (in [link], or stored for it) */
} app_link;

typedef struct app_budget app_budget;

typedef struct app_ctx {
    const char *command;
    bool json;
    config *cfg;
    char *config_path; /* the file read */
    clock_source *clock;
    store *store;
    crypto_key *key;
    http_client *http;
    ghl_setup ghl_setup; /* .tokens set once APP_GHL is open */
    breaker *ghl_breaker;
    ghl_client *ghl;
    pl_client *pl;
    unsigned open;       /* APP_* opened so far */
    char owner[128];     /* "host:pid": this process in leases */
    const char **events; /* [pheedloop] events, NULL-terminated */
    const http_client_config *http_config;
    app_link *links; /* every link of the configuration (at least one) */
    size_t n_links;
    bool pl_borrowed; /* pl is the first link's (there is no default link), not owned */
    app_budget *budget; /* rate budgets shared with other processes (PostgreSQL stores) */
} app_ctx;

/* Reads the configuration and sets up the logger. Errors (ERR_CONFIG, ERR_IO) say which file,
 * line and key, or that there is no configuration at all. a is usable (app_close) either way. */
int app_open(app_ctx *a, const app_options *o, err *e);
/* Opens what needs names (APP_* bits) and is not open yet. Errors name the configuration key or
 * the command to run; what opened before stays open. */
int app_require(app_ctx *a, unsigned needs, err *e);
void app_close(app_ctx *a);

/* The configuration: path, else ./pheedsync.conf, else /etc/pheedsync.conf, else ERR_CONFIG
 * "no configuration: ...". *out_path gets the file read (malloc'd). */
int app_load_config(config **out, char **out_path, const char *path, char *const *envp, err *e);

/* The sealing key's file: [store] key_file, else pheedsync.key beside the SQLite database (or in
 * the working directory for other stores). */
int app_key_path(buf *out, const config *cfg, err *e);

/* The log's settings: level from the option, else [log] level when set, else fallback; format
 * from [log] format, auto meaning text when out is a terminal. */
int app_log_settings(log_level *out_level, log_format *out_format, const config *cfg,
                     const char *option_level, log_level fallback, FILE *out, err *e);

/* The engine's context from an app holding APP_STORE | APP_GHL | APP_PL: the first link's. */
void app_engine(engine *out, app_ctx *a);

/* ---------------------------------------------------------------- links */

/* The links of cfg, checked: a [link] name is letters, digits, '-', '_' and '.' (not
 * "default"); a location, or an organization's event, is in one link only; a link's token needs
 * [ghl] auth = token. ERR_CONFIG names the file, line and key. Strings point into cfg. */
int app_links_read(app_link **out, size_t *out_n, const config *cfg, err *e);
void app_links_free(app_link *links, size_t n);
/* The link named name ("default" or "" the default link); ERR_CONFIG lists the names. */
int app_link_find(size_t *out, const app_ctx *a, const char *name, err *e);
/* The engine of link i (as app_engine); with several links a's store handle is bound to it
 * (store_bind_link), so that its claims take only that link's work. */
void app_link_engine(engine *out, app_ctx *a, size_t i);
/* The store account of a link's own PheedLoop credentials: "default" or "link:NAME". */
void app_link_pl_account(char *out, size_t size, const app_link *l);
/* "[ghl]"/"[pheedloop]" for the default link, else "[link \"NAME\"]", for messages. */
const char *app_link_section(const app_link *l, bool ghl);

/* The exit code for a failure: ERR_CONFIG and ERR_INVALID are the user's to fix (2), the rest
 * runtime (3). */
int app_exit_code(int rc);
/* Prints "pheedsync COMMAND: message" on stderr. */
void app_fail(const app_ctx *a, const err *e);

#endif
