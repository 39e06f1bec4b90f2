#include "store/store_pg_int.h"
void pg_fill_queue(store_vtable *vt) { (void)vt; }
