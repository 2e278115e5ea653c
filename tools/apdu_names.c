/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "apdu_names.h"

#include <stdio.h>

#include "apdu/laser.h"
#include "apdu/protocol.h"

static const struct {
	uint8_t ins;
	const char *name;
} iso[] = {
	{TM_INS_DEACTIVATE_FILE, "DEACTIVATE FILE"}, {TM_INS_ERASE_BINARY, "ERASE BINARY"},
	{TM_INS_VERIFY, "VERIFY"}, {TM_INS_VERIFY + 1, "VERIFY"},
	{TM_INS_MSE, "MANAGE SECURITY ENVIRONMENT"},
	{TM_INS_CHANGE_REFERENCE_DATA, "CHANGE REFERENCE DATA"},
	{TM_INS_PSO, "PERFORM SECURITY OPERATION"},
	{TM_INS_RESET_RETRY_COUNTER, "RESET RETRY COUNTER"},
	{TM_INS_GENERATE_KEY_PAIR, "GENERATE ASYMMETRIC KEY PAIR"},
	/* The odd INS of 7816-8 §5.1, what LASER (and OpenPGP) send. */
	{TM_INS_GENERATE_KEY_PAIR + 1, "GENERATE ASYMMETRIC KEY PAIR"},
	{TM_INS_GET_CHALLENGE, "GET CHALLENGE"}, {TM_INS_SELECT, "SELECT"},
	{TM_INS_READ_BINARY, "READ BINARY"}, {TM_INS_READ_BINARY_ODD, "READ BINARY"},
	{TM_INS_GET_RESPONSE, "GET RESPONSE"}, {TM_INS_GET_DATA, "GET DATA"},
	{TM_INS_UPDATE_BINARY, "UPDATE BINARY"}, {TM_INS_UPDATE_BINARY_ODD, "UPDATE BINARY"},
	{TM_INS_PUT_DATA, "PUT DATA"}, {TM_INS_PUT_DATA_ODD, "PUT DATA"},
	{TM_INS_CREATE_FILE, "CREATE FILE"}, {TM_INS_DELETE_FILE, "DELETE FILE"},
	/* Interindustry commands other cards answer, seen in pcscd logs. */
	{0xCB, "GET DATA"}, {0x88, "INTERNAL AUTHENTICATE"},
	{0x82, "EXTERNAL AUTHENTICATE"}, {0x86, "GENERAL AUTHENTICATE"}, {0x87, "GENERAL AUTHENTICATE"},
	{0x70, "MANAGE CHANNEL"}, {0x44, "ACTIVATE FILE"}, {0xC2, "ENVELOPE"},
	{0x12, "GET ENVELOPE"}, {0xA2, "SEARCH RECORD"}, {0xB2, "READ RECORD"}, {0xDC, "UPDATE RECORD"},
	{0xE2, "APPEND RECORD"}, {0x28, "ENABLE VERIFICATION REQUIREMENT"},
	{0x26, "DISABLE VERIFICATION REQUIREMENT"}, {0xE6, "TERMINATE DF"}, {0xFE, "TERMINATE CARD"},
};

/* JaCarta PKI's LASER commands of class 80 (8C under secure messaging),
 * ../shared/jacarta-laser.md; its class-00 ones are interindustry. */
static const struct {
	uint8_t ins;
	const char *name;
} laser[] = {
	{TM_LASER_INS_VERIFY, "VERIFY, secure (LASER)"},
	{TM_LASER_INS_UPDATE_KO, "UPDATE KO / CHANGE PIN (LASER)"},
	{TM_LASER_INS_LOGOUT, "LOGOUT (LASER)"},
	{TM_LASER_INS_RESET_RC, "RESET RETRY COUNTER (LASER)"},
	{TM_LASER_INS_LIST_FILES, "LIST FILES (LASER)"},
	{TM_LASER_INS_SM_KEY, "SECURE MESSAGING KEY (LASER)"},
	{TM_LASER_INS_SM_OPEN, "SECURE MESSAGING OPEN/CLOSE (LASER)"},
	{TM_LASER_INS_SELECT, "SELECT (LASER)"},
	{TM_LASER_INS_GET_CAPABILITY, "GET CAPABILITY (LASER)"},
};

const char *tm_ins_name(uint8_t cla, uint8_t ins, char *buf, unsigned cap)
{
	if ((cla & 0x80) && ins == TM_INS_INITIALIZE_TOKEN)
		return "INITIALIZE TOKEN (Tumar)";
	if ((cla & 0x80) && ins == TM_INS_IMPORT_KEY)
		return "IMPORT KEY (Tumar)";
	if (cla & 0x80)
		for (unsigned i = 0; i < sizeof(laser) / sizeof(laser[0]); i++)
			if (laser[i].ins == ins)
				return laser[i].name;
	if (!(cla & 0x80))
		for (unsigned i = 0; i < sizeof(iso) / sizeof(iso[0]); i++)
			if (iso[i].ins == ins)
				return iso[i].name;
	snprintf(buf, cap, "INS %02X", ins);
	return buf;
}

const char *tm_p1p2_meaning(uint8_t ins, uint8_t p1, uint8_t p2)
{
	unsigned p1p2 = (unsigned)p1 << 8 | p2;

	switch (ins) {
	case TM_INS_SELECT:
		return p1 == TM_P1_SELECT_BY_AID ? "by AID" : "";
	case TM_INS_VERIFY:
	case TM_INS_CHANGE_REFERENCE_DATA:
	case TM_INS_RESET_RETRY_COUNTER:
		if (ins == TM_INS_VERIFY && p1 == TM_P1_VERIFY_LOGOUT)
			return p2 == TM_PIN_SO ? "log out, SO PIN" : "log out, user PIN";
		if (ins == TM_INS_RESET_RETRY_COUNTER && p1 == TM_P1_RESET_NEW_ONLY)
			return "new user PIN (SO verified)";
		return p2 == TM_PIN_USER ? "user PIN" : p2 == TM_PIN_SO ? "SO PIN" : "";
	case TM_INS_GET_DATA:
		return p1p2 == TM_GET_DATA_CARD_INFO ? "card information"
		       : p1p2 == TM_GET_DATA_PIN_INFO ? "PIN information"
		       : p1p2 == TM_GET_DATA_DIRECTORY ? "object directory" : "";
	case TM_INS_PSO:
		return p1p2 == TM_P1P2_PSO_CDS ? "compute digital signature"
		       : p1p2 == TM_P1P2_PSO_CDS_DOS ? "compute digital signature (key and algorithm in the data)"
		       : p1p2 == TM_P1P2_PSO_DECIPHER ? "decipher"
		       : p1p2 == TM_P1P2_PSO_DECIPHER_DOS ? "decipher (key and algorithm in the data)" : "";
	case TM_INS_GENERATE_KEY_PAIR:
		return p1 == TM_P1_GENERATE ? "generate" : p1 == TM_P1_READ_PUBLIC ? "read public key" : "";
	case TM_INS_MSE:
		return p2 == TM_P2_CRT_DST ? "set, for signing" : p2 == TM_P2_CRT_CT ? "set, for deciphering" : "";
	default:
		return "";
	}
}
