/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "sw.h"

#include <stdio.h>

#include "rc.h"

#define EXACT 0xFFFF
#define SW1_ONLY 0xFF00
#define LOW_NIBBLE 0xFFF0

/* ISO/IEC 7816-4:2013 §5.6, tables 5 and 6.  Exact entries come before
 * the patterns that would also match them. */
static const struct tm_sw_info sw_table[] = {
	{0x9000, EXACT, "OK", "Success"},
	{0x6100, SW1_ONLY, "MORE_DATA", "Response bytes still available"},
	{0x6200, EXACT, "WARNING", "Warning: no information given, memory unchanged"},
	{0x6281, EXACT, "DATA_CORRUPTED", "Part of the returned data may be corrupted"},
	{0x6282, EXACT, "END_OF_FILE", "End of file or record reached before reading Ne bytes"},
	{0x6283, EXACT, "FILE_DEACTIVATED", "Selected file deactivated"},
	{0x6284, EXACT, "FCI_FORMAT", "File control information not formatted per ISO 7816-4"},
	{0x6285, EXACT, "FILE_TERMINATED", "Selected file in termination state"},
	{0x6286, EXACT, "NO_SENSOR_DATA", "No input data available from a sensor on the card"},
	{0x6287, EXACT, "RECORD_DEACTIVATED", "At least one referenced record is deactivated"},
	{0x6200, SW1_ONLY, "TRIGGERING", "Warning: triggering by the card, memory unchanged"},
	{0x6300, EXACT, "WARNING_CHANGED", "Warning: no information given, memory changed"},
	{0x6381, EXACT, "FILE_FILLED", "File filled up by the last write"},
	{0x63C0, LOW_NIBBLE, "COUNTER", "Verification failed or counter value"},
	{0x6300, SW1_ONLY, "WARNING_CHANGED", "Warning: memory changed"},
	{0x6400, EXACT, "EXECUTION_ERROR", "Execution error, memory unchanged"},
	{0x6401, EXACT, "IMMEDIATE_RESPONSE", "Immediate response required by the card"},
	{0x6400, SW1_ONLY, "EXECUTION_ERROR", "Execution error, memory unchanged"},
	{0x6500, EXACT, "EXECUTION_ERROR_CHANGED", "Execution error, memory changed"},
	{0x6581, EXACT, "MEMORY_FAILURE", "Memory failure"},
	{0x6500, SW1_ONLY, "EXECUTION_ERROR_CHANGED", "Execution error, memory changed"},
	{0x6600, SW1_ONLY, "SECURITY_ISSUE", "Security-related issue"},
	{0x6700, EXACT, "WRONG_LENGTH", "Wrong length"},
	{0x6800, EXACT, "CLA_FUNCTION_NOT_SUPPORTED", "Functions in CLA not supported"},
	{0x6881, EXACT, "CHANNEL_NOT_SUPPORTED", "Logical channel not supported"},
	{0x6882, EXACT, "SM_NOT_SUPPORTED", "Secure messaging not supported"},
	{0x6883, EXACT, "LAST_OF_CHAIN_EXPECTED", "Last command of the chain expected"},
	{0x6884, EXACT, "CHAINING_NOT_SUPPORTED", "Command chaining not supported"},
	{0x6900, EXACT, "COMMAND_NOT_ALLOWED", "Command not allowed"},
	{0x6981, EXACT, "INCOMPATIBLE_FILE", "Command incompatible with file structure"},
	{0x6982, EXACT, "SECURITY_STATUS_NOT_SATISFIED", "Security status not satisfied"},
	{0x6983, EXACT, "AUTH_METHOD_BLOCKED", "Authentication method blocked"},
	{0x6984, EXACT, "REFERENCE_DATA_NOT_USABLE", "Reference data not usable"},
	{0x6985, EXACT, "CONDITIONS_NOT_SATISFIED", "Conditions of use not satisfied"},
	{0x6986, EXACT, "NO_CURRENT_EF", "Command not allowed (no current EF)"},
	{0x6987, EXACT, "SM_OBJECTS_MISSING", "Expected secure messaging data objects missing"},
	{0x6988, EXACT, "SM_OBJECTS_INCORRECT", "Incorrect secure messaging data objects"},
	{0x6A00, EXACT, "WRONG_PARAMETERS", "Wrong parameters P1-P2"},
	{0x6A80, EXACT, "WRONG_DATA", "Incorrect parameters in the command data field"},
	{0x6A81, EXACT, "FUNCTION_NOT_SUPPORTED", "Function not supported"},
	{0x6A82, EXACT, "FILE_NOT_FOUND", "File or application not found"},
	{0x6A83, EXACT, "RECORD_NOT_FOUND", "Record not found"},
	{0x6A84, EXACT, "NOT_ENOUGH_MEMORY", "Not enough memory space in the file"},
	{0x6A85, EXACT, "NC_TLV_MISMATCH", "Nc inconsistent with TLV structure"},
	{0x6A86, EXACT, "INCORRECT_P1P2", "Incorrect parameters P1-P2"},
	{0x6A87, EXACT, "NC_P1P2_MISMATCH", "Nc inconsistent with parameters P1-P2"},
	{0x6A88, EXACT, "REFERENCE_NOT_FOUND", "Referenced data or reference data not found"},
	{0x6A89, EXACT, "FILE_EXISTS", "File already exists"},
	{0x6A8A, EXACT, "DF_NAME_EXISTS", "DF name already exists"},
	{0x6B00, EXACT, "WRONG_P1P2_OFFSET", "Wrong parameters P1-P2 (offset outside the file)"},
	{0x6C00, SW1_ONLY, "WRONG_LE", "Wrong Le field"},
	{0x6D00, EXACT, "INS_NOT_SUPPORTED", "Instruction code not supported or invalid"},
	{0x6E00, EXACT, "CLA_NOT_SUPPORTED", "Class not supported"},
	{0x6F00, EXACT, "NO_DIAGNOSIS", "No precise diagnosis"},
};

