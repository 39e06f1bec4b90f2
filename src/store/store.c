/* store.c: opening a store by URL, argument checks, and dispatch to the backend's vtable. */
#include "store/store_backend.h"

#define VT(s) ((s)->vt)

/* Every required text argument goes through here, so backends may trust them. */
static bool bad(const char *v)
{
    return v == NULL || v[0] == '\0';
}

static int need(err *e, const char *v, const char *what)
{
    if (bad(v))
        return err_set(e, ERR_INVALID, "store: %s must be a non-empty string", what);
    return 0;
}

static int need_handle(const store *s, err *e)
{
    if (!s)
        return err_set(e, ERR_INVALID, "store: no store handle");
    return 0;
}

/* Appends src[0..len) to out (size n) at *at, cut to fit. */
static void put(char *out, size_t n, size_t *at, const char *src, size_t len)
{
    while (len-- > 0 && *at + 1 < n)
        out[(*at)++] = *src++;
    out[*at] = '\0';
}

void store_url_shown(char *out, size_t n, const char *url)
{
    size_t at = 0;
    out[0] = '\0';
    /* scheme://user:password@host/...: the password becomes *** */
    const char *scheme = strstr(url, "://");
    const char *auth = scheme ? scheme + 3 : NULL;
    const char *end = NULL; /* the last '@' of the authority (a password may hold one) */
    for (const char *c = auth; c && *c && *c != '/' && *c != '?'; c++)
        end = *c == '@' ? c : end;
    const char *colon = end ? memchr(auth, ':', (size_t)(end - auth)) : NULL;
    const char *p = url;
    if (colon) {
        put(out, n, &at, url, (size_t)(colon - url) + 1);
        put(out, n, &at, "***", 3);
        p = end;
    }
    /* ...?password=secret&...: the same */
    while (*p) {
        bool boundary = p > url && (p[-1] == '?' || p[-1] == '&');
        if (boundary && strncmp(p, "password=", 9) == 0) {
            put(out, n, &at, "password=***", 12);
            p += 9 + strcspn(p + 9, "&");
        } else {
            put(out, n, &at, p, 1);
            p++;
        }
    }
}

bool store_url_postgresql(const char *url)
{
    return url && (strncmp(url, "postgresql://", 13) == 0 || strncmp(url, "postgres://", 11) == 0);
}

int store_open(store **out, const char *url, clock_source *clock, err *e)
{
    if (!out || bad(url))
        return err_set(e, ERR_CONFIG, "store: url is empty; use sqlite:PATH or postgresql://...");
    if (!clock)
        clock = clock_system();
    if (strncmp(url, "sqlite:", 7) == 0) {
        const char *path = url + 7;
        if (strncmp(path, "//", 2) == 0)
            path += 2; /* sqlite:///abs/path is accepted as a courtesy */
        if (path[0] == '\0')
            return err_set(e, ERR_CONFIG, "store url '%s': no file path after 'sqlite:'", url);
        return store_sqlite_open(out, path, clock, e);
    }
    char shown[STORE_URL_SHOWN_MAX];
    store_url_shown(shown, sizeof shown, url);
    if (store_url_postgresql(url))
        return store_pg_open(out, url, shown, clock, e);
    return err_set(e, ERR_CONFIG,
                   "store url '%s': unknown kind; use sqlite:PATH or postgresql://...", shown);
}

void store_close(store *s)
{
    if (s)
        VT(s)->close(s);
}

const char *store_backend(const store *s)
{
    return s ? VT(s)->name : "none";
}

int store_schema_latest(void)
{
    return STORE_SCHEMA_LATEST;
}

int store_schema_version(int *out_current, int *out_supported, store *s, err *e)
{
    int cur = 0;
    int rc = need_handle(s, e);
    if (rc == 0)
        rc = VT(s)->schema_version(&cur, s, e);
    if (rc != 0)
        return rc;
    if (out_current)
        *out_current = cur;
    if (out_supported)
        *out_supported = STORE_SCHEMA_LATEST;
    return 0;
}

