/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Status words (ISO/IEC 7816-4 §5.6): names and messages for people, and
 * the mapping to tm_rc for code.  Two tables, both looked up by value.
 */
#ifndef TUMAR_APDU_SW_H
#define TUMAR_APDU_SW_H

#include <stddef.h>
#include <stdint.h>

#define TM_SW_OK 0x9000
#define TM_SW_MORE_DATA 0x6100      /* 61xx: xx bytes still available */
#define TM_SW_END_OF_FILE 0x6282    /* fewer bytes than Ne: the end came first */
#define TM_SW_PIN_TRIES 0x63C0      /* 63Cx: x tries left */
#define TM_SW_WRONG_LENGTH 0x6700
#define TM_SW_CLA_FUNC_NOT_SUPPORTED 0x6800
#define TM_SW_CHANNEL_NOT_SUPPORTED 0x6881
#define TM_SW_SM_NOT_SUPPORTED 0x6882
#define TM_SW_LAST_OF_CHAIN_EXPECTED 0x6883
#define TM_SW_CHAINING_NOT_SUPPORTED 0x6884
#define TM_SW_INCOMPATIBLE_FILE 0x6981
#define TM_SW_SECURITY_STATUS 0x6982
#define TM_SW_AUTH_BLOCKED 0x6983
#define TM_SW_REF_DATA_NOT_USABLE 0x6984
#define TM_SW_CONDITIONS 0x6985
#define TM_SW_NO_CURRENT_EF 0x6986
#define TM_SW_SM_OBJECTS_MISSING 0x6987
#define TM_SW_SM_OBJECTS_WRONG 0x6988
#define TM_SW_WRONG_DATA 0x6A80
#define TM_SW_FUNC_NOT_SUPPORTED 0x6A81
#define TM_SW_FILE_NOT_FOUND 0x6A82
#define TM_SW_NO_MEMORY 0x6A84
#define TM_SW_WRONG_P1P2 0x6A86
#define TM_SW_REF_NOT_FOUND 0x6A88
#define TM_SW_FILE_EXISTS 0x6A89
#define TM_SW_OFFSET_OUTSIDE 0x6B00
#define TM_SW_WRONG_LE 0x6C00       /* 6Cxx: xx is the right Le */
#define TM_SW_INS_NOT_SUPPORTED 0x6D00
#define TM_SW_CLA_NOT_SUPPORTED 0x6E00
#define TM_SW_NO_DIAGNOSIS 0x6F00

struct tm_sw_info {
	uint16_t sw;
	uint16_t mask;        /* bits of sw that the entry fixes */
	const char *name;     /* e.g. "SECURITY_STATUS_NOT_SATISFIED" */
	const char *message;  /* e.g. "Security status not satisfied" */
};

/* The table entry for sw, or a generic one for unknown values; never NULL. */
const struct tm_sw_info *tm_sw_lookup(uint16_t sw);

/* The message with any variable part filled in ("2 tries left"). */
void tm_sw_describe(uint16_t sw, char *out, size_t cap);

/* The tm_rc for a status word: TM_OK for 9000, TM_ERR_* otherwise. */
int tm_sw_to_rc(uint16_t sw);

/* 63Cx: the number of tries left; -1 for any other status word. */
int tm_sw_tries_left(uint16_t sw);

#endif
