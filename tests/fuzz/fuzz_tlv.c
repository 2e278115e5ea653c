/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The BER-TLV reader: no read outside the input, no recursion, and every
 * value it reports lies inside the input. */
#include <config.h>

#include <stdlib.h>

#include "apdu/rc.h"
#include "apdu/tlv.h"
#include "fuzz.h"

struct bounds {
	const uint8_t *start;
	size_t size;
	unsigned sum;
};

static int visit(const struct tm_tlv *t, unsigned depth, void *ctx)
{
	struct bounds *b = ctx;

	if (depth >= TM_TLV_MAX_DEPTH || t->value < b->start ||
	    t->value + t->len > b->start + b->size)
		abort();
	/* Touch every byte, so a bad bound shows up under ASan. */
	for (size_t i = 0; i < t->len; i++)
		b->sum += t->value[i];
	return TM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct bounds b = {data, size, 0};
	struct tm_tlv_iter it;
	struct tm_tlv t;
	uint32_t v;

	(void)tm_tlv_walk(data, size, visit, &b);
	tm_tlv_iter_init(&it, data, size);
	while (tm_tlv_next(&it, &t) == TM_OK) {
		visit(&t, 0, &b);
		(void)tm_tlv_get_uint(&t, &v);
	}
	(void)tm_tlv_find(data, size, 0x7F49, &t);
	return (int)(b.sum & 0);
}