int64_t store_now(const store *s)
{
    return clock_now_ms(s->clock);
}

/* ------------------------------------------------------------------ links */

int store_bind_link(store *s, const char *link, err *e)
{
    int rc = need_handle(s, e);
    if (rc != 0)
        return rc;
    if (link && strlen(link) > STORE_LINK_MAX)
        return err_set(e, ERR_INVALID, "store: link name longer than %d bytes", STORE_LINK_MAX);
    s->bound = link != NULL;
    snprintf(s->link, sizeof s->link, "%s", link ? link : "");
    return 0;
}

const char *store_bound_link(const store *s)
{
    return s && s->bound ? s->link : NULL;
}

const char *store_link_for_append(const store *s, const char *link)
{
    return link ? link : s->link; /* unbound: "", the default link */
}

const char *store_link_scope(const store *s)
{
    return s->bound ? s->link : NULL;
}

/* ------------------------------------------------------------------ transactions */

int store_begin(store *s, err *e)
{
    int rc = need_handle(s, e);
    if (rc != 0)
        return rc;
    if (s->in_tx)
        return err_set(e, ERR_BAD_STATE, "store: a transaction is already open on this handle");
    rc = VT(s)->begin(s, e);
    if (rc == 0)
        s->in_tx = true;
    return rc;
}

int store_commit(store *s, err *e)
{
    int rc = need_handle(s, e);
    if (rc != 0)
        return rc;
    if (!s->in_tx)
        return err_set(e, ERR_BAD_STATE, "store: commit without a transaction");
    rc = VT(s)->commit(s, e);
    s->in_tx = false; /* a failed commit is rolled back by the backend */
    return rc;
}

int store_rollback(store *s, err *e)
{
    int rc = need_handle(s, e);
    if (rc != 0 || !s->in_tx)
        return rc;
    s->in_tx = false;
    return VT(s)->rollback(s, e);
}

bool store_in_transaction(const store *s)
{
    return s && s->in_tx;
}

/* ------------------------------------------------------------------ tokens, locks, deliveries */

int store_token_put(store *s, const char *service, const char *account, const char *sealed,
                    int64_t expires_ms, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0)
        rc = need(e, service, "service");
    if (rc == 0)
        rc = need(e, account, "account");
    if (rc == 0)
        rc = need(e, sealed, "sealed token");
    return rc != 0 ? rc : VT(s)->token_put(s, service, account, sealed, expires_ms, e);
}

int store_token_get(char **out_sealed, int64_t *out_expires_ms, store *s, const char *service,
                    const char *account, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && !out_sealed)
        rc = err_set(e, ERR_INVALID, "store: token_get needs an output");
    if (rc == 0)
        rc = need(e, service, "service");
    if (rc == 0)
        rc = need(e, account, "account");
    return rc != 0 ? rc : VT(s)->token_get(out_sealed, out_expires_ms, s, service, account, e);
}

int store_token_delete(store *s, const char *service, const char *account, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0)
        rc = need(e, service, "service");
    if (rc == 0)
        rc = need(e, account, "account");
    return rc != 0 ? rc : VT(s)->token_delete(s, service, account, e);
}

int store_lock_try(bool *out_got, store *s, const char *name, const char *owner, int64_t ttl_ms,
                   err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!out_got || ttl_ms <= 0))
        rc = err_set(e, ERR_INVALID, "store: lock_try needs an output and a positive ttl");
    if (rc == 0)
        rc = need(e, name, "lock name");
    if (rc == 0)
        rc = need(e, owner, "lock owner");
    return rc != 0 ? rc : VT(s)->lock_try(out_got, s, name, owner, ttl_ms, e);
}

