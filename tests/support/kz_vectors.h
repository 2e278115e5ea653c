/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* KalkanCrypt's GOST-512 test vectors (tests/data/kz-gost/kz-gost512.vectors,
 * read from the source tree), for the cmocka tests. */
#ifndef TUMAR_TESTS_KZ_VECTORS_H
#define TUMAR_TESTS_KZ_VECTORS_H

#include <stddef.h>
#include <stdint.h>

/* One "name=hex" line's bytes (msg: its text) into out; asserts that it
 * is there and fits.  Returns the length. */
size_t kz_vector(const char *name, uint8_t *out, size_t cap);

#endif
