#ifndef SYNCLINE_CARGON2_SHIM_H
#define SYNCLINE_CARGON2_SHIM_H

#include <argon2.h>

#endif
