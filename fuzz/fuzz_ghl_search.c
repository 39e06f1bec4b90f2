/* fuzz_ghl_search.c: the HighLevel emulator's POST /contacts/search body: parse, then match and
 * order a contact with it. */
#include "fuzz/ghl_fuzz_common.h"

#include "sandbox/ghl/ghl_query.h"

static sbx_ghl_contact *sample_contact(sbx_ghl_location *loc)
{
    sbx_ghl_contact *c = sbx_ghl_contact_alloc(loc);
    json_t *body =
        json_pack("{s:s, s:s, s:s, s:s, s:[s, s], s:[{s:s, s:s}]}", "firstName", "Ada", "lastName",
                  "Lovelace", "email", "ada@example.com", "phone", "+14155550134", "tags", "vip",
                  "speaker", "customFields", "key", "dietary", "field_value", "vegan");
    json_t *patch = NULL;
    sbx_ghl_fail f = {0};
    if (c && sbx_ghl_contact_patch_parse(&patch, body, loc, SBX_GHL_IN_CREATE, &f) == 0) {
        sbx_ghl_change ch;
        sbx_ghl_contact_patch_apply(c, patch, &ch);
        snprintf(c->id, sizeof(c->id), "FuzzContact000000001");
        c->added_ms = 1700000000000;
        c->updated_ms = 1700000001000;
    }
    sbx_ghl_fail_clear(&f);
    json_decref(patch);
    json_decref(body);
    return c;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_ghl_body(data, size);
    if (!body)
        return 0;
    sbx_ghl_location loc;
    fuzz_ghl_location(&loc);
    sbx_ghl_search *s = NULL;
    sbx_ghl_fail f = {0};
    if (sbx_ghl_search_parse(&s, body, &f) == 0) {
        sbx_ghl_contact *c = sample_contact(&loc);
        if (c) {
            (void)sbx_ghl_search_match(s, c);
            json_t *keys = sbx_ghl_search_keys(s, c);
            if (json_array_size(keys) != s->n_sort + 1 || sbx_ghl_search_cmp(s, keys, keys) != 0)
                abort();
            if (s->search_after)
                (void)sbx_ghl_search_cmp(s, keys, s->search_after);
            json_decref(keys);
            sbx_ghl_contact_free(c);
        }
        sbx_ghl_search_free(s);
    } else if (f.status != 400 || f.message[0] == '\0') {
        abort();
    }
    sbx_ghl_fail_clear(&f);
    json_decref(loc.custom_fields);
    json_decref(body);
    return 0;
}
