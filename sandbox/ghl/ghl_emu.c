/* ghl_emu.c: the HighLevel emulator's assembly: state, OAuth, rate limits and signer; the guard
 * in front of the API (Version header, bearer and scope, rate limit); routes and information. */
#include "sandbox/ghl/ghl_state.h"

#define ALL_SCOPES                                                                                 \
    "contacts.readonly contacts.write locations.readonly "                                         \
    "locations/customFields.readonly"

static const struct {
    const sbx_ghl_route *routes;
    const size_t *n;
} TABLES[] = {
    {sbx_ghl_contact_routes, &sbx_ghl_contact_routes_n},
    {sbx_ghl_search_routes, &sbx_ghl_search_routes_n},
    {sbx_ghl_activity_routes, &sbx_ghl_activity_routes_n},
    {sbx_ghl_admin_routes, &sbx_ghl_admin_routes_n},
    {sbx_ghl_ui_routes, &sbx_ghl_ui_routes_n},
};

static int init_parts(sbx_ghl_emu *g, const sbx_ghl_emu_options *opts, err *e)
{
    sbx_service *svc = g->svc;
    sbx_ghl_auth_options ao = {
        .access_ttl_s = opts->access_ttl_s, .clock = svc->clock, .seed = svc->seed};
    if (sbx_ghl_map_new(&g->by_id) || sbx_ghl_map_new(&g->by_email) ||
        sbx_ghl_map_new(&g->by_phone) || sbx_ghl_map_new(&g->scopes) || !(g->outbox = json_array()))
        return err_set(e, ERR_NOMEM, "out of memory");
    if (sbx_ghl_ratelimit_new(&g->rate, &opts->rate, svc->clock, e) != 0 ||
        sbx_ghl_auth_new(&g->auth, &ao, e) != 0 || sbx_ghl_signer_new(&g->signer, e) != 0)
        return e ? e->code : ERR_INTERNAL;
    if (opts->webhook_url && *opts->webhook_url && !(g->webhook_url = strdup(opts->webhook_url)))
        return err_set(e, ERR_NOMEM, "out of memory");
    sbx_ghl_location *loc = NULL;
    int rc = sbx_ghl_location_add(g, opts->location_id, "Sandbox Location", opts->allow_duplicates,
                                  &loc, e);
    if (rc == 0)
        rc = sbx_ghl_auth_add_location(g->auth, loc->id, loc->name, e);
    if (rc == 0)
        rc = sbx_ghl_auth_create_pit(g->auth, loc->id, ALL_SCOPES, g->pit, sizeof(g->pit), e);
    return rc;
}

int sbx_ghl_emu_new(sbx_ghl_emu **out, const sbx_ghl_emu_options *opts, sbx_service *svc, err *e)
{
    static const sbx_ghl_emu_options defaults = {0};
    if (!opts)
        opts = &defaults;
    sbx_ghl_emu *g = calloc(1, sizeof(*g));
    if (!g)
        return err_set(e, ERR_NOMEM, "out of memory");
    pthread_mutex_init(&g->mu, NULL);
    pthread_mutex_init(&g->send_mu, NULL);
    g->svc = svc;
    rng_seed(&g->rng, svc->seed ^ 0x67686cULL);
    int rc = init_parts(g, opts, e);
    if (rc != 0) {
        sbx_ghl_emu_free(g);
        return rc;
    }
    *out = g;
    return 0;
}

void sbx_ghl_emu_free(sbx_ghl_emu *g)
{
    if (!g)
        return;
    while (g->n_contacts)
        sbx_ghl_contact_remove(g, g->contacts[g->n_contacts - 1]);
    free(g->contacts);
    for (size_t i = 0; i < g->n_locs; i++) {
        json_decref(g->locs[i]->custom_fields);
        free(g->locs[i]);
    }
    free(g->locs);
    sbx_ghl_map_free(g->by_id);
    sbx_ghl_map_free(g->by_email);
    sbx_ghl_map_free(g->by_phone);
    sbx_ghl_map_free(g->scopes);
    json_decref(g->outbox);
    free(g->webhook_url);
    free(g->route_ctx);
    sbx_ghl_auth_free(g->auth);
    sbx_ghl_ratelimit_free(g->rate);
    sbx_ghl_signer_free(g->signer);
    pthread_mutex_destroy(&g->mu);
    pthread_mutex_destroy(&g->send_mu);
    free(g);
}

sbx_ghl_auth *sbx_ghl_emu_auth(sbx_ghl_emu *g)
{
    return g->auth;
}

/* Every route runs its handler under the state lock, then sends the webhooks it caused. */
static void dispatch(void *ctx, const http_request *req, http_response *res)
{
    sbx_ghl_route_ctx *rc = ctx;
    sbx_ghl_emu *g = rc->g;
    if (!rc->route->scope)
        sbx_ghl_set_token_location(""); /* admin routes act for every location */
    pthread_mutex_lock(&g->mu);
    rc->route->fn(g, req, res);
    pthread_mutex_unlock(&g->mu);
    sbx_ghl_events_flush(g);
}