static const struct tm_sw_info sw_unknown = {0, 0, "UNKNOWN", "Unknown status word"};

struct sw_rc {
	uint16_t sw;
	uint16_t mask;
	int rc;
};

/* What code does with each answer. */
static const struct sw_rc sw_rc_table[] = {
	{.sw = 0x9000, .mask = EXACT, .rc = TM_OK},
	{.sw = 0x63C0, .mask = LOW_NIBBLE, .rc = TM_ERR_PIN_INCORRECT},
	{.sw = 0x6700, .mask = EXACT, .rc = TM_ERR_WRONG_LENGTH},
	{.sw = 0x6C00, .mask = SW1_ONLY, .rc = TM_ERR_WRONG_LENGTH},
	{.sw = 0x6881, .mask = EXACT, .rc = TM_ERR_CLA_NOT_SUPPORTED},
	{.sw = 0x6882, .mask = EXACT, .rc = TM_ERR_CLA_NOT_SUPPORTED},
	{.sw = 0x6E00, .mask = EXACT, .rc = TM_ERR_CLA_NOT_SUPPORTED},
	{.sw = 0x6982, .mask = EXACT, .rc = TM_ERR_SECURITY_STATUS},
	{.sw = 0x6983, .mask = EXACT, .rc = TM_ERR_PIN_BLOCKED},
	{.sw = 0x6984, .mask = EXACT, .rc = TM_ERR_PIN_NOT_INITIALIZED},
	{.sw = 0x6985, .mask = EXACT, .rc = TM_ERR_CONDITIONS},
	{.sw = 0x6A80, .mask = EXACT, .rc = TM_ERR_WRONG_DATA},
	{.sw = 0x6A81, .mask = EXACT, .rc = TM_ERR_FUNC_NOT_SUPPORTED},
	{.sw = 0x6A82, .mask = EXACT, .rc = TM_ERR_FILE_NOT_FOUND},
	{.sw = 0x6A84, .mask = EXACT, .rc = TM_ERR_CARD_MEMORY},
	{.sw = 0x6A86, .mask = EXACT, .rc = TM_ERR_WRONG_P1P2},
	{.sw = 0x6B00, .mask = EXACT, .rc = TM_ERR_WRONG_P1P2},
	{.sw = 0x6A88, .mask = EXACT, .rc = TM_ERR_REF_NOT_FOUND},
	{.sw = 0x6A89, .mask = EXACT, .rc = TM_ERR_FILE_EXISTS},
	{.sw = 0x6D00, .mask = EXACT, .rc = TM_ERR_INS_NOT_SUPPORTED},
	/* 61xx reaching a caller means the engine did not finish its work. */
	{.sw = 0x6100, .mask = SW1_ONLY, .rc = TM_ERR_PROTOCOL},
};

const struct tm_sw_info *tm_sw_lookup(uint16_t sw)
{
	for (size_t i = 0; i < sizeof(sw_table) / sizeof(sw_table[0]); i++)
		if ((sw & sw_table[i].mask) == sw_table[i].sw)
			return &sw_table[i];
	return &sw_unknown;
}

int tm_sw_tries_left(uint16_t sw)
{
	return (sw & LOW_NIBBLE) == TM_SW_PIN_TRIES ? (int)(sw & 0x0F) : -1;
}

void tm_sw_describe(uint16_t sw, char *out, size_t cap)
{
	const struct tm_sw_info *info = tm_sw_lookup(sw);
	unsigned xx = sw & 0xFF;

	if (out == NULL || cap == 0)
		return;
	if (info->mask == LOW_NIBBLE && info->sw == TM_SW_PIN_TRIES)
		snprintf(out, cap, "%s: %d tries left", info->message,
			 tm_sw_tries_left(sw));
	else if (info->sw == TM_SW_MORE_DATA)
		snprintf(out, cap, "%s: %u%s", info->message, xx ? xx : 256,
			 xx ? "" : " or more");
	else if (info->sw == TM_SW_WRONG_LE)
		snprintf(out, cap, "%s: the right Le is %u", info->message,
			 xx ? xx : 256);
	else
		snprintf(out, cap, "%s", info->message);
}

int tm_sw_to_rc(uint16_t sw)
{
	for (size_t i = 0; i < sizeof(sw_rc_table) / sizeof(sw_rc_table[0]); i++)
		if ((sw & sw_rc_table[i].mask) == sw_rc_table[i].sw)
			return sw_rc_table[i].rc;
	return TM_ERR_CARD;
}