int store_lock_release(store *s, const char *name, const char *owner, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0)
        rc = need(e, name, "lock name");
    if (rc == 0)
        rc = need(e, owner, "lock owner");
    return rc != 0 ? rc : VT(s)->lock_release(s, name, owner, e);
}

int store_delivery_seen_or_insert(bool *out_seen, store *s, const char *source, const char *id,
                                  err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && !out_seen)
        rc = err_set(e, ERR_INVALID, "store: delivery_seen_or_insert needs an output");
    if (rc == 0)
        rc = need(e, source, "delivery source");
    if (rc == 0)
        rc = need(e, id, "delivery id");
    return rc != 0 ? rc : VT(s)->delivery_seen_or_insert(out_seen, s, source, id, e);
}

int store_delivery_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e)
{
    int rc = need_handle(s, e);
    return rc != 0 ? rc : VT(s)->delivery_purge(out_removed, s, before_ms, e);
}

/* ------------------------------------------------------------------ inbox */

int store_inbox_append(int64_t *out_id, store *s, const store_hint_new *h, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!h || h->delay_ms < 0))
        rc = err_set(e, ERR_INVALID, "store: inbox_append needs a hint with delay >= 0");
    if (rc == 0)
        rc = need(e, h->source, "hint source");
    if (rc == 0)
        rc = need(e, h->kind, "hint kind");
    if (rc == 0)
        rc = need(e, h->record_key, "hint record_key");
    if (rc == 0)
        rc = need(e, h->payload, "hint payload");
    if (rc == 0 && h->link && strlen(h->link) > STORE_LINK_MAX)
        rc = err_set(e, ERR_INVALID, "store: hint link longer than %d bytes", STORE_LINK_MAX);
    return rc != 0 ? rc : VT(s)->inbox_append(out_id, s, h, e);
}

int store_inbox_claim(store_hints *out, store *s, const char *owner, int64_t lease_ms, size_t max,
                      err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!out || lease_ms <= 0 || max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID,
                     "store: inbox_claim needs an output, lease > 0, 0 < max <= "
                     "10000");
    if (rc == 0)
        rc = need(e, owner, "claim owner");
    return rc != 0 ? rc : VT(s)->inbox_claim(out, s, owner, lease_ms, max, e);
}

int store_inbox_ack(store *s, const store_hint *h, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!h || bad(h->record_key)))
        rc = err_set(e, ERR_INVALID, "store: inbox_ack needs a claimed hint");
    return rc != 0 ? rc : VT(s)->inbox_ack(s, h, e);
}

int store_inbox_defer(store *s, const store_hint *h, int64_t not_before_ms, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!h || bad(h->record_key)))
        rc = err_set(e, ERR_INVALID, "store: inbox_defer needs a claimed hint");
    return rc != 0 ? rc : VT(s)->inbox_defer(s, h, not_before_ms, e);
}

/* ------------------------------------------------------------------ outbox and dead letters */

static int check_op_new(const store_op_new *op, err *e)
{
    if (!op)
        return err_set(e, ERR_INVALID, "store: no operation");
    if (op->lane < STORE_LANE_LIVE || op->lane > STORE_LANE_RECONCILE)
        return err_set(e, ERR_INVALID, "store: operation lane %d is not 0..2", op->lane);
    int rc = need(e, op->service, "operation service");
    if (rc == 0)
        rc = need(e, op->account, "operation account");
    if (rc == 0)
        rc = need(e, op->kind, "operation kind");
    if (rc == 0)
        rc = need(e, op->record_key, "operation record_key");
    if (rc == 0)
        rc = need(e, op->payload, "operation payload");
    if (rc == 0)
        rc = need(e, op->idem_key, "operation idem_key");
    if (rc == 0 && op->link && strlen(op->link) > STORE_LINK_MAX)
        rc = err_set(e, ERR_INVALID, "store: operation link longer than %d bytes", STORE_LINK_MAX);
    return rc;
}