/* HighLevel's order: the Version header, then the bearer and its scope, then the rate limit of
 * the token's location. OAuth endpoints need neither header nor bearer. */
static bool guard(void *ctx, const http_request *req, http_response *res)
{
    sbx_ghl_emu *g = ctx;
    sbx_ghl_set_token_location("");
    const char *scope = req->route ? sbx_ghl_map_get(g->scopes, req->route) : NULL;
    if (!scope)
        return false;
    const char *version = http_request_header(req, "Version");
    if (!version || strcmp(version, SBX_GHL_VERSION) != 0) {
        sbx_ghl_reply_error(res, 400,
                            version ? "Version header is invalid: use %s"
                                    : "Version header was not found: use %s",
                            SBX_GHL_VERSION);
        return true;
    }
    char loc[SBX_GHL_LOC_MAX] = "";
    if (!sbx_ghl_auth_check(g->auth, req, scope, loc, sizeof(loc), res))
        return true;
    sbx_ghl_set_token_location(loc);
    return !sbx_ghl_ratelimit_take(g->rate, loc, res);
}

int sbx_ghl_emu_mount(sbx_ghl_emu *g, http_server *srv, err *e)
{
    size_t total = 0;
    for (size_t t = 0; t < PS_ARRAY_LEN(TABLES); t++)
        total += *TABLES[t].n;
    free(g->route_ctx);
    g->route_ctx = calloc(total, sizeof(*g->route_ctx));
    if (!g->route_ctx)
        return err_set(e, ERR_NOMEM, "out of memory");
    g->n_route_ctx = total;
    size_t k = 0;
    for (size_t t = 0; t < PS_ARRAY_LEN(TABLES); t++) {
        for (size_t i = 0; i < *TABLES[t].n; i++, k++) {
            const sbx_ghl_route *r = &TABLES[t].routes[i];
            g->route_ctx[k] = (sbx_ghl_route_ctx){g, r};
            if (r->scope && sbx_ghl_map_put(g->scopes, r->name, (void *)(uintptr_t)r->scope) != 0)
                return err_set(e, ERR_NOMEM, "out of memory");
            if (http_server_route(srv, r->method, r->pattern, r->name, dispatch,
                                  &g->route_ctx[k]) != 0)
                return err_set(e, ERR_INTERNAL, "cannot route %s %s", r->method, r->pattern);
        }
    }
    int rc = sbx_ghl_auth_mount(g->auth, srv, e);
    if (rc == 0)
        rc = sbx_service_mount(g->svc, srv, guard, g, e);
    return rc;
}

json_t *sbx_ghl_emu_info(sbx_ghl_emu *g)
{
    pthread_mutex_lock(&g->mu);
    json_t *info = sbx_ghl_auth_info(g->auth);
    if (!info)
        info = json_object();
    json_t *locs = json_array();
    for (size_t i = 0; i < g->n_locs; i++)
        json_array_append_new(locs, json_string(g->locs[i]->id));
    json_object_set_new(info, "location_id", json_string(g->locs[0]->id));
    json_object_set_new(info, "locations", locs);
    json_object_set_new(info, "pit", json_string(g->pit));
    json_object_set_new(info, "version", json_string(SBX_GHL_VERSION));
    json_object_set_new(info, "webhook_public_key",
                        json_string(sbx_ghl_signer_ed25519_pem(g->signer)));
    json_object_set_new(info, "webhook_public_key_b64",
                        json_string(sbx_ghl_signer_ed25519_spki_b64(g->signer)));
    json_object_set_new(info, "webhook_rsa_public_key",
                        json_string(sbx_ghl_signer_rsa_pem(g->signer)));
    json_object_set_new(info, "webhook_url",
                        g->webhook_url ? json_string(g->webhook_url) : json_null());
    pthread_mutex_unlock(&g->mu);
    return info;
}

int sbx_ghl_emu_seed_locked(sbx_ghl_emu *g, const char *location_id, const json_t *fields,
                            char *id_out, size_t id_len, err *e)
{
    sbx_ghl_location *loc = location_id ? sbx_ghl_location_find(g, location_id) : g->locs[0];
    if (!loc)
        return err_set(e, ERR_NOT_FOUND, "no location %s", location_id);
    sbx_ghl_fail f = {0};
    sbx_ghl_contact *c = NULL;
    int rc = sbx_ghl_op_create(g, loc, fields, false, &c, &f);
    if (rc != 0) {
        rc = f.meta ? ERR_CONFLICT : ERR_INVALID;
        err_set(e, rc, "%s", f.message);
        sbx_ghl_fail_clear(&f);
        return rc;
    }
    if (id_out)
        snprintf(id_out, id_len, "%s", c->id);
    return 0;
}

int sbx_ghl_emu_seed_contact(sbx_ghl_emu *g, const char *location_id, const json_t *fields,
                             char *id_out, size_t id_len, err *e)
{
    pthread_mutex_lock(&g->mu);
    int rc = sbx_ghl_emu_seed_locked(g, location_id, fields, id_out, id_len, e);
    pthread_mutex_unlock(&g->mu);
    return rc;
}
