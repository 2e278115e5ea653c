/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* The LASER codecs both sides share: an FCP (SELECT's answer and CREATE
 * FILE's data) and an attribute file.  Whatever an FCP decodes to must
 * encode and decode to the same fields; an attribute file's records stay
 * inside it. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "apdu/buf.h"
#include "apdu/laser_attr.h"
#include "apdu/laser_fcp.h"
#include "apdu/rc.h"
#include "fuzz.h"

static void fcp_round_trip(const uint8_t *data, size_t size)
{
	struct tm_laser_fcp f, g;
	uint8_t mem[512];
	struct tm_buf b;

	if (tm_laser_fcp_decode(data, size, false, &f) != TM_OK)
		return;
	if (f.name_len > sizeof(f.name) || f.prop_len > sizeof(f.prop) || f.acl_len > sizeof(f.acl))
		abort();
	tm_buf_init_fixed(&b, mem, sizeof(mem));
	tm_laser_fcp_encode(&f, &b);
	if (!tm_buf_ok(&b) || tm_laser_fcp_decode(b.data, b.len, false, &g) != TM_OK ||
	    g.fid != f.fid || g.size != f.size || g.desc != f.desc || g.lcs != f.lcs ||
	    g.name_len != f.name_len || memcmp(g.name, f.name, f.name_len) != 0 ||
	    g.prop_len != f.prop_len || memcmp(g.prop, f.prop, f.prop_len) != 0 ||
	    g.acl_len != f.acl_len || memcmp(g.acl, f.acl, f.acl_len) != 0)
		abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct tm_laser_fcp f;
	struct tm_laser_attr_reader r;
	struct tm_laser_attr a;

	fcp_round_trip(data, size);
	if (tm_laser_fcp_decode(data, size, true, &f) == TM_OK && f.content_len &&
	    (f.content < data || f.content + f.content_len > data + size))
		abort();
	if (tm_laser_attr_open(&r, data, size) == TM_OK) {
		while (tm_laser_attr_next(&r, &a) == TM_OK)
			if (a.value < data || a.value + a.len > data + size)
				abort();
	}
	return 0;
}
