/* app_links.c: the links of the configuration (a HighLevel location to PheedLoop events each),
 * read and checked once, and the engine of each. */
#include "app/app.h"

#include <ctype.h>

static int copy_list(const char ***out, const char *const *items, size_t n, err *e)
{
    const char **v = calloc(n + 1, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < n; i++)
        v[i] = items[i];
    *out = v;
    return 0;
}

void app_links_free(app_link *links, size_t n)
{
    for (size_t i = 0; links && i < n; i++)
        free(links[i].events);
    free(links);
}

const char *app_link_section(const app_link *l, bool ghl)
{
    if (l->sec)
        return config_sec_label(l->sec);
    return ghl ? "[ghl]" : "[pheedloop]";
}

static const config_section *section_of(const config *cfg, const app_link *l, bool ghl)
{
    return l->sec ? l->sec : config_section_get(cfg, ghl ? "ghl" : "pheedloop");
}

/* The name goes into lock, cursor and store account names, and on command lines. */
static int check_name(const config_section *sec, const char *name, err *e)
{
    char where[160];
    config_sec_where(sec, where, sizeof where);
    size_t n = strlen(name);
    bool ok = n > 0 && n <= STORE_LINK_MAX;
    for (size_t i = 0; ok && i < n; i++)
        ok = isalnum((unsigned char)name[i]) || strchr("-_.", name[i]);
    if (!ok)
        return err_set(e, ERR_CONFIG,
                       "%s: %s: a link's name is 1 to %d letters, digits, '-', '_' or '.'", where,
                       config_sec_label(sec), STORE_LINK_MAX);
    if (strcasecmp(name, "default") == 0)
        return err_set(e, ERR_CONFIG,
                       "%s: %s: \"default\" names the link of [ghl] and [pheedloop]; choose "
                       "another name",
                       where, config_sec_label(sec));
    return 0;
}

static int read_named(app_link *l, const config *cfg, size_t i, err *e)
{
    const char *name = NULL;
    const config_section *sec = config_named(cfg, "link", i, &name);
    int rc = check_name(sec, name, e);
    const char *const *items = NULL;
    size_t n = config_sec_list(sec, "events", &items);
    if (rc == 0)
        rc = copy_list(&l->events, items, n, e);
    if (rc != 0)
        return rc;
    l->sec = sec;
    l->cfg = (engine_link_cfg){.name = name,
                               .location_id = config_sec_str(sec, "location_id"),
                               .org_code = config_sec_str(sec, "org_code"),
                               .events = l->events};
    const char *token = config_sec_str(sec, "token");
    if (token && *token && config_int(cfg, "ghl", "auth") != 1) {
        char at[160];
        config_sec_origin(sec, "token", at, sizeof at);
        return err_set(e, ERR_CONFIG,
                       "%s: %s token: read only with [ghl] auth = token (with OAuth, run "
                       "`pheedsync connect ghl --link %s`); remove it",
                       at, config_sec_label(sec), name);
    }
    return 0;
}

static int dup_error(const config *cfg, const app_link *l, const app_link *first, bool ghl,
                     const char *what, err *e)
{
    const char *key = ghl ? "location_id" : "events";
    char here[160], there[160];
    config_sec_origin(section_of(cfg, l, ghl), key, here, sizeof here);
    config_sec_origin(section_of(cfg, first, ghl), key, there, sizeof there);
    return err_set(e, ERR_CONFIG,
                   "%s: %s %s: %s is also in %s %s (%s); %s belongs to one link: remove it from "
                   "one of them",
                   here, app_link_section(l, ghl), key, what, app_link_section(first, ghl), key,
                   there, ghl ? "a location" : "an organization's event");
}

static bool same(const char *a, const char *b)
{
    return a && b && *a && strcmp(a, b) == 0;
}

/* Event ev of link v[i] (at index j of its list) in an earlier place: a link before it, or
 * earlier in its own list. */
