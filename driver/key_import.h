/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* C_CreateObject of a private key (PKCS#11 2.40 §4.9, §5.7): the key's
 * parts go to the card in one IMPORT KEY command, on models whose cards
 * take imported keys (the card information's TM_CAP_KEY_IMPORT). */
#ifndef TUMAR_DRIVER_KEY_IMPORT_H
#define TUMAR_DRIVER_KEY_IMPORT_H

#include "driver/module.h"

/* With the slot's lock held (inside tm_session_begin). */
CK_RV tm_key_import(struct tm_session *se, struct tm_slot *slot, const CK_ATTRIBUTE *tmpl,
		    CK_ULONG n, CK_OBJECT_HANDLE *ph);

#endif
