/* sandbox.c: starts both emulators on their loopback ports with their shared services, and seeds
 * them with people who exist on one side or both, under other spellings. */
#include "sandbox/sandbox.h"
#include "sandbox/gen.h"
#include "util/jsonx.h"
#include "util/log.h"

#include <openssl/rand.h>

typedef struct sbx_side {
    sbx_service svc;
    http_server *server;
} sbx_side;

struct sbx_sandbox {
    sbx_options opts;
    char admin_token[48];
    char bind_addr[64];
    sbx_side ghl_side;
    sbx_side pl_side;
    sbx_ghl_emu *ghl;
    sbx_pl_emu *pl;
    sbx_pl_emu **orgs; /* the other organizations (owned by pl) */
    json_t *seed_summary;
};

#define SBX_EVENT_1 "EVESANDBOX1"
#define SBX_EVENT_2 "EVESANDBOX2"

static int side_init(sbx_side *side, const char *name, const sbx_sandbox *s, uint64_t seed_salt,
                     err *e)
{
    side->svc.name = name;
    side->svc.clock = clock_system();
    side->svc.admin_token = s->admin_token;
    side->svc.seed = s->opts.seed ^ seed_salt;
    int rc = sbx_faults_new(&side->svc.faults, side->svc.seed, e);
    if (!rc)
        rc = sbx_counters_new(&side->svc.counters, e);
    if (!rc)
        rc = sbx_webhooks_new(&side->svc.webhooks, side->svc.faults, side->svc.clock, e);
    if (!rc)
        rc = sbx_webhooks_start(side->svc.webhooks, e);
    if (rc)
        return rc;
    sbx_faults_set(side->svc.faults, &s->opts.faults);
    return 0;
}

static int side_listen(sbx_side *side, const sbx_sandbox *s, uint16_t port, err *e)
{
    http_server_options o = {
        .bind_addr = s->bind_addr,
        .port = port,
        .max_body = 4u << 20,
    };
    return http_server_new(&side->server, &o, e);
}

static void side_stop(sbx_side *side)
{
    if (side->svc.faults)
        sbx_faults_release(side->svc.faults);
    if (side->server)
        http_server_stop(side->server);
    if (side->svc.webhooks)
        sbx_webhooks_stop(side->svc.webhooks);
}

static void side_free(sbx_side *side)
{
    http_server_free(side->server);
    sbx_webhooks_free(side->svc.webhooks);
    sbx_counters_free(side->svc.counters);
    sbx_faults_free(side->svc.faults);
    memset(side, 0, sizeof *side);
}

static json_t *person_contact(const sbx_person *p, rng *r)
{
    json_t *c = json_object();
    jsonx_set_str(c, "firstName", p->first_name);
    jsonx_set_str(c, "lastName", p->last_name);
    jsonx_set_str(c, "email", p->email);
    if (p->phone[0])
        jsonx_set_str(c, "phone", p->phone);
    if (p->organization[0])
        jsonx_set_str(c, "companyName", p->organization);
    if (p->address1[0])
        jsonx_set_str(c, "address1", p->address1);
    if (p->city[0])
        jsonx_set_str(c, "city", p->city);
    if (p->state[0])
        jsonx_set_str(c, "state", p->state);
    if (p->postal_code[0])
        jsonx_set_str(c, "postalCode", p->postal_code);
    if (p->country[0])
        jsonx_set_str(c, "country", p->country);
    if (p->timezone[0])
        jsonx_set_str(c, "timezone", p->timezone);
    json_t *tags = json_array();
    static const char *const tag_pool[] = {"lead", "customer", "vip", "newsletter", "partner"};
    size_t n = rng_below(r, 3);
    for (size_t i = 0; i < n; i++)
        json_array_append_new(tags, json_string(tag_pool[rng_below(r, PS_ARRAY_LEN(tag_pool))]));
    json_object_set_new(c, "tags", tags);
    return c;
}

static json_t *person_attendee(const sbx_person *p, rng *r)
{
    json_t *a = json_object();
    jsonx_set_str(a, "first_name", p->first_name);
    jsonx_set_str(a, "last_name", p->last_name);
    jsonx_set_str(a, "email", p->email);
    jsonx_set_str(a, "address_phone", p->phone);
    jsonx_set_str(a, "organization", p->organization);
    jsonx_set_str(a, "title", p->title);
    jsonx_set_str(a, "address_line_1", p->address1);
    jsonx_set_str(a, "address_city", p->city);
    jsonx_set_str(a, "address_state", p->state);
    jsonx_set_str(a, "address_zip", p->postal_code);
    jsonx_set_str(a, "address_country", p->country);
    static const char *const tickets[] = {"General Admission", "VIP Pass", "Student", "Speaker"};
    jsonx_set_str(a, "ticket_name", tickets[rng_below(r, PS_ARRAY_LEN(tickets))]);
    return a;
}

/* The events of another organization: as the options name them, else ORG_CODE + "EV1". */
static size_t org_events(const sbx_sandbox *s, size_t i, const char **out, size_t max)
{
    const char *const *names =
        s->opts.pheedloop_org_events ? s->opts.pheedloop_org_events[i] : NULL;
    size_t n = 0;
    for (; names && names[n] && n < max; n++)
        out[n] = names[n];
    return n;
}

