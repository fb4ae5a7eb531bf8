#ifndef CLIBPQ_SHIM_H
#define CLIBPQ_SHIM_H
#if __has_include(<libpq-fe.h>)
#include <libpq-fe.h>
#else
#include <postgresql/libpq-fe.h>
#endif

/* PG_DIAG_* are macros over character constants; Swift cannot import them. */
static inline int clibpq_diag_sqlstate(void) { return 'C'; }
static inline int clibpq_diag_message_primary(void) { return 'M'; }
static inline int clibpq_diag_message_detail(void) { return 'D'; }
#endif