static int check_claimed(const store *s, const store_op *op, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!op || op->id <= 0 || op->claim <= 0))
        rc = err_set(e, ERR_INVALID, "store: not a claimed operation");
    return rc;
}

int store_outbox_enqueue(int64_t *out_id, bool *out_dup, store *s, const store_op_new *op, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && !out_id)
        rc = err_set(e, ERR_INVALID, "store: outbox_enqueue needs an output");
    if (rc == 0)
        rc = check_op_new(op, e);
    return rc != 0 ? rc : VT(s)->outbox_enqueue(out_id, out_dup, s, op, e);
}

int store_outbox_claim(store_ops *out, store *s, const char *owner, int64_t lease_ms,
                       const char *service, size_t max, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!out || lease_ms <= 0 || max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID,
                     "store: outbox_claim needs an output, lease > 0, 0 < max <= "
                     "10000");
    if (rc == 0)
        rc = need(e, owner, "claim owner");
    if (rc == 0 && service && !service[0])
        rc = err_set(e, ERR_INVALID, "store: service filter is empty (NULL means any)");
    return rc != 0 ? rc : VT(s)->outbox_claim(out, s, owner, lease_ms, service, max, e);
}

int store_outbox_intent(store *s, store_op *op, err *e)
{
    int rc = check_claimed(s, op, e);
    return rc != 0 ? rc : VT(s)->outbox_intent(s, op, e);
}

int store_outbox_extend(store *s, const store_op *op, int64_t lease_ms, err *e)
{
    int rc = check_claimed(s, op, e);
    if (rc == 0 && lease_ms <= 0)
        rc = err_set(e, ERR_INVALID, "store: lease must be positive");
    return rc != 0 ? rc : VT(s)->outbox_extend(s, op, lease_ms, e);
}

int store_outbox_complete(store *s, const store_op *op, err *e)
{
    int rc = check_claimed(s, op, e);
    return rc != 0 ? rc : VT(s)->outbox_complete(s, op, e);
}

int store_outbox_retry(store *s, const store_op *op, int64_t not_before_ms, const char *error,
                       bool maybe_applied, err *e)
{
    int rc = check_claimed(s, op, e);
    return rc != 0 ? rc : VT(s)->outbox_retry(s, op, not_before_ms, error, maybe_applied, e);
}

int store_outbox_dead(store *s, const store_op *op, const char *error_class, const char *message,
                      const char *request, err *e)
{
    int rc = check_claimed(s, op, e);
    if (rc == 0)
        rc = need(e, error_class, "error class");
    if (rc == 0 && !message)
        message = "";
    return rc != 0 ? rc : VT(s)->outbox_dead(s, op, error_class, message, request, e);
}

int store_outbox_purge(int64_t *out_removed, store *s, int64_t before_ms, err *e)
{
    int rc = need_handle(s, e);
    return rc != 0 ? rc : VT(s)->outbox_purge(out_removed, s, before_ms, e);
}

int store_dead_list(store_deads *out, store *s, int64_t after_id, size_t max, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && (!out || max == 0 || max > 10000))
        rc = err_set(e, ERR_INVALID, "store: dead_list needs an output and 0 < max <= 10000");
    return rc != 0 ? rc : VT(s)->dead_list(out, s, after_id, max, e);
}

int store_dead_get(store_dead **out, store *s, int64_t id, err *e)
{
    int rc = need_handle(s, e);
    if (rc == 0 && !out)
        rc = err_set(e, ERR_INVALID, "store: dead_get needs an output");
    return rc != 0 ? rc : VT(s)->dead_get(out, s, id, e);
}

int store_dead_replay(store *s, int64_t id, err *e)
{
    int rc = need_handle(s, e);
    return rc != 0 ? rc : VT(s)->dead_replay(s, id, e);
}

int store_dead_drop(store *s, int64_t id, err *e)
{
    int rc = need_handle(s, e);
    return rc != 0 ? rc : VT(s)->dead_drop(s, id, e);
}