static int add_orgs(sbx_sandbox *s, err *e)
{
    if (!s->opts.n_pheedloop_orgs)
        return 0;
    s->orgs = calloc(s->opts.n_pheedloop_orgs, sizeof *s->orgs);
    if (!s->orgs)
        return err_set(e, ERR_NOMEM, "out of memory");
    for (size_t i = 0; i < s->opts.n_pheedloop_orgs; i++) {
        int rc = sbx_pl_emu_add_org(&s->orgs[i], s->pl, &s->opts.pheedloop_orgs[i], e);
        const char *events[16];
        size_t n = org_events(s, i, events, PS_ARRAY_LEN(events));
        char dflt[80];
        if (!rc && n == 0) {
            snprintf(dflt, sizeof dflt, "%sEV1", s->opts.pheedloop_orgs[i].org_code);
            events[n++] = dflt;
        }
        for (size_t k = 0; !rc && k < n; k++)
            rc = sbx_pl_emu_seed_event(s->orgs[i], events[k], NULL, "2027-09-14", e);
        if (rc)
            return rc;
    }
    return 0;
}

/* An attendee of another organization: one of its events, now and then a second one. */
static int seed_org_attendee(sbx_sandbox *s, size_t i, const json_t *a, rng *r, err *e)
{
    json_t *info = sbx_pl_emu_info(s->orgs[i]);
    json_t *events = json_object_get(info, "events");
    size_t n = json_array_size(events), first = (size_t)rng_below(r, n ? n : 1);
    int rc = 0;
    char code[64];
    for (size_t k = 0; !rc && k < n; k++)
        if (k == first || (n > 1 && rng_chance(r, 0.1)))
            rc = sbx_pl_emu_seed_attendee(s->orgs[i], jsonx_str(json_array_get(events, k), "code"),
                                          a, code, sizeof code, e);
    json_decref(info);
    return rc;
}

/* Half of the people are on both sides (PheedLoop holding another spelling), a quarter only in
 * HighLevel, a quarter only in PheedLoop; a tenth of the attendees are in both events. */
static int seed_people(sbx_sandbox *s, err *e)
{
    rng r;
    rng_seed(&r, s->opts.seed);
    char location[64];
    json_t *info = sbx_ghl_emu_info(s->ghl);
    snprintf(location, sizeof location, "%s", jsonx_str(info, "location_id") ? jsonx_str(info, "location_id") : "");
    json_decref(info);
    int rc = sbx_pl_emu_seed_event(s->pl, SBX_EVENT_1, "Sandbox Summit 2027", "2027-03-18", e);
    if (!rc)
        rc = sbx_pl_emu_seed_event(s->pl, SBX_EVENT_2, "Sandbox Workshop Day", "2027-06-02", e);
    if (rc)
        return rc;
    size_t n_both = 0, n_ghl = 0, n_pl = 0;
    json_t *emails = json_object(); /* the generator may repeat an email, rarely: skip those */
    for (size_t i = 0; i < s->opts.people && !rc; i++) {
        sbx_person p, variant;
        sbx_gen_person(&r, &p);
        if (json_object_get(emails, p.email))
            continue;
        json_object_set_new(emails, p.email, json_true());
        uint64_t pick = rng_below(&r, 4);
        bool in_ghl = pick != 3, in_pl = pick != 2;
        n_both += in_ghl && in_pl;
        n_ghl += in_ghl && !in_pl;
        n_pl += in_pl && !in_ghl;
        if (in_ghl) {
            json_t *c = person_contact(&p, &r);
            char id[64];
            rc = sbx_ghl_emu_seed_contact(s->ghl, location, c, id, sizeof id, e);
            json_decref(c);
        }
        if (in_pl && !rc) {
            sbx_gen_variant(&r, &p, &variant);
            const sbx_person *who = in_ghl ? &variant : &p;
            json_t *a = person_attendee(who, &r);
            char code[64];
            size_t org = s->opts.n_pheedloop_orgs ? rng_below(&r, s->opts.n_pheedloop_orgs + 1) : 0;
            if (org > 0) {
                rc = seed_org_attendee(s, org - 1, a, &r, e);
                json_decref(a);
                continue;
            }
            bool second = rng_chance(&r, 0.5);
            rc = sbx_pl_emu_seed_attendee(s->pl, second ? SBX_EVENT_2 : SBX_EVENT_1, a, code,
                                      sizeof code, e);
            if (!rc && rng_chance(&r, 0.1))
                rc = sbx_pl_emu_seed_attendee(s->pl, second ? SBX_EVENT_1 : SBX_EVENT_2, a, code,
                                          sizeof code, e);
            json_decref(a);
        }
    }
    json_decref(emails);
    s->seed_summary = json_pack("{s:I, s:I, s:I, s:[s,s]}", "on_both_sides", (json_int_t)n_both,
                                "only_highlevel", (json_int_t)n_ghl, "only_pheedloop",
                                (json_int_t)n_pl, "events", SBX_EVENT_1, SBX_EVENT_2);
    return rc;
}

