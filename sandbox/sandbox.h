/* sandbox.h: both emulators on their own loopback ports, seeded, with their shared services:
 * what `pheedsync sandbox`, the demo and the tests start. */
#ifndef PHEEDSYNC_SANDBOX_H
#define PHEEDSYNC_SANDBOX_H

#include "sandbox/ghl/ghl_emu.h"
#include "sandbox/pheedloop/pl_emu.h"

typedef struct sbx_options {
    const char *bind_addr;       /* default 127.0.0.1 */
    uint16_t ghl_port;           /* 0 picks a free port */
    uint16_t pheedloop_port;
    uint64_t seed;               /* generator and faults */
    bool seed_data;              /* generate people (false: empty emulators, for tests) */
    size_t people;               /* default 400: about half on both sides, with other spellings */
    const char *admin_token;     /* default generated */
    sbx_fault_config faults;     /* applied to both emulators at start */
    sbx_ghl_emu_options ghl;
    sbx_pl_emu_options pheedloop;
    /* Other PheedLoop organizations on the same port (key and secret generated when NULL), each
     * with the events pheedloop_org_events[i] names (NULL-terminated; NULL: one, ORG_CODE + "EV1").
     * With seed_data their events get a share of the PheedLoop people. */
    const sbx_pl_emu_options *pheedloop_orgs;
    const char *const *const *pheedloop_org_events;
    size_t n_pheedloop_orgs;
} sbx_options;

typedef struct sbx_sandbox sbx_sandbox;

int sbx_sandbox_start(sbx_sandbox **out, const sbx_options *opts, err *e);
/* {"ghl": {base_url, admin ..., sbx_ghl_emu_info}, "pheedloop": {...}, "admin_token": ...} */
json_t *sbx_sandbox_info(sbx_sandbox *s);
sbx_ghl_emu *sbx_sandbox_ghl(sbx_sandbox *s);
sbx_pl_emu *sbx_sandbox_pheedloop(sbx_sandbox *s);
sbx_service *sbx_sandbox_ghl_service(sbx_sandbox *s);
sbx_service *sbx_sandbox_pheedloop_service(sbx_sandbox *s);
uint16_t sbx_sandbox_ghl_port(sbx_sandbox *s);
uint16_t sbx_sandbox_pheedloop_port(sbx_sandbox *s);
void sbx_sandbox_stop(sbx_sandbox *s);
void sbx_sandbox_free(sbx_sandbox *s);

#endif
