/* opsfx.c: the shared fixture of the operator's command tests. */
#include "tests/ops/opsfx.h"
#include "util/jsonx.h"

#include <setjmp.h>
#include <stdarg.h>
#include <cmocka.h>

#include <sqlite3.h>

store *ofx_store(afx *f)
{
    char url[300];
    snprintf(url, sizeof url, "sqlite:%s/state.db", f->dir);
    store *s = NULL;
    err e = {0};
    if (store_open(&s, url, NULL, &e) != 0)
        fail_msg("store: %s", e.msg);
    return s;
}

void ofx_contact(afx *f, const char *fields, char id[64])
{
    json_t *j = json_loads(fields, 0, NULL);
    assert_non_null(j);
    err e = {0};
    if (sbx_ghl_emu_seed_contact(sbx_sandbox_ghl(f->sbx), f->location, j, id, 64, &e) != 0)
        fail_msg("seed contact: %s", e.msg);
    json_decref(j);
}

void ofx_attendee(afx *f, const char *event, const char *fields, char code[64])
{
    json_t *j = json_loads(fields, 0, NULL);
    assert_non_null(j);
    err e = {0};
    if (sbx_pl_emu_seed_attendee(sbx_sandbox_pheedloop(f->sbx), event, j, code, 64, &e) != 0)
        fail_msg("seed attendee: %s", e.msg);
    json_decref(j);
}

int64_t ofx_link(afx *f, const char *contact_id, const char *email, const char *code)
{
    store *s = ofx_store(f);
    int64_t id = 0;
    err e = {0};
    if (store_link_create(&id, s, f->location, contact_id, email, NULL, &e) != 0 ||
        (code && store_link_add_attendee(s, id, AFX_ORG, AFX_EVENT, code, &e) != 0))
        fail_msg("link: %s", e.msg);
    store_close(s);
    return id;
}

int64_t ofx_dead_letter(afx *f, const char *record_key, const char *kind, const char *message)
{
    store *s = ofx_store(f);
    char idem[128];
    static int seq;
    snprintf(idem, sizeof idem, "test-%s-%d", kind, ++seq);
    store_op_new op = {.service = "ghl",
                       .account = f->location,
                       .kind = kind,
                       .record_key = record_key,
                       .payload = "{\"fields\": {\"email\": \"not an address\"}}",
                       .idem_key = idem};
    int64_t id = 0;
    err e = {0};
    store_ops claimed = {0};
    if (store_outbox_enqueue(&id, NULL, s, &op, &e) != 0 ||
        store_outbox_claim(&claimed, s, "test", 60000, NULL, 100, &e) != 0)
        fail_msg("outbox: %s", e.msg);
    for (size_t i = 0; i < claimed.n; i++) {
        if (claimed.v[i].id == id &&
            store_outbox_dead(s, &claimed.v[i], "http_422", message,
                              "{\"method\": \"PUT\", \"path\": \"/contacts/x\"}", &e) != 0)
            fail_msg("dead: %s", e.msg);
    }
    store_ops_free(&claimed);
    store_close(s);
    return id;
}

afx_run ofx_expect(afx *f, int want, const char *const *args)
{
    afx_run r = afx_exec(f, args, NULL);
    if (r.code != want) {
        buf cmd;
        buf_init(&cmd, 4096);
        for (size_t i = 0; args[i]; i++)
            buf_addf(&cmd, " %s", args[i]);
        fail_msg("pheedsync%s: exit %d, want %d\nstdout:\n%s\nstderr:\n%s", buf_cstr(&cmd), r.code,
                 want, r.out, r.err);
    }
    return r;
}

json_t *ofx_json(const afx_run *r)
{
    json_t *j = NULL;
    err e = {0};
    if (jsonx_parse(&j, r->out, strlen(r->out), "stdout", &e) != 0)
        fail_msg("%s:\n%s\nstderr:\n%s", e.msg, r->out, r->err);
    return j;
}

static json_t *counters(sbx_service *svc)
{
    return sbx_counters_json(svc->counters);
}

static int64_t changing(json_t *c)
{
    json_t *m = json_object_get(c, "by_method");
    int64_t n = 0;
    const char *k;
    json_t *v;
    json_object_foreach(m, k, v)
    {
        if (strcmp(k, "GET") != 0)
            n += json_integer_value(v);
    }
    json_t *search = jsonx_path(c, "by_operation.search-contacts-advanced");
    json_object_foreach(search, k, v) n -= json_integer_value(v);
    return n;
}

int64_t ofx_writes(afx *f)
{
    json_t *g = counters(sbx_sandbox_ghl_service(f->sbx));
    json_t *p = counters(sbx_sandbox_pheedloop_service(f->sbx));
    int64_t n = changing(g) + changing(p);
    json_decref(g);
    json_decref(p);
    return n;
}

int64_t ofx_requests(afx *f)
{
    json_t *g = counters(sbx_sandbox_ghl_service(f->sbx));
    json_t *p = counters(sbx_sandbox_pheedloop_service(f->sbx));
    int64_t n = jsonx_int(g, "total", 0) + jsonx_int(p, "total", 0);
    json_decref(g);
    json_decref(p);
    return n;
}

void ofx_store_from_the_future(afx *f)
{
    store_close(ofx_store(f)); /* the schema exists */
    char path[300], sql[200];
    snprintf(path, sizeof path, "%s/state.db", f->dir);
    snprintf(sql, sizeof sql,
             "INSERT INTO schema_migrations (version, name, applied_at) VALUES (%d, 'future', 0)",
             store_schema_latest() + 5);
    sqlite3 *db = NULL;
    assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
    assert_int_equal(sqlite3_exec(db, sql, NULL, NULL, NULL), SQLITE_OK);
    sqlite3_close(db);
}
