/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * BER-TLV as ISO/IEC 7816-4 §5.2 uses it: tags of 1 to 4 bytes, lengths
 * in short form or long form 81..84, constructed values holding further
 * TLVs.  The reader never allocates and never recurses: the walker keeps
 * an explicit stack of TM_TLV_MAX_DEPTH levels and refuses deeper data.
 * Bytes 00 and FF between objects are padding (7816-4 §5.2.2.1).
 */
#ifndef TUMAR_APDU_TLV_H
#define TUMAR_APDU_TLV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "buf.h"

#define TM_TLV_MAX_DEPTH 16

struct tm_tlv {
	uint32_t tag;          /* the tag bytes, e.g. 0x7F49 */
	const uint8_t *value;  /* points into the parsed buffer */
	size_t len;
};

struct tm_tlv_iter {
	const uint8_t *p;
	size_t left;
};

/* True when the tag's first byte has the constructed bit (b6). */
bool tm_tlv_is_constructed(uint32_t tag);

void tm_tlv_iter_init(struct tm_tlv_iter *it, const uint8_t *buf, size_t len);

/* The next object at this level: TM_OK, TM_ERR_NOT_FOUND at the end, or
 * TM_ERR_MALFORMED (the iterator then stays at the bad object). */
int tm_tlv_next(struct tm_tlv_iter *it, struct tm_tlv *out);

/* The first object with this tag at the top level of buf. */
int tm_tlv_find(const uint8_t *buf, size_t len, uint32_t tag,
		struct tm_tlv *out);

/* Visits every object depth-first, descending into constructed values.
 * visit returns TM_OK to go on or any other code to stop with it. */
typedef int (*tm_tlv_visit_fn)(const struct tm_tlv *tlv, unsigned depth,
			       void *ctx);
int tm_tlv_walk(const uint8_t *buf, size_t len, tm_tlv_visit_fn visit,
		void *ctx);

/* Decodes an unsigned big-endian integer of 1..4 bytes. */
int tm_tlv_get_uint(const struct tm_tlv *tlv, uint32_t *out);

/* --- Writer: appends to a tm_buf, errors stick to the buffer. ------- */

void tm_tlv_put(struct tm_buf *b, uint32_t tag, const void *value,
		size_t len);
void tm_tlv_put_u8(struct tm_buf *b, uint32_t tag, uint8_t v);
void tm_tlv_put_u16(struct tm_buf *b, uint32_t tag, uint16_t v);

/* Constructed values: tm_tlv_begin() returns a mark for tm_tlv_end(),
 * which fills in the length of everything appended in between. */
size_t tm_tlv_begin(struct tm_buf *b, uint32_t tag);
void tm_tlv_end(struct tm_buf *b, size_t mark);

#endif
