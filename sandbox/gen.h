/* gen.h: the data generator: realistic people with the mess real systems hold (emails in other
 * case and with spaces, phones in several formats, names in many scripts, missing fields). */
#ifndef PHEEDSYNC_SANDBOX_GEN_H
#define PHEEDSYNC_SANDBOX_GEN_H

#include "util/rng.h"

typedef struct sbx_person {
    char first_name[64];
    char last_name[64];
    char email[128];        /* canonical: lower case, trimmed */
    char phone[32];         /* canonical E.164, "" when missing */
    char organization[96];
    char title[64];
    char address1[96];
    char city[64];
    char state[32];
    char postal_code[16];
    char country[4];        /* ISO 3166 alpha-2 */
    char timezone[40];
} sbx_person;

/* One person drawn from r (about 10% with a missing phone, some without organization). */
void sbx_gen_person(rng *r, sbx_person *out);
/* The same person as another system would hold it: email with changed case or stray spaces,
 * phone in another format ("(415) 555-0134", "415.555.0134", "+1 415 555 0134"), names in
 * other case. Never changes who the person is. */
void sbx_gen_variant(rng *r, const sbx_person *in, sbx_person *out);

#endif
