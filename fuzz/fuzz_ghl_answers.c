/* fuzz_ghl_answers.c: every HighLevel answer parser on arbitrary bytes. Input: one byte choosing
 * the parser, then the answer body. A parsed record must be fully readable and freed cleanly. */
#include "fuzz/fuzz.h"
#include "ghl/ghl_types.h"

#define PARSERS 12

static void touch(const char *s)
{
    if (s)
        (void)strlen(s);
}

static void contact_check(const ghl_contact *c)
{
    touch(c->id);
    touch(c->email);
    for (size_t i = 0; i < c->n_tags; i++)
        touch(c->tags[i]);
    for (size_t i = 0; i < c->n_custom; i++)
        touch(c->custom[i].id);
}

static void run(int which, const char *body, size_t len)
{
    err e = {0};
    ghl_contact c;
    bool flag = false;
    switch (which) {
    case 0:
        if (ghl_parse_contact_answer(&c, &flag, body, len, &e) == 0) {
            contact_check(&c);
            ghl_contact_clear(&c);
        }
        break;
    case 1:
        if (ghl_parse_duplicate_answer(&c, &flag, body, len, &e) == 0) {
            if (flag)
                contact_check(&c);
            ghl_contact_clear(&c);
        }
        break;
    case 2: {
        ghl_contact_page p;
        if (ghl_parse_contact_page(&p, body, len, &e) == 0) {
            for (size_t i = 0; i < p.n; i++)
                contact_check(&p.v[i]);
            touch(p.next_start_after_id);
            ghl_contact_page_clear(&p);
        }
        break;
    }
    case 3: {
        ghl_task t;
        if (ghl_parse_task_answer(&t, body, len, &e) == 0) {
            touch(t.title);
            ghl_task_clear(&t);
        }
        break;
    }
    case 4: {
        ghl_tasks l;
        if (ghl_parse_tasks(&l, body, len, &e) == 0)
            ghl_tasks_clear(&l);
        break;
    }
    case 5: {
        ghl_note n;
        if (ghl_parse_note_answer(&n, body, len, &e) == 0) {
            touch(n.body);
            ghl_note_clear(&n);
        }
        break;
    }
    case 6: {
        ghl_notes l;
        if (ghl_parse_notes(&l, body, len, &e) == 0)
            ghl_notes_clear(&l);
        break;
    }
    case 7: {
        ghl_appointments l;
        if (ghl_parse_appointments(&l, body, len, &e) == 0)
            ghl_appointments_clear(&l);
        break;
    }
    case 8: {
        ghl_field_defs l;
        if (ghl_parse_field_defs(&l, body, len, &e) == 0) {
            for (size_t i = 0; i < l.n; i++)
                touch(l.v[i].field_key);
            ghl_field_defs_clear(&l);
        }
        break;
    }
    case 9: {
        json_t *tags = NULL;
        if (ghl_parse_tags_answer(&tags, body, len, &e) == 0)
            json_decref(tags);
        break;
    }
    case 10:
        (void)ghl_parse_succeded(body, len, &e);
        break;
    default: {
        ghl_token_answer a;
        if (ghl_parse_token_answer(&a, body, len, &e) == 0) {
            touch(a.access_token);
            ghl_token_answer_clear(&a);
        }
        break;
    }
    }
    (void)strlen(e.msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size == 0)
        return 0;
    /* A copy of exactly the body's size, so that reads past it are caught. */
    size_t len = size - 1;
    char *body = malloc(len ? len : 1);
    if (!body)
        abort();
    memcpy(body, data + 1, len);
    run(data[0] % PARSERS, body, len);
    free(body);
    return 0;
}
