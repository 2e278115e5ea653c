/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "buf.h"

#include <string.h>

#include <openssl/crypto.h>

void tm_buf_init_fixed(struct tm_buf *b, uint8_t *mem, size_t cap)
{
	*b = (struct tm_buf){.data = mem, .cap = mem ? cap : 0, .limit = cap};
}

void tm_buf_init_dynamic(struct tm_buf *b, size_t limit)
{
	*b = (struct tm_buf){.limit = limit, .dynamic = true};
}

void tm_buf_free(struct tm_buf *b)
{
	if (b->data != NULL) {
		if (b->dynamic)
			OPENSSL_clear_free(b->data, b->cap);
		else
			OPENSSL_cleanse(b->data, b->len);
	}
	*b = (struct tm_buf){0};
}

static bool grow(struct tm_buf *b, size_t need)
{
	size_t cap = b->cap ? b->cap : 64;

	if (!b->dynamic || need > b->limit)
		return false;
	while (cap < need)
		cap = cap > b->limit / 2 ? b->limit : cap * 2;
	/* OPENSSL_clear_realloc wipes the old block, which may hold secrets. */
	uint8_t *p = OPENSSL_clear_realloc(b->data, b->cap, cap);
	if (p == NULL)
		return false;
	b->data = p;
	b->cap = cap;
	return true;
}

uint8_t *tm_buf_reserve(struct tm_buf *b, size_t n)
{
	if (b->failed)
		return NULL;
	/* An empty dynamic buffer has no memory yet; even a reservation of
	 * nothing must not offset a null pointer (C11 §6.5.6). */
	if (n > SIZE_MAX - b->len ||
	    ((b->len + n > b->cap || b->data == NULL) &&
	     !grow(b, b->len + n ? b->len + n : 1))) {
		b->failed = true;
		return NULL;
	}
	uint8_t *p = b->data + b->len;
	b->len += n;
	return p;
}

void tm_buf_add(struct tm_buf *b, const void *p, size_t n)
{
	uint8_t *dst;

	if (n == 0)
		return;
	dst = tm_buf_reserve(b, n);
	if (dst != NULL)
		memcpy(dst, p, n);
}

void tm_buf_add_u8(struct tm_buf *b, uint8_t v)
{
	tm_buf_add(b, &v, 1);
}

void tm_buf_add_u16(struct tm_buf *b, uint16_t v)
{
	const uint8_t be[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	tm_buf_add(b, be, sizeof(be));
}

void tm_buf_add_u32(struct tm_buf *b, uint32_t v)
{
	const uint8_t be[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16),
			       (uint8_t)(v >> 8), (uint8_t)v};

	tm_buf_add(b, be, sizeof(be));
}

void tm_buf_insert(struct tm_buf *b, size_t at, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (at > b->len) {
		b->failed = true;
		return;
	}
	size_t tail = b->len - at;
	if (tm_buf_reserve(b, n) == NULL)
		return;
	memmove(b->data + at + n, b->data + at, tail);
	if (n > 0)
		memcpy(b->data + at, p, n);
}
