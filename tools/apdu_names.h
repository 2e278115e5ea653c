/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Names of commands for people: ISO 7816 interindustry, Tumar's own and
 * JaCarta PKI's LASER ones. */
#ifndef TUMAR_TOOLS_APDU_NAMES_H
#define TUMAR_TOOLS_APDU_NAMES_H

#include <stdint.h>

/* "SELECT", "VERIFY", ...; "INS xx" for unknown ones (into buf). */
const char *tm_ins_name(uint8_t cla, uint8_t ins, char *buf, unsigned cap);

/* What P1-P2 say for the commands where they say something ("by AID",
 * "user PIN", "log out", "sign (key and algorithm in the data)"), or "". */
const char *tm_p1p2_meaning(uint8_t ins, uint8_t p1, uint8_t p2);

#endif
