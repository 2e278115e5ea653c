/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Tumar's one extension beyond PKCS#11 2.40, for tumar-tool: a PIN's
 * tries left and the card's own rules for it.  PKCS#11 shows only "count
 * low", "final try" and "locked", and lengths; a token owner wants the
 * number, and a tool should check a new PIN against the card's character
 * rules before a try is spent.  Found with dlsym(); a tool that finds it
 * missing (another vendor's module) falls back to the flags.
 */
#ifndef TUMAR_DRIVER_VENDOR_H
#define TUMAR_DRIVER_VENDOR_H

#include "driver/p11.h"

#define TUMAR_GET_PIN_INFO "tumar_GetPinInfo"

/* Character classes of struct tumar_pin_info (the card's own bits). */
#define TUMAR_PIN_DIGIT 0x01
#define TUMAR_PIN_LOWER 0x02
#define TUMAR_PIN_UPPER 0x04
#define TUMAR_PIN_OTHER 0x08 /* other printable ASCII */

struct tumar_pin_info {
	CK_ULONG tries_left, tries_max;
	CK_ULONG min_len, max_len;
	CK_FLAGS allowed;  /* classes a PIN may use */
	CK_FLAGS required; /* classes a PIN must use */
};

/* user is CKU_USER or CKU_SO.  Answers from what the card said when last
 * asked (as C_GetTokenInfo does): no APDU.  CKR codes as C_GetTokenInfo;
 * CKR_ARGUMENTS_BAD for a NULL info, CKR_USER_TYPE_INVALID. */
typedef CK_RV (*tumar_GetPinInfo_fn)(CK_SLOT_ID slot, CK_USER_TYPE user,
				     struct tumar_pin_info *info);

#endif
