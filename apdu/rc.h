/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Return codes shared by every layer.  The driver maps them to CKR_* values
 * and the tools to messages; status words map to them in sw.c.
 */
#ifndef TUMAR_APDU_RC_H
#define TUMAR_APDU_RC_H

enum tm_rc {
	TM_OK = 0,
	/* Caller and host errors. */
	TM_ERR_ARGS,            /* a bad argument from the caller */
	TM_ERR_NO_MEMORY,       /* host allocation failed */
	TM_ERR_BUFFER_TOO_SMALL,/* the caller's buffer cannot hold the result */
	TM_ERR_MALFORMED,       /* input that breaks its format */
	TM_ERR_TOO_DEEP,        /* TLV nesting beyond the walker's limit */
	TM_ERR_NOT_FOUND,       /* a looked-up item is absent (host side) */
	/* Transport errors. */
	TM_ERR_TRANSPORT,       /* the link to the reader failed */
	TM_ERR_NO_CARD,         /* no card in the reader */
	TM_ERR_CARD_REMOVED,    /* the card went away during the operation */
	TM_ERR_CARD_RESET,      /* another party reset the card */
	TM_ERR_TIMEOUT,
	TM_ERR_RESPONSE_TOO_LONG, /* the card sent more than the cap allows */
	TM_ERR_PROTOCOL,        /* the card broke the framing rules */
	/* Card answers (status words), see sw.c. */
	TM_ERR_PIN_INCORRECT,   /* 63Cx */
	TM_ERR_PIN_BLOCKED,     /* 6983 */
	TM_ERR_PIN_NOT_INITIALIZED, /* 6984 */
	TM_ERR_SECURITY_STATUS, /* 6982 */
	TM_ERR_CONDITIONS,      /* 6985 */
	TM_ERR_WRONG_LENGTH,    /* 6700 */
	TM_ERR_WRONG_DATA,      /* 6A80 */
	TM_ERR_FUNC_NOT_SUPPORTED, /* 6A81 */
	TM_ERR_FILE_NOT_FOUND,  /* 6A82 */
	TM_ERR_CARD_MEMORY,     /* 6A84 */
	TM_ERR_WRONG_P1P2,      /* 6A86, 6B00 */
	TM_ERR_REF_NOT_FOUND,   /* 6A88 */
	TM_ERR_FILE_EXISTS,     /* 6A89 */
	TM_ERR_INS_NOT_SUPPORTED, /* 6D00 */
	TM_ERR_CLA_NOT_SUPPORTED, /* 6E00, 6881, 6882 */
	TM_ERR_CARD,            /* any other error status word */
	TM_RC_COUNT
};

/* A short constant name such as "TM_ERR_PIN_BLOCKED"; never NULL. */
const char *tm_rc_name(int rc);

/* A sentence for people; never NULL. */
const char *tm_rc_message(int rc);

#endif
