/* app.c: the context every command shares: options, configuration, logger, and the services
 * opened on demand in dependency order. */
#include "app/app.h"
#include "cli/commands.h"
#include "pheedloop/pl_creds.h"

#include <unistd.h>

extern char **environ;

int app_option(app_options *o, int opt, const char *arg, err *e)
{
    switch (opt) {
    case APP_OPT_CONFIG:
        if (!arg || !*arg)
            return err_set(e, ERR_INVALID, "--config needs a file name");
        o->config_path = arg;
        return 1;
    case APP_OPT_LOG_LEVEL:
        if (!arg || log_level_parse(arg) < 0)
            return err_set(e, ERR_INVALID, "--log-level '%s': use debug, info, warn, error or off",
                           arg ? arg : "");
        o->log_level = arg;
        return 1;
    case APP_OPT_JSON:
        o->json = true;
        return 1;
    default:
        return 0;
    }
}

/* ---------------------------------------------------------------- configuration and log */

int app_load_config(config **out, char **out_path, const char *path, char *const *envp, err *e)
{
    static const char *const defaults[] = {"pheedsync.conf", "/etc/pheedsync.conf"};
    const char *chosen = path;
    for (size_t i = 0; !chosen && i < PS_ARRAY_LEN(defaults); i++)
        if (access(defaults[i], F_OK) == 0)
            chosen = defaults[i];
    if (!chosen)
        return err_set(e, ERR_CONFIG,
                       "no configuration: write one with `pheedsync init` or pass --config FILE");
    char *copy = strdup(chosen);
    if (!copy)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = config_load_file(out, chosen, envp ? envp : environ, e);
    if (rc != 0) {
        free(copy);
        return rc;
    }
    *out_path = copy;
    return 0;
}

int app_log_settings(log_level *out_level, log_format *out_format, const config *cfg,
                     const char *option_level, log_level fallback, FILE *out, err *e)
{
    const config_section *s = config_section_get(cfg, "log");
    int level = fallback;
    if (option_level)
        level = log_level_parse(option_level);
    else if (config_sec_is_set(s, "level"))
        level = log_level_parse(config_sec_str(s, "level"));
    if (level < 0)
        return err_set(e, ERR_INVALID, "unknown log level '%s'",
                       option_level ? option_level : config_sec_str(s, "level"));
    const char *fmt = config_sec_str(s, "format");
    log_format f = LOG_JSON;
    if (fmt && !strcmp(fmt, "text"))
        f = LOG_TEXT;
    else if (!fmt || !strcmp(fmt, "auto"))
        f = out && isatty(fileno(out)) ? LOG_TEXT : LOG_JSON;
    *out_level = (log_level)level;
    *out_format = f;
    return 0;
}

/* [pheedloop] events as a NULL-terminated array (the engine's link takes it so). */
static int copy_events(app_ctx *a, err *e)
{
    const char *const *items = NULL;
    size_t n = config_list(a->cfg, "pheedloop", "events", &items);
    a->events = calloc(n + 1, sizeof *a->events);
    if (!a->events)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        a->events[i] = items[i];
    return 0;
}

