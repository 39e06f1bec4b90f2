/* gen_data.h: the generator's tables (names by culture, places, organizations), private to
 * gen.c. */
#ifndef PHEEDSYNC_SANDBOX_GEN_DATA_H
#define PHEEDSYNC_SANDBOX_GEN_DATA_H

#include "util/common.h"

/* A name as written and as it reads in plain ASCII (for email addresses). */
typedef struct gen_name {
    const char *native;
    const char *ascii;
} gen_name;

typedef struct gen_culture {
    const char *label;
    const gen_name *first;
    size_t n_first;
    const gen_name *last;
    size_t n_last;
    unsigned weight; /* relative share of people */
    bool cased;      /* the script has upper and lower case */
} gen_culture;

/* A place: postal patterns use '#' for a digit and '@' for an upper-case letter. */
typedef struct gen_place {
    const char *city;
    const char *state;
    const char *postal;
    const char *country; /* ISO 3166 alpha-2 */
    const char *timezone;
    const char *dial;  /* country calling code, "1", "44" ... */
    const char *phone; /* national number pattern: '#' a digit, 'N' a digit 2-9 */
    const char *streets[4];
    bool number_first; /* "12 Main St" rather than "Hauptstraße 12" */
    unsigned weight;
} gen_place;

extern const gen_culture gen_cultures[];
extern const size_t gen_n_cultures;
extern const gen_place gen_places[];
extern const size_t gen_n_places;
extern const char *const gen_organizations[];
extern const size_t gen_n_organizations;
extern const char *const gen_titles[];
extern const size_t gen_n_titles;
extern const char *const gen_handles[];
extern const size_t gen_n_handles;
extern const char *const gen_mail_domains[];
extern const size_t gen_n_mail_domains;

#endif