static int start_emulators(sbx_sandbox *s, err *e)
{
    int rc = sbx_ghl_emu_new(&s->ghl, &s->opts.ghl, &s->ghl_side.svc, e);
    if (!rc)
        rc = sbx_pl_emu_new(&s->pl, &s->opts.pheedloop, &s->pl_side.svc, e);
    if (!rc)
        rc = add_orgs(s, e);
    if (!rc)
        rc = sbx_ghl_emu_mount(s->ghl, s->ghl_side.server, e);
    if (!rc)
        rc = sbx_pl_emu_mount(s->pl, s->pl_side.server, e);
    if (!rc && s->opts.seed_data)
        rc = seed_people(s, e);
    if (!rc)
        rc = http_server_start(s->ghl_side.server, e);
    if (!rc)
        rc = http_server_start(s->pl_side.server, e);
    return rc;
}

int sbx_sandbox_start(sbx_sandbox **out, const sbx_options *opts, err *e)
{
    sbx_sandbox *s = calloc(1, sizeof *s);
    if (!s)
        return err_set(e, ERR_NOMEM, "out of memory");
    s->opts = *opts;
    if (!s->opts.people)
        s->opts.people = 400;
    snprintf(s->bind_addr, sizeof s->bind_addr, "%s", opts->bind_addr ? opts->bind_addr : "127.0.0.1");
    s->opts.bind_addr = s->bind_addr;
    if (opts->admin_token) {
        snprintf(s->admin_token, sizeof s->admin_token, "%s", opts->admin_token);
    } else {
        unsigned char raw[16];
        if (RAND_bytes(raw, sizeof raw) != 1) {
            free(s);
            return err_set(e, ERR_CRYPTO, "cannot draw random bytes for the admin token");
        }
        char *p = s->admin_token + snprintf(s->admin_token, sizeof s->admin_token, "sbx-");
        for (size_t i = 0; i < sizeof raw; i++, p += 2)
            snprintf(p, 3, "%02x", raw[i]);
    }
    s->opts.admin_token = s->admin_token;
    int rc = side_init(&s->ghl_side, "ghl", s, 0x6768ull, e);
    if (!rc)
        rc = side_init(&s->pl_side, "pheedloop", s, 0x706cull, e);
    if (!rc)
        rc = side_listen(&s->ghl_side, s, opts->ghl_port, e);
    if (!rc)
        rc = side_listen(&s->pl_side, s, opts->pheedloop_port, e);
    if (!rc)
        rc = start_emulators(s, e);
    if (rc) {
        sbx_sandbox_free(s);
        return rc;
    }
    *out = s;
    return 0;
}

static json_t *side_info(const sbx_side *side, const char *bind_addr, json_t *emu_info,
                         const char *base_path)
{
    char url[128];
    snprintf(url, sizeof url, "http://%s:%u%s", bind_addr, (unsigned)http_server_port(side->server),
             base_path);
    json_t *j = json_pack("{s:s, s:I}", "base_url", url, "port",
                          (json_int_t)http_server_port(side->server));
    json_object_update(j, emu_info);
    json_decref(emu_info);
    return j;
}

json_t *sbx_sandbox_info(sbx_sandbox *s)
{
    json_t *j = json_object();
    json_object_set_new(j, "highlevel", side_info(&s->ghl_side, s->bind_addr, sbx_ghl_emu_info(s->ghl), ""));
    json_object_set_new(j, "pheedloop", side_info(&s->pl_side, s->bind_addr, sbx_pl_emu_info(s->pl), ""));
    jsonx_set_str(j, "admin_token", s->admin_token);
    if (s->seed_summary)
        json_object_set(j, "seeded", s->seed_summary);
    return j;
}

sbx_ghl_emu *sbx_sandbox_ghl(sbx_sandbox *s)
{
    return s->ghl;
}

sbx_pl_emu *sbx_sandbox_pheedloop(sbx_sandbox *s)
{
    return s->pl;
}

sbx_service *sbx_sandbox_ghl_service(sbx_sandbox *s)
{
    return &s->ghl_side.svc;
}

sbx_service *sbx_sandbox_pheedloop_service(sbx_sandbox *s)
{
    return &s->pl_side.svc;
}

uint16_t sbx_sandbox_ghl_port(sbx_sandbox *s)
{
    return http_server_port(s->ghl_side.server);
}

uint16_t sbx_sandbox_pheedloop_port(sbx_sandbox *s)
{
    return http_server_port(s->pl_side.server);
}

void sbx_sandbox_stop(sbx_sandbox *s)
{
    if (!s)
        return;
    side_stop(&s->ghl_side);
    side_stop(&s->pl_side);
}

void sbx_sandbox_free(sbx_sandbox *s)
{
    if (!s)
        return;
    sbx_sandbox_stop(s);
    side_free(&s->ghl_side);
    side_free(&s->pl_side);
    sbx_ghl_emu_free(s->ghl);
    sbx_pl_emu_free(s->pl);
    free(s->orgs);
    json_decref(s->seed_summary);
    free(s);
}
