/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Command and response APDUs (ISO/IEC 7816-3 §12.1, 7816-4 §5.1).
 *
 * A command is described by what it means (header, Nc data bytes, Ne
 * expected bytes); the codec derives the case (1-4) and the short or
 * extended form.  Decoding is strict: every length byte must agree with
 * the length of the buffer, or the APDU is refused.
 */
#ifndef TUMAR_APDU_APDU_H
#define TUMAR_APDU_APDU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TM_APDU_MAX_SHORT_NC 255
#define TM_APDU_MAX_SHORT_NE 256
#define TM_APDU_MAX_NC 65535
#define TM_APDU_MAX_NE 65536
/* Header, 3-byte Lc, data, 2-byte Le. */
#define TM_APDU_MAX_COMMAND (4 + 3 + TM_APDU_MAX_NC + 2)
/* Data plus SW1-SW2. */
#define TM_APDU_MAX_RESPONSE (TM_APDU_MAX_NE + 2)

struct tm_apdu {
	uint8_t cla, ins, p1, p2;
	const uint8_t *data; /* Nc bytes; may be NULL when nc is 0 */
	size_t nc;           /* 0 .. 65535 */
	size_t ne;           /* 0: no Le field; 1 .. 65536 */
	bool sensitive;      /* carries a secret: traces show only its length */
	bool private_response; /* its answer is private data (a private object's
				* value): traces show only its length and SW */
};

enum tm_apdu_case {
	TM_APDU_CASE_1 = 1, /* no data, no Le */
	TM_APDU_CASE_2 = 2, /* Le only */
	TM_APDU_CASE_3 = 3, /* data only */
	TM_APDU_CASE_4 = 4, /* data and Le */
};

enum tm_apdu_case tm_apdu_case(const struct tm_apdu *a);

/* True when Nc or Ne does not fit the short form. */
bool tm_apdu_is_extended(const struct tm_apdu *a);

/* Bytes that tm_apdu_encode() writes; 0 when the APDU is invalid. */
size_t tm_apdu_encoded_len(const struct tm_apdu *a);

/* TM_OK, TM_ERR_ARGS (Nc/Ne out of range, data missing) or
 * TM_ERR_BUFFER_TOO_SMALL. */
int tm_apdu_encode(const struct tm_apdu *a, uint8_t *out, size_t cap,
		   size_t *out_len);

/* Strict decoding; out->data points into in.  *extended (may be NULL)
 * tells which form was used.  TM_OK or TM_ERR_MALFORMED. */
int tm_apdu_decode(const uint8_t *in, size_t len, struct tm_apdu *out,
		   bool *extended);

/* A response APDU: data then SW1-SW2.  TM_OK or TM_ERR_MALFORMED (fewer
 * than two bytes); *data points into in. */
int tm_rapdu_split(const uint8_t *in, size_t len, const uint8_t **data,
		   size_t *data_len, uint16_t *sw);

/* data || SW1 SW2 into out. TM_OK or TM_ERR_BUFFER_TOO_SMALL. */
int tm_rapdu_encode(const uint8_t *data, size_t len, uint16_t sw,
		    uint8_t *out, size_t cap, size_t *out_len);

#endif
