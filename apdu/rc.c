/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "rc.h"

#include <stddef.h>

struct rc_text {
	const char *name;
	const char *message;
};

#define RC(code, text) [code] = {#code, text}

static const struct rc_text rc_texts[TM_RC_COUNT] = {
	RC(TM_OK, "success"),
	RC(TM_ERR_ARGS, "invalid argument"),
	RC(TM_ERR_NO_MEMORY, "out of host memory"),
	RC(TM_ERR_BUFFER_TOO_SMALL, "buffer too small for the result"),
	RC(TM_ERR_MALFORMED, "malformed input"),
	RC(TM_ERR_TOO_DEEP, "data nested too deeply"),
	RC(TM_ERR_NOT_FOUND, "not found"),
	RC(TM_ERR_TRANSPORT, "communication with the reader failed"),
	RC(TM_ERR_NO_CARD, "no card in the reader"),
	RC(TM_ERR_CARD_REMOVED, "the card was removed"),
	RC(TM_ERR_CARD_RESET, "the card was reset by another application"),
	RC(TM_ERR_TIMEOUT, "the card did not answer in time"),
	RC(TM_ERR_RESPONSE_TOO_LONG, "the card's response is longer than allowed"),
	RC(TM_ERR_PROTOCOL, "the card broke the APDU protocol"),
	RC(TM_ERR_PIN_INCORRECT, "wrong PIN"),
	RC(TM_ERR_PIN_BLOCKED, "the PIN is blocked"),
	RC(TM_ERR_PIN_NOT_INITIALIZED, "the PIN is not initialised"),
	RC(TM_ERR_SECURITY_STATUS, "the command needs a PIN first"),
	RC(TM_ERR_CONDITIONS, "conditions of use not satisfied"),
	RC(TM_ERR_WRONG_LENGTH, "wrong length"),
	RC(TM_ERR_WRONG_DATA, "the card refused the data"),
	RC(TM_ERR_FUNC_NOT_SUPPORTED, "function not supported by the card"),
	RC(TM_ERR_FILE_NOT_FOUND, "object not found on the card"),
	RC(TM_ERR_CARD_MEMORY, "not enough memory on the card"),
	RC(TM_ERR_WRONG_P1P2, "wrong parameters P1-P2"),
	RC(TM_ERR_REF_NOT_FOUND, "referenced data (PIN or key) not found"),
	RC(TM_ERR_FILE_EXISTS, "object already exists"),
	RC(TM_ERR_INS_NOT_SUPPORTED, "instruction not supported by the card"),
	RC(TM_ERR_CLA_NOT_SUPPORTED, "class not supported by the card"),
	RC(TM_ERR_CARD, "the card reported an error"),
};

const char *tm_rc_name(int rc)
{
	if (rc < 0 || rc >= TM_RC_COUNT || rc_texts[rc].name == NULL)
		return "TM_ERR_UNKNOWN";
	return rc_texts[rc].name;
}

const char *tm_rc_message(int rc)
{
	if (rc < 0 || rc >= TM_RC_COUNT || rc_texts[rc].message == NULL)
		return "unknown error";
	return rc_texts[rc].message;
}
