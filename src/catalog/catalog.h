/* catalog.h: every action (API operation) and trigger (webhook event) of HighLevel and PheedLoop
 * that pheedsync knows, in one table; `pheedsync catalog` lists it and `pheedsync call` runs any
 * action from it, so no operation needs code of its own to be callable. */
#ifndef PHEEDSYNC_CATALOG_H
#define PHEEDSYNC_CATALOG_H

#include "util/buf.h"
#include "util/err.h"

#include <jansson.h>

typedef enum catalog_service { CATALOG_GHL = 0, CATALOG_PHEEDLOOP } catalog_service;

typedef struct catalog_action {
    catalog_service service;
    const char *name;    /* "contacts.get": stable, used by `call` and in rules */
    const char *method;  /* GET, POST, PUT, PATCH, DELETE */
    const char *path;    /* below the service root; {param} segments; PheedLoop paths are below
                            /api/v3/organization/{org}/, which the caller prefixes */
    const char *scope;   /* HighLevel OAuth scope; NULL for PheedLoop */
    bool body;           /* takes a JSON body */
    bool creates;        /* creates something: never repeated blindly */
    const char *summary;
} catalog_action;

typedef struct catalog_trigger {
    catalog_service service;
    const char *name;    /* "ContactCreate", "attendee.updated" */
    const char *summary;
} catalog_trigger;

const char *catalog_service_name(catalog_service s); /* "ghl" | "pheedloop" */
int catalog_service_parse(catalog_service *out, const char *name, err *e);

/* The tables; each ends with an entry whose name is NULL. */
const catalog_action *catalog_actions(void);
const catalog_trigger *catalog_triggers(void);
const catalog_action *catalog_find(catalog_service s, const char *name);

/* A request built from an action and `key=value` arguments: path parameters fill the {param}
 * segments; for actions with a body the other arguments become JSON members (a value that
 * parses as JSON is taken as JSON, else as a string; body= starting with '{' or '[' is the
 * whole body and must parse, any other body= is a member like the rest); otherwise
 * they become the query string. */
typedef struct catalog_request {
    buf path;   /* path with parameters filled and the query appended */
    char *body; /* JSON text or NULL; free() it */
} catalog_request;

int catalog_build(catalog_request *out, const catalog_action *a, int argc, char *const *argv,
                  err *e);
void catalog_request_free(catalog_request *r);

/* The whole catalog as JSON: {"actions": [...], "triggers": [...]} */
json_t *catalog_json(void);

#endif
