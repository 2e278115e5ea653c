/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "ckr.h"

#include "apdu/rc.h"

static const struct {
	int rc;
	CK_RV ckr;
} table[] = {
	{.rc = TM_OK, .ckr = CKR_OK},
	{.rc = TM_ERR_ARGS, .ckr = CKR_ARGUMENTS_BAD},
	{.rc = TM_ERR_NO_MEMORY, .ckr = CKR_HOST_MEMORY},
	{.rc = TM_ERR_BUFFER_TOO_SMALL, .ckr = CKR_BUFFER_TOO_SMALL},
	{.rc = TM_ERR_MALFORMED, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_NOT_FOUND, .ckr = CKR_OBJECT_HANDLE_INVALID},
	{.rc = TM_ERR_TRANSPORT, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_NO_CARD, .ckr = CKR_TOKEN_NOT_PRESENT},
	{.rc = TM_ERR_CARD_REMOVED, .ckr = CKR_DEVICE_REMOVED},
	{.rc = TM_ERR_CARD_RESET, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_TIMEOUT, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_RESPONSE_TOO_LONG, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_PROTOCOL, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_PIN_INCORRECT, .ckr = CKR_PIN_INCORRECT},
	{.rc = TM_ERR_PIN_BLOCKED, .ckr = CKR_PIN_LOCKED},
	{.rc = TM_ERR_PIN_NOT_INITIALIZED, .ckr = CKR_USER_PIN_NOT_INITIALIZED},
	{.rc = TM_ERR_SECURITY_STATUS, .ckr = CKR_USER_NOT_LOGGED_IN},
	{.rc = TM_ERR_CONDITIONS, .ckr = CKR_FUNCTION_REJECTED},
	{.rc = TM_ERR_WRONG_LENGTH, .ckr = CKR_DATA_LEN_RANGE},
	{.rc = TM_ERR_WRONG_DATA, .ckr = CKR_DATA_INVALID},
	{.rc = TM_ERR_FUNC_NOT_SUPPORTED, .ckr = CKR_FUNCTION_NOT_SUPPORTED},
	{.rc = TM_ERR_FILE_NOT_FOUND, .ckr = CKR_OBJECT_HANDLE_INVALID},
	{.rc = TM_ERR_CARD_MEMORY, .ckr = CKR_DEVICE_MEMORY},
	{.rc = TM_ERR_WRONG_P1P2, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_REF_NOT_FOUND, .ckr = CKR_KEY_HANDLE_INVALID},
	{.rc = TM_ERR_FILE_EXISTS, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_INS_NOT_SUPPORTED, .ckr = CKR_FUNCTION_NOT_SUPPORTED},
	{.rc = TM_ERR_CLA_NOT_SUPPORTED, .ckr = CKR_DEVICE_ERROR},
	{.rc = TM_ERR_CARD, .ckr = CKR_DEVICE_ERROR},
};

CK_RV tm_rc_to_ckr(int rc)
{
	for (size_t i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		if (table[i].rc == rc)
			return table[i].ckr;
	return CKR_GENERAL_ERROR;
}
