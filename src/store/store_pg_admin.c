#include "store/store_pg_int.h"
void pg_fill_admin(store_vtable *vt) { (void)vt; }
