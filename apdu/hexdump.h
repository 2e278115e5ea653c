/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The hex dumps of other tools' logs (OpenSC's, pcsc-spy's): "XX XX XX"
 * pairs a line, an ASCII column after them that must not be read as hex. */
#ifndef TUMAR_APDU_HEXDUMP_H
#define TUMAR_APDU_HEXDUMP_H

#include <stddef.h>
#include <stdint.h>

/* Reads exactly n pairs from p (len bytes), each followed by one space or
 * the end of the line, into out.  TM_OK or TM_ERR_MALFORMED. */
int tm_hexdump_pairs(const char *p, size_t len, size_t n, uint8_t *out);

#endif
