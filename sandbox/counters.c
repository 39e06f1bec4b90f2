/* counters.c: per-emulator request counters, kept as a JSON tree under a mutex. */
#include "sandbox/counters.h"

#include <pthread.h>

struct sbx_counters {
    pthread_mutex_t mu;
    int64_t total;
    int64_t writes;
    json_t *by_method;    /* {"GET": N} */
    json_t *by_status;    /* {"200": N} */
    json_t *by_operation; /* {"get-contact": {"200": N}} */
};

static int make_maps(sbx_counters *c)
{
    c->by_method = json_object();
    c->by_status = json_object();
    c->by_operation = json_object();
    return c->by_method && c->by_status && c->by_operation ? 0 : ERR_NOMEM;
}

static void drop_maps(sbx_counters *c)
{
    json_decref(c->by_method);
    json_decref(c->by_status);
    json_decref(c->by_operation);
    c->by_method = c->by_status = c->by_operation = NULL;
}

int sbx_counters_new(sbx_counters **out, err *e)
{
    sbx_counters *c = calloc(1, sizeof *c);
    if (!c)
        return err_set(e, ERR_NOMEM, "counters: out of memory");
    if (make_maps(c) != 0) {
        drop_maps(c);
        free(c);
        return err_set(e, ERR_NOMEM, "counters: out of memory");
    }
    pthread_mutex_init(&c->mu, NULL);
    *out = c;
    return 0;
}

void sbx_counters_free(sbx_counters *c)
{
    if (!c)
        return;
    drop_maps(c);
    pthread_mutex_destroy(&c->mu);
    free(c);
}

/* Adds one to obj[key], creating it at 1. */
static void bump(json_t *obj, const char *key)
{
    if (!obj)
        return;
    json_t *n = json_object_get(obj, key);
    if (json_is_integer(n))
        json_integer_set(n, json_integer_value(n) + 1);
    else
        json_object_set_new(obj, key, json_integer(1));
}

/* A call that changes the service's data: any method but the safe ones, except the POSTs that
 * only read (HighLevel's search) or only sign in (its token endpoints). */
static bool is_write(const char *op, const char *method)
{
    static const char *const safe_methods[] = {"GET", "HEAD", "OPTIONS"};
    static const char *const read_posts[] = {"search-contacts-advanced", "get-access-token",
                                             "get-location-access-token"};
    for (size_t i = 0; i < PS_ARRAY_LEN(safe_methods); i++)
        if (strcmp(method, safe_methods[i]) == 0)
            return false;
    for (size_t i = 0; i < PS_ARRAY_LEN(read_posts); i++)
        if (strcmp(op, read_posts[i]) == 0)
            return false;
    return true;
}

void sbx_counters_add(sbx_counters *c, const char *op, const char *method, int status)
{
    if (!c)
        return;
    char code[16];
    snprintf(code, sizeof code, "%d", status);
    if (!op || !*op)
        op = "unrouted";
    if (!method || !*method)
        method = "?";
    pthread_mutex_lock(&c->mu);
    c->total++;
    if (is_write(op, method))
        c->writes++;
    bump(c->by_method, method);
    bump(c->by_status, code);
    json_t *per_op = json_object_get(c->by_operation, op);
    if (!per_op) {
        per_op = json_object();
        if (per_op && json_object_set_new(c->by_operation, op, per_op) != 0)
            per_op = NULL;
    }
    bump(per_op, code);
    pthread_mutex_unlock(&c->mu);
}

void sbx_counters_reset(sbx_counters *c)
{
    if (!c)
        return;
    pthread_mutex_lock(&c->mu);
    c->total = 0;
    c->writes = 0;
    json_object_clear(c->by_method);
    json_object_clear(c->by_status);
    json_object_clear(c->by_operation);
    pthread_mutex_unlock(&c->mu);
}

json_t *sbx_counters_json(sbx_counters *c)
{
    if (!c)
        return NULL;
    pthread_mutex_lock(&c->mu);
    json_t *j = json_pack("{s:I, s:I, s:O, s:O, s:O}", "total", (json_int_t)c->total, "writes",
                          (json_int_t)c->writes, "by_method", c->by_method, "by_status",
                          c->by_status, "by_operation", c->by_operation);
    /* The caller gets a snapshot, not the live tree. */
    json_t *copy = j ? json_deep_copy(j) : NULL;
    pthread_mutex_unlock(&c->mu);
    json_decref(j);
    return copy;
}
