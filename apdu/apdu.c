/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "apdu.h"

#include <string.h>

#include "rc.h"

static bool valid(const struct tm_apdu *a)
{
	return a != NULL && a->nc <= TM_APDU_MAX_NC && a->ne <= TM_APDU_MAX_NE &&
	       (a->nc == 0 || a->data != NULL);
}

enum tm_apdu_case tm_apdu_case(const struct tm_apdu *a)
{
	if (a->nc == 0)
		return a->ne == 0 ? TM_APDU_CASE_1 : TM_APDU_CASE_2;
	return a->ne == 0 ? TM_APDU_CASE_3 : TM_APDU_CASE_4;
}

bool tm_apdu_is_extended(const struct tm_apdu *a)
{
	return a->nc > TM_APDU_MAX_SHORT_NC || a->ne > TM_APDU_MAX_SHORT_NE;
}

size_t tm_apdu_encoded_len(const struct tm_apdu *a)
{
	if (!valid(a))
		return 0;
	bool ext = tm_apdu_is_extended(a);
	size_t n = 4;

	if (a->nc > 0)
		n += (ext ? 3 : 1) + a->nc;
	if (a->ne > 0)
		/* Extended Le is 2 bytes after an Lc, 3 (00 + 2) without. */
		n += ext ? (a->nc > 0 ? 2 : 3) : 1;
	return n;
}

int tm_apdu_encode(const struct tm_apdu *a, uint8_t *out, size_t cap,
		   size_t *out_len)
{
	if (!valid(a) || out == NULL || out_len == NULL)
		return TM_ERR_ARGS;
	size_t need = tm_apdu_encoded_len(a);
	if (cap < need)
		return TM_ERR_BUFFER_TOO_SMALL;

	bool ext = tm_apdu_is_extended(a);
	size_t i = 0;
	out[i++] = a->cla;
	out[i++] = a->ins;
	out[i++] = a->p1;
	out[i++] = a->p2;
	if (a->nc > 0) {
		if (ext) {
			out[i++] = 0x00;
			out[i++] = (uint8_t)(a->nc >> 8);
		}
		out[i++] = (uint8_t)a->nc;
		memcpy(out + i, a->data, a->nc);
		i += a->nc;
	}
	if (a->ne > 0) {
		/* Ne = 256 (short) and 65536 (extended) are encoded as zero. */
		if (ext) {
			if (a->nc == 0)
				out[i++] = 0x00;
			out[i++] = (uint8_t)(a->ne >> 8);
		}
		out[i++] = (uint8_t)a->ne;
	}
	*out_len = i;
	return TM_OK;
}

static size_t short_ne(uint8_t le)
{
	return le == 0 ? 256 : le;
}

static size_t extended_ne(const uint8_t *le)
{
	size_t ne = (size_t)le[0] << 8 | le[1];
	return ne == 0 ? 65536 : ne;
}

/*
 * ISO 7816-3 §12.1.3: the body length and its first bytes decide the case.
 *   L = 0                     case 1
 *   L = 1                     case 2S
 *   B1 != 0, L = 1 + B1       case 3S
 *   B1 != 0, L = 2 + B1       case 4S
 *   B1 = 0, L = 3             case 2E
 *   B1 = 0, (B2B3) != 0, L = 3 + (B2B3)  case 3E
 *   B1 = 0, (B2B3) != 0, L = 5 + (B2B3)  case 4E
 * Anything else is malformed.
 */
int tm_apdu_decode(const uint8_t *in, size_t len, struct tm_apdu *out,
		   bool *extended)
{
	if (in == NULL || out == NULL || len < 4)
		return TM_ERR_MALFORMED;

	struct tm_apdu a = {.cla = in[0], .ins = in[1], .p1 = in[2], .p2 = in[3]};
	const uint8_t *body = in + 4;
	size_t l = len - 4;
	bool ext = false;

	if (l == 0) {
		/* case 1 */
	} else if (l == 1) {
		a.ne = short_ne(body[0]);
	} else if (body[0] != 0) {
		size_t lc = body[0];
		if (l == 1 + lc) {
			a.nc = lc;
		} else if (l == 2 + lc) {
			a.nc = lc;
			a.ne = short_ne(body[1 + lc]);
		} else {
			return TM_ERR_MALFORMED;
		}
		a.data = body + 1;
	} else {
		ext = true;
		if (l == 3) {
			a.ne = extended_ne(body + 1);
		} else {
			if (l < 3)
				return TM_ERR_MALFORMED;
			size_t lc = (size_t)body[1] << 8 | body[2];
			if (lc == 0)
				return TM_ERR_MALFORMED;
			if (l == 3 + lc) {
				a.nc = lc;
			} else if (l == 5 + lc) {
				a.nc = lc;
				a.ne = extended_ne(body + 3 + lc);
			} else {
				return TM_ERR_MALFORMED;
			}
			a.data = body + 3;
		}
	}
	*out = a;
	if (extended != NULL)
		*extended = ext;
	return TM_OK;
}

int tm_rapdu_split(const uint8_t *in, size_t len, const uint8_t **data,
		   size_t *data_len, uint16_t *sw)
{
	if (in == NULL || len < 2 || len > TM_APDU_MAX_RESPONSE)
		return TM_ERR_MALFORMED;
	if (data != NULL)
		*data = in;
	if (data_len != NULL)
		*data_len = len - 2;
	if (sw != NULL)
		*sw = (uint16_t)(in[len - 2] << 8 | in[len - 1]);
	return TM_OK;
}

int tm_rapdu_encode(const uint8_t *data, size_t len, uint16_t sw,
		    uint8_t *out, size_t cap, size_t *out_len)
{
	if ((len > 0 && data == NULL) || out == NULL || out_len == NULL ||
	    len > TM_APDU_MAX_NE)
		return TM_ERR_ARGS;
	if (cap < len + 2)
		return TM_ERR_BUFFER_TOO_SMALL;
	if (len > 0)
		memmove(out, data, len);
	out[len] = (uint8_t)(sw >> 8);
	out[len + 1] = (uint8_t)sw;
	*out_len = len + 2;
	return TM_OK;
}
