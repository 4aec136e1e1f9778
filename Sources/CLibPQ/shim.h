#ifndef NEWSWIRE_CLIBPQ_SHIM_H
#define NEWSWIRE_CLIBPQ_SHIM_H

// libpq's client API (https://www.postgresql.org/docs/15/libpq.html). Nothing to wrap:
// the functions we call are neither variadic nor macros.
#include <libpq-fe.h>

#endif