int app_open(app_ctx *a, const app_options *o, err *e)
{
    memset(a, 0, sizeof *a);
    a->command = o->command ? o->command : "";
    a->json = o->json;
    a->clock = o->clock ? o->clock : clock_system();
    a->http_config = o->http_config;
    char host[64] = "localhost";
    if (gethostname(host, sizeof host) != 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    snprintf(a->owner, sizeof a->owner, "%s:%ld", host, (long)getpid());
    int rc = app_load_config(&a->cfg, &a->config_path, o->config_path, o->envp, e);
    log_level level = LOG_WARN;
    log_format format = LOG_JSON;
    int fallback = log_level_parse(o->log_default ? o->log_default : "warn");
    if (rc == 0)
        rc = app_log_settings(&level, &format, a->cfg, o->log_level,
                              fallback < 0 ? LOG_WARN : (log_level)fallback, stderr, e);
    if (rc == 0) {
        log_setup(level, format, stderr);
        rc = copy_events(a, e);
    }
    return rc;
}

/* ---------------------------------------------------------------- services */

int app_key_path(buf *out, const config *cfg, err *e)
{
    const char *kf = config_str(cfg, "store", "key_file");
    if (kf && *kf)
        return buf_addstr(out, kf) ? err_set(e, ERR_LIMIT, "[store] key_file: path too long") : 0;
    const char *url = config_str(cfg, "store", "url");
    const char *path = url && strncmp(url, "sqlite:", 7) == 0 ? url + 7 : NULL;
    const char *slash = path ? strrchr(path, '/') : NULL;
    int rc = slash ? buf_addf(out, "%.*s/pheedsync.key", (int)(slash - path), path)
                   : buf_addstr(out, "pheedsync.key");
    return rc ? err_set(e, ERR_LIMIT, "key file path too long") : 0;
}

static int open_store(app_ctx *a, err *e)
{
    const char *url = config_str(a->cfg, "store", "url");
    int rc = store_open(&a->store, url, a->clock, e);
    return rc ? err_wrap(e, "[store] url %s: ", url) : 0;
}

static int open_key(app_ctx *a, err *e)
{
    buf path;
    buf_init(&path, 4096);
    int rc = app_key_path(&path, a->cfg, e);
    if (rc == 0)
        rc = crypto_key_load(&a->key, buf_cstr(&path), e);
    buf_free(&path);
    return rc;
}

/* The location's budget: HighLevel's limits, learned from the headers, with [sync]
 * budget_reserve of the day kept for the user's other tools. */
static governor_config ghl_budget(const config *cfg)
{
    governor_config g = {
        .max_per_interval = 100,
        .interval_ms = 10000,
        .daily_limit = 200000,
        .learn_from_headers = true,
    };
    g.daily_reserve = g.daily_limit * config_int(cfg, "sync", "budget_reserve") / 100;
    return g;
}

static int open_ghl(app_ctx *a, err *e)
{
    int rc = ghl_setup_open(&a->ghl_setup, a->cfg, a->http, a->key, e);
    if (rc == 0)
        rc = breaker_new(&a->ghl_breaker, "ghl", NULL, a->clock, e);
    if (rc != 0)
        return rc;
    ghl_client_config cc = {
        .base_url = a->ghl_setup.base_url,
        .http = a->http,
        .tokens = a->ghl_setup.tokens,
        .brk = a->ghl_breaker,
        .gov = ghl_budget(a->cfg),
        .clock = a->clock,
    };
    return ghl_client_new(&a->ghl, &cc, e);
}

/* Whether [pheedloop] alone holds the credentials (else the stored ones complete them). */
static bool pl_configured(const config *cfg)
{
    static const char *const keys[] = {"org_code", "api_key", "api_secret"};
    for (size_t i = 0; i < PS_ARRAY_LEN(keys); i++) {
        const char *v = config_str(cfg, "pheedloop", keys[i]);
        if (!v || !*v)
            return false;
    }
    return true;
}

/* What each need stands on. */
static unsigned closure(const app_ctx *a, unsigned needs)
{
    if (needs & APP_GHL) {
        needs |= APP_HTTP;
        if (config_int(a->cfg, "ghl", "auth") == 0) /* oauth: tokens sealed in the store */
            needs |= APP_KEY;
    }
    if (needs & APP_PL) {
        needs |= APP_HTTP;
        if (!pl_configured(a->cfg))
            needs |= APP_STORE | APP_KEY;
    }
    return needs;
}

int app_require(app_ctx *a, unsigned needs, err *e)
{
    if (!a->cfg)
        return err_set(e, ERR_BAD_STATE, "no configuration loaded");
    needs = closure(a, needs) & ~a->open;
    int rc = 0;
    if (!rc && (needs & APP_STORE) && (rc = open_store(a, e)) == 0)
        a->open |= APP_STORE;
    if (!rc && (needs & APP_KEY) && (rc = open_key(a, e)) == 0)
        a->open |= APP_KEY;
    if (!rc && (needs & APP_HTTP) && (rc = http_client_new(&a->http, a->http_config, e)) == 0)
        a->open |= APP_HTTP;
    if (!rc && (needs & APP_GHL)) {
        rc = open_ghl(a, e);
        if (rc == 0) {
            a->open |= APP_GHL;
        } else {
            ghl_client_free(a->ghl);
            breaker_free(a->ghl_breaker);
            ghl_setup_close(&a->ghl_setup);
            a->ghl = NULL;
            a->ghl_breaker = NULL;
        }
    }
    if (!rc && (needs & APP_PL) &&
        (rc = pl_client_from_config_and_store(&a->pl, a->cfg, a->store, a->key, a->http, e)) == 0)
        a->open |= APP_PL;
    return rc;
}

void app_close(app_ctx *a)
{
    if (!a)
        return;
    pl_client_free(a->pl);
    ghl_client_free(a->ghl);
    breaker_free(a->ghl_breaker);
    ghl_setup_close(&a->ghl_setup);
    http_client_free(a->http);
    crypto_key_free(a->key);
    store_close(a->store);
    config_free(a->cfg);
    free(a->config_path);
    free(a->events);
    memset(a, 0, sizeof *a);
}

void app_engine(engine *out, app_ctx *a)
{
    memset(out, 0, sizeof *out);
    out->cfg = a->cfg;
    out->store = a->store;
    out->ghl = a->ghl;
    out->pl = a->pl;
    out->clock = a->clock;
    out->owner = a->owner;
    out->link.location_id = a->cfg ? config_str(a->cfg, "ghl", "location_id") : NULL;
    out->link.org_code = a->pl ? pl_client_org(a->pl) : NULL;
    out->link.events = a->events;
}

/* ---------------------------------------------------------------- reporting */

int app_exit_code(int rc)
{
    return rc == ERR_CONFIG || rc == ERR_INVALID ? EXIT_USAGE : EXIT_RUNTIME;
}

void app_fail(const app_ctx *a, const err *e)
{
    fprintf(stderr, "pheedsync %s: %s\n", a && a->command ? a->command : "", e->msg);
}
