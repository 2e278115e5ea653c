/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * A byte writer with a sticky error flag, in the manner of p11-kit's
 * p11_buffer: append freely, check tm_buf_ok() once at the end.  A fixed
 * buffer never grows; a dynamic one grows up to its limit.  Memory that
 * held data is wiped before it is released, because these buffers carry
 * PINs and key material.
 */
#ifndef TUMAR_APDU_BUF_H
#define TUMAR_APDU_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tm_buf {
	uint8_t *data;
	size_t len;
	size_t cap;
	size_t limit;  /* dynamic buffers: the largest size allowed */
	bool dynamic;
	bool failed;
};

/* Write into caller memory of cap bytes; never allocates. */
void tm_buf_init_fixed(struct tm_buf *b, uint8_t *mem, size_t cap);

/* Grow on the heap, up to limit bytes. */
void tm_buf_init_dynamic(struct tm_buf *b, size_t limit);

/* Wipes and, for dynamic buffers, frees the memory. */
void tm_buf_free(struct tm_buf *b);

/* Room for n more bytes; NULL (and the flag set) when there is none. */
uint8_t *tm_buf_reserve(struct tm_buf *b, size_t n);

void tm_buf_add(struct tm_buf *b, const void *p, size_t n);
void tm_buf_add_u8(struct tm_buf *b, uint8_t v);
void tm_buf_add_u16(struct tm_buf *b, uint16_t v); /* big-endian */
void tm_buf_add_u32(struct tm_buf *b, uint32_t v); /* big-endian */

/* Inserts n bytes at offset at, moving what follows. */
void tm_buf_insert(struct tm_buf *b, size_t at, const void *p, size_t n);

static inline bool tm_buf_ok(const struct tm_buf *b)
{
	return !b->failed;
}

#endif
