/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * LASER file control parameters (jacarta-laser.md §3): the FCP a SELECT
 * answers and CREATE FILE carries.  One codec for both sides: the card
 * encodes what the driver decodes and the reverse.
 *
 *   62 L { 83 FID, 80 size, 87 descriptor, [84 name], [85 prop],
 *          86 ACL, 8A LCS }        SELECT's answer (always under 128 bytes)
 *   62 L { 8A LCS, 83 FID, 80 size, [84 name], [85 prop], 86 ACL,
 *          [content TLV] }         CREATE FILE's data
 */
#ifndef TUMAR_APDU_LASER_FCP_H
#define TUMAR_APDU_LASER_FCP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "apdu/buf.h"
#include "apdu/laser.h"

#define TM_LASER_MAX_NAME 16
#define TM_LASER_MAX_PROP 16

struct tm_laser_fcp {
	uint16_t fid;
	uint16_t size;          /* EF: bytes; KO: key bytes or PIN bytes */
	uint8_t desc;           /* TM_LASER_DESC_*; 0 when absent */
	uint8_t lcs;            /* 0 when absent */
	uint8_t name[TM_LASER_MAX_NAME];
	size_t name_len;
	uint8_t prop[TM_LASER_MAX_PROP];
	size_t prop_len;
	uint8_t acl[TM_LASER_ACL_MAX];
	size_t acl_len;
	/* CREATE FILE only: the content TLV after the FCP's fields (a KO's
	 * 81 PIN or 71 key template), pointing into the decoded buffer. */
	const uint8_t *content;
	size_t content_len;
	bool has_fid, has_size;
};

/* The number of ACL bytes a file of this descriptor has: 12, 8 or 14. */
size_t tm_laser_acl_len(uint8_t desc);

/* One ACL entry (two bytes, big-endian); NEVER when i is out of range. */
uint16_t tm_laser_acl_get(const struct tm_laser_fcp *f, unsigned op);

/* SELECT's answer: 62 L {...}.  Errors stick to b. */
void tm_laser_fcp_encode(const struct tm_laser_fcp *f, struct tm_buf *b);

/* CREATE FILE's data: the FCP as the driver sends it, with content. */
void tm_laser_fcp_encode_create(const struct tm_laser_fcp *f, struct tm_buf *b);

/* Parses 62 L {...} (1- to 3-byte length).  Unknown tags are skipped.
 * With `create` (CREATE FILE's data), what follows the ACL is the
 * content.  TM_OK or TM_ERR_MALFORMED (bad TLV, an oversized field,
 * trailing bytes after the 62 object). */
int tm_laser_fcp_decode(const uint8_t *in, size_t len, bool create, struct tm_laser_fcp *out);

#endif
