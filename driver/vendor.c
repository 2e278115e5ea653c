/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The vendor extension of driver/vendor.h. */
#include <config.h>

#include <string.h>

#include "apdu/protocol.h"
#include "driver/module.h"
#include "driver/vendor.h"

_Static_assert(TUMAR_PIN_DIGIT == TM_CHARS_DIGIT && TUMAR_PIN_LOWER == TM_CHARS_LOWER &&
	       TUMAR_PIN_UPPER == TM_CHARS_UPPER && TUMAR_PIN_OTHER == TM_CHARS_OTHER,
	       "vendor.h shows the card's character classes as they are");

__attribute__((visibility("default")))
CK_RV tumar_GetPinInfo(CK_SLOT_ID slot, CK_USER_TYPE user, struct tumar_pin_info *info);

CK_RV tumar_GetPinInfo(CK_SLOT_ID slot, CK_USER_TYPE user, struct tumar_pin_info *info)
{
	struct tm_slot *s;
	CK_RV rv;

	if (info == NULL)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_ARGUMENTS_BAD;
	if (user != CKU_USER && user != CKU_SO)
		return tm_check_init() != CKR_OK ? CKR_CRYPTOKI_NOT_INITIALIZED : CKR_USER_TYPE_INVALID;
	if ((rv = tm_slot_begin(slot, &s)) != CKR_OK)
		return rv;
	if (s->token == NULL) {
		rv = CKR_TOKEN_NOT_PRESENT;
	} else {
		const struct tm_pin_state *p = &s->token->pins[user == CKU_SO ? 1 : 0];
		memset(info, 0, sizeof(*info));
		info->tries_left = p->tries_left;
		info->tries_max = p->tries_max;
		info->min_len = p->min_len;
		info->max_len = p->max_len;
		info->allowed = p->allowed;
		info->required = p->required;
	}
	tm_slot_end(s);
	return rv;
}
