/* fuzz_ghl_contact.c: the HighLevel emulator's contact bodies (create, update, upsert): parse,
 * apply to a contact, and render it as the API and the webhooks do. */
#include "fuzz/ghl_fuzz_common.h"

static void check_rendering(const sbx_ghl_contact *c)
{
    json_t *j = sbx_ghl_contact_json(c);
    json_t *p = sbx_ghl_contact_event_payload("ContactUpdate", c);
    /* Every rendered string field is a string, every custom field has an id. */
    const char *k;
    json_t *v;
    json_object_foreach(j, k, v)
    {
        if (json_is_null(v))
            abort();
    }
    size_t i;
    json_array_foreach(json_object_get(j, "customFields"), i, v)
    {
        if (!jsonx_str(v, "id"))
            abort();
    }
    char *dump = jsonx_dumps(p);
    free(dump);
    json_decref(p);
    json_decref(j);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    json_t *body = fuzz_ghl_body(data, size);
    if (!body)
        return 0;
    sbx_ghl_location loc;
    fuzz_ghl_location(&loc);
    static const int modes[] = {SBX_GHL_IN_CREATE, SBX_GHL_IN_UPDATE, SBX_GHL_IN_UPSERT};
    for (size_t m = 0; m < PS_ARRAY_LEN(modes); m++) {
        json_t *patch = NULL;
        sbx_ghl_fail f = {0};
        if (sbx_ghl_contact_patch_parse(&patch, body, &loc, modes[m], &f) != 0) {
            if (f.status < 400 || f.status > 500 || f.message[0] == '\0')
                abort();
            sbx_ghl_fail_clear(&f);
            continue;
        }
        sbx_ghl_contact *c = sbx_ghl_contact_alloc(&loc);
        if (c) {
            sbx_ghl_change ch;
            snprintf(c->id, sizeof(c->id), "FuzzContact000000001");
            sbx_ghl_contact_patch_apply(c, patch, &ch);
            /* The same patch twice changes nothing the second time. */
            sbx_ghl_contact_patch_apply(c, patch, &ch);
            if (ch.fields || ch.tags || ch.dnd)
                abort();
            check_rendering(c);
            sbx_ghl_contact_free(c);
        }
        json_decref(patch);
    }
    json_decref(loc.custom_fields);
    json_decref(body);
    return 0;
}
