/* fuzz_pl_response.c: the PheedLoop client's answer parsers on arbitrary bytes. Input: one byte
 * choosing the parser, then the answer body. A list page's results also go through every
 * record parser, as the iterator's typed walks do. */
#include "fuzz/fuzz.h"
#include "pheedloop/pl_parse.h"

#define MODES 7

/* Every record parser on one JSON value; each must either fail cleanly or hold a reference. */
static void every_record(json_t *item)
{
    pl_attendee a;
    if (pl_parse_attendee(&a, item, NULL) == 0) {
        if (!a.code || !a.raw)
            abort();
        pl_attendee_free(&a);
    }
    pl_registration r;
    if (pl_parse_registration(&r, item, NULL) == 0)
        pl_registration_free(&r);
    pl_event_rec ev;
    if (pl_parse_event(&ev, item, NULL) == 0)
        pl_event_rec_free(&ev);
    pl_member m;
    if (pl_parse_member(&m, item, NULL) == 0)
        pl_member_free(&m);
    pl_tag t;
    if (pl_parse_tag(&t, item, NULL) == 0)
        pl_tag_free(&t);
    pl_announcement an;
    if (pl_parse_announcement(&an, item, NULL) == 0)
        pl_announcement_free(&an);
    pl_hook h;
    if (pl_parse_hook(&h, item, NULL) == 0)
        pl_hook_free(&h);
}

static void list_page(const char *body, size_t len)
{
    pl_list_page p;
    if (pl_parse_list_page(&p, body, len, NULL) != 0)
        return;
    size_t i;
    json_t *item;
    json_array_foreach(p.results, i, item)
    {
        every_record(item);
    }
    pl_list_page_free(&p);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const char *body = (const char *)data + 1;
    size_t len = size - 1;
    pl_attendee a;
    pl_attendee_list l;
    pl_attendance at;
    pl_codes_result cr;
    buf b;
    switch (data[0] % MODES) {
    case 0:
        if (pl_parse_attendee_body(&a, body, len, NULL) == 0)
            pl_attendee_free(&a);
        break;
    case 1:
        if (pl_parse_attendee_array_body(&l, body, len, NULL) == 0)
            pl_attendee_list_free(&l);
        break;
    case 2:
        list_page(body, len);
        break;
    case 3:
        (void)pl_parse_is_invalid_page(body, len);
        break;
    case 4:
        if (pl_parse_attendance(&at, body, len, NULL) == 0)
            pl_attendance_free(&at);
        break;
    case 5:
        if (pl_parse_codes_result(&cr, body, len, NULL) == 0)
            pl_codes_result_free(&cr);
        break;
    default:
        buf_init(&b, 400);
        pl_parse_error_text(&b, body, len);
        if (b.len > 400)
            abort();
        buf_free(&b);
        break;
    }
    return 0;
}
