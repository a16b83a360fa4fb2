#ifndef SYNCLINE_CPOSTGRES_SHIM_H
#define SYNCLINE_CPOSTGRES_SHIM_H

#include <libpq-fe.h>

#endif