static const app_link *event_seen(const app_link *v, size_t i, size_t j)
{
    const char *ev = v[i].cfg.events[j];
    for (size_t k = 0; k <= i; k++) {
        if (!same(v[k].cfg.org_code, v[i].cfg.org_code))
            continue;
        for (size_t m = 0; v[k].cfg.events[m] && (k < i || m < j); m++)
            if (strcmp(v[k].cfg.events[m], ev) == 0)
                return &v[k];
    }
    return NULL;
}

static int check_overlaps(const app_link *v, size_t n, const config *cfg, err *e)
{
    for (size_t i = 0; i < n; i++) {
        for (size_t k = 0; k < i; k++)
            if (same(v[k].cfg.location_id, v[i].cfg.location_id)) {
                char what[160];
                snprintf(what, sizeof what, "location %s", v[i].cfg.location_id);
                return dup_error(cfg, &v[i], &v[k], true, what, e);
            }
        for (size_t j = 0; v[i].cfg.events[j]; j++) {
            const app_link *first = event_seen(v, i, j);
            if (first) {
                char what[192];
                snprintf(what, sizeof what, "event %s of organization %s", v[i].cfg.events[j],
                         v[i].cfg.org_code);
                return dup_error(cfg, &v[i], first, false, what, e);
            }
        }
    }
    return 0;
}

int app_links_read(app_link **out, size_t *out_n, const config *cfg, err *e)
{
    size_t named = config_named_count(cfg, "link");
    const char *loc = config_str(cfg, "ghl", "location_id");
    const char *const *items = NULL;
    size_t n_events = config_list(cfg, "pheedloop", "events", &items);
    /* Without [link] sections the default link is there even when empty: as it always was. */
    bool has_default = (loc && *loc) || n_events > 0 || named == 0;
    size_t n = named + has_default;
    app_link *v = calloc(n, sizeof *v);
    if (!v)
        return err_set(e, ERR_NOMEM, "out of memory");
    int rc = 0;
    if (has_default) {
        rc = copy_list(&v[0].events, items, n_events, e);
        v[0].cfg = (engine_link_cfg){.name = ENGINE_DEFAULT_LINK,
                                     .location_id = loc,
                                     .org_code = config_str(cfg, "pheedloop", "org_code"),
                                     .events = v[0].events};
    }
    for (size_t i = 0; rc == 0 && i < named; i++)
        rc = read_named(&v[has_default + i], cfg, i, e);
    if (rc == 0)
        rc = check_overlaps(v, n, cfg, e);
    if (rc != 0) {
        app_links_free(v, n);
        return rc;
    }
    *out = v;
    *out_n = n;
    return 0;
}

int app_link_find(size_t *out, const app_ctx *a, const char *name, err *e)
{
    bool dflt = !name || !*name || strcmp(name, "default") == 0;
    char known[512] = "";
    size_t used = 0;
    for (size_t i = 0; i < a->n_links; i++) {
        const engine_link_cfg *l = &a->links[i].cfg;
        if (dflt ? !*l->name : strcmp(l->name, name ? name : "") == 0) {
            *out = i;
            return 0;
        }
        if (used < sizeof known)
            used += (size_t)snprintf(known + used, sizeof known - used, "%s%s", i ? ", " : "",
                                     engine_link_label(l));
    }
    return err_set(e, ERR_CONFIG, "no link named '%s' in %s (links: %s)", dflt ? "default" : name,
                   a->config_path ? a->config_path : "the configuration", known);
}

void app_link_engine(engine *out, app_ctx *a, size_t i)
{
    app_link *l = &a->links[i];
    memset(out, 0, sizeof *out);
    out->cfg = a->cfg;
    out->store = a->store;
    out->ghl = l->ghl;
    out->pl = l->pl;
    out->clock = a->clock;
    out->owner = a->owner;
    out->link = l->cfg;
    /* The default link's organization may come from the stored credentials. */
    if (!*l->cfg.name && l->pl)
        out->link.org_code = pl_client_org(l->pl);
    if (a->store)
        store_bind_link(a->store, l->cfg.name, NULL);
}

void app_link_pl_account(char *out, size_t size, const app_link *l)
{
    if (*l->cfg.name)
        snprintf(out, size, "link:%s", l->cfg.name);
    else
        snprintf(out, size, "default");
}
