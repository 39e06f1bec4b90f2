/* ghl_fuzz_common.h: what the HighLevel emulator's fuzz targets share: a location with the
 * sandbox's custom fields and a contact to match against, built without a running emulator. */
#ifndef PHEEDSYNC_FUZZ_GHL_COMMON_H
#define PHEEDSYNC_FUZZ_GHL_COMMON_H

#include "fuzz/fuzz.h"
#include "sandbox/ghl/ghl_state.h"

static inline void fuzz_ghl_location(sbx_ghl_location *loc)
{
    memset(loc, 0, sizeof(*loc));
    snprintf(loc->id, sizeof(loc->id), "ve9EPM428h8vShlRW1KT");
    loc->custom_fields = json_pack(
        "[{s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}, {s:s, s:s, s:s}]", "id",
        "TicketTypeField00001", "fieldKey", "contact.ticket_type", "dataType", "SINGLE_OPTIONS",
        "id", "DietaryField00000001", "fieldKey", "contact.dietary", "dataType", "TEXT", "id",
        "CompanySizeField0001", "fieldKey", "contact.company_size", "dataType", "NUMERICAL", "id",
        "InterestsField000001", "fieldKey", "contact.interests", "dataType", "MULTIPLE_OPTIONS");
}

/* Parses data as a JSON body; NULL when it is not JSON. */
static inline json_t *fuzz_ghl_body(const uint8_t *data, size_t size)
{
    json_t *j = NULL;
    err e = {0};
    if (jsonx_parse(&j, data, size, "body", &e) != 0) {
        if (e.msg[0] == '\0')
            abort();
        return NULL;
    }
    return j;
}

#endif
