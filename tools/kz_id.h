/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Kazakh identification numbers: the IIN of a person and the BIN of an
 * organisation, 12 digits with a check digit. */
#ifndef TUMAR_TOOLS_KZ_ID_H
#define TUMAR_TOOLS_KZ_ID_H

#include <stdbool.h>

/* True when s is 12 digits whose last is the check digit of the first 11
 * (the same rule for IIN and BIN). */
bool tt_kz_id_valid(const char *s);

#endif
