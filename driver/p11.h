/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* PKCS#11 v2.40 from p11-kit's header (never a copied one), with the
 * standard names (CRYPTOKI_COMPAT, p11-kit's default). */
#ifndef TUMAR_DRIVER_P11_H
#define TUMAR_DRIVER_P11_H

#include <stddef.h>

#include <p11-kit/pkcs11.h>

/* Copies s into a fixed PKCS#11 text field, padded with blanks, never
 * NUL-terminated (PKCS#11 2.40 §3.2). */
void tm_p11_pad(unsigned char *field, size_t size, const char *s);

#endif
