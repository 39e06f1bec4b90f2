/* fuzz_pl_request.c: the PheedLoop emulator's request parsers on arbitrary bytes: the first byte
 * picks a route handler, the rest is its body (or, for the page parser, the page and page_size
 * arguments and a list length). Every answer must be a known status with a JSON body. */
#include "fuzz/fuzz.h"
#include "sandbox/pheedloop/pl_internal.h"
#include "util/jsonx.h"

#define EVENT "EVEFUZZ"

typedef struct target {
    sbx_pl_handler fn;
    const char *method;
} target;

static const target targets[] = {
    {sbx_pl_h_attendee_create, "POST"},     {sbx_pl_h_attendee_patch, "PATCH"},
    {sbx_pl_h_bulk_create, "POST"},         {sbx_pl_h_bulk_patch, "PATCH"},
    {sbx_pl_h_bulk_delete, "DELETE"},       {sbx_pl_h_checkin, "POST"},
    {sbx_pl_h_checkout, "DELETE"},          {sbx_pl_h_member_create, "POST"},
    {sbx_pl_h_member_patch, "PATCH"},       {sbx_pl_h_members_bulk_create, "POST"},
    {sbx_pl_h_members_bulk_patch, "PATCH"}, {sbx_pl_h_event_patch, "PATCH"},
    {sbx_pl_h_ctag_create, "POST"},         {sbx_pl_h_ann_create, "POST"},
    {sbx_pl_h_hook_create, "POST"},         {sbx_pl_h_hook_put, "PUT"},
    {sbx_pl_h_ui_register, "POST"},         {sbx_pl_h_ui_patch, "PATCH"},
    {sbx_pl_h_admin_event, "POST"},         {sbx_pl_h_admin_tag, "POST"},
};

/* The page parser: "page\0page_size\0" then up to two bytes of list length. */
static void fuzz_page(const uint8_t *data, size_t size)
{
    char page[64] = "", page_size[64] = "";
    size_t i = 0, k = 0;
    for (; i < size && data[i] && k + 1 < sizeof page; i++)
        page[k++] = (char)data[i];
    for (i++, k = 0; i < size && data[i] && k + 1 < sizeof page_size; i++)
        page_size[k++] = (char)data[i];
    size_t count = 0;
    for (i++; i < size; i++)
        count = (count << 8 | data[i]) & 0xffff;
    sbx_pl_page_sel sel;
    if (sbx_pl_page_select(&sel, page[0] ? page : NULL, page_size[0] ? page_size : NULL, count)) {
        if (sel.page < 1 || sel.page > sel.pages || sel.size < 1 || sel.size > SBX_PL_PAGE_MAX ||
            sel.from + sel.n > count || (count > 0 && sel.n == 0))
            abort();
    }
}

static void seed(sbx_pl_emu *p, char att[SBX_PL_CODE_MAX], char mbr[SBX_PL_CODE_MAX])
{
    sbx_pl_event *ev = NULL;
    if (sbx_pl_event_add(p, EVENT, "Fuzz", "2027-01-01", NULL, NULL, &ev, NULL) != 0)
        abort();
    sbx_pl_event_tag_add(p, ev, "VIP", NULL);
    json_t *f =
        json_pack("{s:s, s:s, s:s}", "first_name", "F", "last_name", "Z", "email", "f@z.io");
    json_t *a = sbx_pl_att_create(p, ev, f, SBX_PL_FROM_SEED);
    json_t *m = sbx_pl_member_seed(p, f);
    json_decref(f);
    if (!a || !m)
        abort();
    snprintf(att, SBX_PL_CODE_MAX, "%s", jsonx_str(a, "code"));
    snprintf(mbr, SBX_PL_CODE_MAX, "%s", jsonx_str(m, "code"));
    json_array_append_new(ev->hooks, json_pack("{s:i, s:s, s:s, s:s}", "id", 1, "event", EVENT,
                                               "action", "*", "endpoint", "http://127.0.0.1:9/"));
}

static void check_answer(const http_response *res)
{
    static const int ok[] = {200, 201, 204, 400, 404, 405, 409};
    bool known = false;
    for (size_t i = 0; i < PS_ARRAY_LEN(ok); i++)
        known |= res->status == ok[i];
    if (!known)
        abort();
    if (res->status == 204)
        return;
    json_t *j = json_loadb(res->body.ptr ? res->body.ptr : "", res->body.len, 0, NULL);
    if (!j)
        abort();
    if (res->status == 400 && json_is_object(j)) {
        /* A refusal names at least one field, each with at least one message. */
        const char *key;
        json_t *msgs;
        if (json_object_size(j) == 0)
            abort();
        json_object_foreach(j, key, msgs)
        {
            if (strcmp(key, "detail") != 0 && !json_is_string(json_array_get(msgs, 0)))
                abort();
        }
    }
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    size_t pick = data[0] % (PS_ARRAY_LEN(targets) + 1);
    if (pick == PS_ARRAY_LEN(targets)) {
        fuzz_page(data + 1, size - 1);
        return 0;
    }
    clock_source clock;
    clock_fake_init(&clock, 1795766400000LL);
    sbx_service svc = {.name = "pheedloop", .clock = &clock, .seed = 1};
    sbx_pl_emu *p = NULL;
    if (sbx_pl_emu_new(&p, NULL, &svc, NULL) != 0)
        return 0;
    char att[SBX_PL_CODE_MAX], mbr[SBX_PL_CODE_MAX];
    seed(p, att, mbr);
    /* The body is a copy of exactly the input's size, NUL after it as the server keeps it. */
    unsigned char *body = malloc(size);
    memcpy(body, data + 1, size - 1);
    body[size - 1] = '\0';
    bool member = targets[pick].fn == sbx_pl_h_member_patch;
    http_request req = {
        .method = targets[pick].method,
        .path = "/fuzz/",
        .body = body,
        .body_len = size - 1,
        .n_params = 3,
        .param_names = {"event", "code", "id"},
        .param_values = {EVENT, member ? mbr : att, "1"},
    };
    http_response res;
    http_response_init(&res, 16u << 20);
    targets[pick].fn(p, &req, &res);
    check_answer(&res);
    http_response_clear(&res);
    free(body);
    sbx_pl_emu_free(p);
    return 0;
}
