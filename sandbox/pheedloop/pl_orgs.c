/* pl_orgs.c: several PheedLoop organizations on one emulator port: each with its own key,
 * secret, events, attendees, members and REST hooks; requests reach the one their path (API),
 * their ?org= or their event (/_sandbox/) names. */
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <openssl/crypto.h>

#define SBX_PL_ORGS_MAX 32

static bool secret_eq(const char *given, const char *want)
{
    size_t n = strlen(want);
    return strlen(given) == n && CRYPTO_memcmp(given, want, n) == 0;
}

/* The first organization and then the others, by index; NULL past the end. */
static sbx_pl_emu *org_at(sbx_pl_emu *p, size_t i)
{
    if (i == 0)
        return p;
    pthread_mutex_lock(&p->orgs_mu);
    sbx_pl_emu *o = i - 1 < p->n_orgs ? p->orgs[i - 1] : NULL;
    pthread_mutex_unlock(&p->orgs_mu);
    return o;
}

sbx_pl_emu *sbx_pl_emu_org(sbx_pl_emu *p, const char *org_code)
{
    sbx_pl_emu *o;
    for (size_t i = 0; org_code && (o = org_at(p, i)); i++)
        if (strcmp(o->org_code, org_code) == 0)
            return o;
    return NULL;
}

int sbx_pl_orgs_auth(sbx_pl_emu *p, const char *key, const char *secret, const char *org,
                     size_t org_len)
{
    bool known = false;
    sbx_pl_emu *o;
    for (size_t i = 0; (o = org_at(p, i)); i++) {
        if (!secret_eq(key, o->api_key) || !secret_eq(secret, o->api_secret))
            continue;
        known = true;
        if (org_len == strlen(o->org_code) && strncmp(org, o->org_code, org_len) == 0)
            return 0;
    }
    return known ? 404 : 401;
}

sbx_pl_emu *sbx_pl_orgs_route(sbx_pl_emu *p, const http_request *req, http_response *res)
{
    if (org_at(p, 1) == NULL)
        return p;
    /* The API's path names it (the guard checked it against the key); /_sandbox/ takes ?org=. */
    const char *org = http_request_param(req, "org");
    if (!org)
        org = http_request_query(req, "org");
    if (org && *org) {
        sbx_pl_emu *o = sbx_pl_emu_org(p, org);
        if (!o) {
            char msg[SBX_PL_CODE_MAX + 64];
            snprintf(msg, sizeof msg, "no organization %.*s in this sandbox", SBX_PL_CODE_MAX,
                     org);
            sbx_pl_reply_detail(res, 404, msg);
        }
        return o;
    }
    /* A dashboard route without ?org=: the first organization that has the event. */
    const char *event = http_request_param(req, "event");
    sbx_pl_emu *o;
    for (size_t i = 0; event && (o = org_at(p, i)); i++) {
        pthread_mutex_lock(&o->mu);
        bool has = sbx_pl_event_find(o, event) != NULL;
        pthread_mutex_unlock(&o->mu);
        if (has)
            return o;
    }
    return p;
}

