/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* Values out of application templates (CK_ATTRIBUTE arrays). */
#ifndef TUMAR_DRIVER_TEMPLATE_H
#define TUMAR_DRIVER_TEMPLATE_H

#include <stdbool.h>
#include <stddef.h>

#include "driver/p11.h"

/* tm_attr_bool: the CK_BBOOL's value, or 2 when it is not one. */
CK_BBOOL tm_attr_bool(const CK_ATTRIBUTE *a);
/* CKA_EC_PARAMS naming P-256 by its OID. */
bool tm_attr_is_p256(const CK_ATTRIBUTE *a);
/* Copies the value (at most max bytes, else CKR_ATTRIBUTE_VALUE_INVALID). */
CK_RV tm_attr_take(const CK_ATTRIBUTE *a, void *dst, size_t max, size_t *len);

/* A CK_DATE attribute (PKCS#11 2.40 §3.3): empty, or eight digits
 * "YYYYMMDD", copied to dst.  CKR_OK or CKR_ATTRIBUTE_VALUE_INVALID. */
CK_RV tm_attr_date(const CK_ATTRIBUTE *a, char *dst, size_t *len);

#endif