int sbx_pl_emu_add_org(sbx_pl_emu **out, sbx_pl_emu *p, const sbx_pl_emu_options *opts, err *e)
{
    const char *code = opts ? opts->org_code : NULL;
    if (!code || !*code || strlen(code) >= SBX_PL_CODE_MAX)
        return err_set(e, ERR_INVALID, "an organization needs an org_code of 1 to %d characters",
                       SBX_PL_CODE_MAX - 1);
    if (sbx_pl_emu_org(p, code))
        return err_set(e, ERR_CONFLICT, "organization %s already exists", code);
    pthread_mutex_lock(&p->orgs_mu);
    size_t n = p->n_orgs;
    pthread_mutex_unlock(&p->orgs_mu);
    if (n + 1 >= SBX_PL_ORGS_MAX)
        return err_set(e, ERR_LIMIT, "at most %d organizations", SBX_PL_ORGS_MAX);
    sbx_pl_emu *o = NULL;
    int rc = sbx_pl_emu_new(&o, opts, p->svc, e);
    if (rc < 0)
        return rc;
    /* Its own generator (its keys differ from the first's) and its own range of event ids. */
    rng_seed(&o->rng, p->svc->seed ^ 0x4f5247ULL ^ ((uint64_t)(n + 1) << 32));
    if (!opts->api_key || !opts->api_secret) {
        char hex[SBX_PL_SECRET_HEX + 1];
        sbx_pl_new_hex(o, hex);
        if (!opts->api_key)
            snprintf(o->api_key, sizeof o->api_key, "%.32s", hex);
        sbx_pl_new_hex(o, hex);
        if (!opts->api_secret) {
            snprintf(o->api_secret, sizeof o->api_secret, "%s", hex);
            log_add_secret(o->api_secret);
        }
    }
    o->next_event_id = 1001 + 1000 * (int64_t)(n + 1);
    o->parent = p;
    pthread_mutex_lock(&p->orgs_mu);
    p->orgs[p->n_orgs++] = o;
    pthread_mutex_unlock(&p->orgs_mu);
    if (out)
        *out = o;
    return 0;
}

int sbx_pl_orgs_init(sbx_pl_emu *p)
{
    p->orgs = calloc(SBX_PL_ORGS_MAX, sizeof *p->orgs);
    if (!p->orgs)
        return ERR_NOMEM;
    if (pthread_mutex_init(&p->orgs_mu, NULL) != 0) {
        free(p->orgs);
        p->orgs = NULL;
        return ERR_NOMEM;
    }
    return 0;
}

void sbx_pl_orgs_free(sbx_pl_emu *p)
{
    if (!p->orgs)
        return;
    for (size_t i = 0; i < p->n_orgs; i++)
        sbx_pl_emu_free(p->orgs[i]);
    free(p->orgs);
    pthread_mutex_destroy(&p->orgs_mu);
}

json_t *sbx_pl_orgs_info(sbx_pl_emu *p)
{
    json_t *list = json_array();
    sbx_pl_emu *o;
    for (size_t i = 0; (o = org_at(p, i)); i++)
        json_array_append_new(list, sbx_pl_org_info(o));
    return list;
}

/* POST /_sandbox/organizations {"org_code", "api_key"?, "api_secret"?, "events"?: [{"code",
 * "event_name"?, "date"?}]}: 201 with its info (key, secret, events and their secrets). */
static void h_org_add(void *ctx, const http_request *req, http_response *res)
{
    sbx_pl_emu *p = ctx;
    json_t *body = sbx_pl_body_object(req, res);
    if (!body)
        return;
    sbx_pl_emu_options o = {.org_code = jsonx_str(body, "org_code"),
                            .api_key = jsonx_str(body, "api_key"),
                            .api_secret = jsonx_str(body, "api_secret")};
    sbx_pl_emu *org = NULL;
    err e = {0};
    int rc = sbx_pl_emu_add_org(&org, p, &o, &e);
    size_t i;
    json_t *ev;
    json_array_foreach(json_object_get(body, "events"), i, ev)
    {
        if (rc < 0)
            break;
        rc = sbx_pl_emu_seed_event(org, jsonx_str(ev, "code"), jsonx_str(ev, "event_name"),
                                   jsonx_str(ev, "date"), &e);
    }
    if (rc < 0)
        sbx_pl_reply_detail(res, rc == ERR_CONFLICT ? 409 : 400, e.msg);
    else
        sbx_pl_reply(res, 201, sbx_pl_org_info(org));
    json_decref(body);
}

int sbx_pl_orgs_mount(sbx_pl_emu *p, http_server *srv, err *e)
{
    int rc = http_server_route(srv, "POST", "/_sandbox/organizations", "pl-admin-add-org",
                               h_org_add, p);
    return rc < 0 ? err_set(e, rc, "route POST /_sandbox/organizations: cannot register") : 0;
}
