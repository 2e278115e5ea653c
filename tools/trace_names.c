/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "trace_names.h"

#include <stdio.h>
#include <string.h>

static const struct {
	const char *name;
	size_t n;
	uint8_t aid[16];
} aids[] = {
	{"Tumar applet", 7, {0xF0, 0x54, 0x55, 0x4D, 0x41, 0x52, 0x01}},
	{"JaCarta LASER applet", 12, {0xA0, 0x00, 0x00, 0x01, 0x64, 0x4C, 0x41, 0x53, 0x45, 0x52, 0x00, 0x01}},
	{"PIV", 5, {0xA0, 0x00, 0x00, 0x03, 0x08}},
	{"OpenPGP", 6, {0xD2, 0x76, 0x00, 0x01, 0x24, 0x01}},
	{"PKCS#15", 12, {0xA0, 0x00, 0x00, 0x00, 0x63, 0x50, 0x4B, 0x43, 0x53, 0x2D, 0x31, 0x35}},
	{"GlobalPlatform card manager (ISD)", 8, {0xA0, 0x00, 0x00, 0x01, 0x51, 0x00, 0x00, 0x00}},
	{"card manager (Visa/OP ISD)", 7, {0xA0, 0x00, 0x00, 0x00, 0x03, 0x00, 0x00}},
	{"card manager (Gemalto)", 8, {0xA0, 0x00, 0x00, 0x00, 0x18, 0x43, 0x4D, 0x00}},
	{"CAC", 5, {0xA0, 0x00, 0x00, 0x00, 0x79}},
	{"MUSCLE applet", 5, {0xA0, 0x00, 0x00, 0x00, 0x01}},
	{"German eSign", 6, {0xA0, 0x00, 0x00, 0x01, 0x67, 0x45}},
	{"EMV payment (Visa)", 5, {0xA0, 0x00, 0x00, 0x00, 0x03}},
	{"EMV payment (Mastercard)", 5, {0xA0, 0x00, 0x00, 0x00, 0x04}},
};

const char *tm_aid_name(const uint8_t *aid, size_t n)
{
	if (aid == NULL || n == 0)
		return NULL;
	/* The longest AID that the bytes start with, or that starts with the
	 * bytes (a SELECT by a prefix, ISO 7816-4 §11.2.2), at 5 bytes or more. */
	for (size_t i = 0; i < sizeof(aids) / sizeof(aids[0]); i++) {
		size_t m = n < aids[i].n ? n : aids[i].n;
		if (m >= 5 && memcmp(aid, aids[i].aid, m) == 0)
			return aids[i].name;
	}
	return NULL;
}

const char *tm_select_p1p2(uint8_t p1, uint8_t p2, char *buf, size_t cap)
{
	const char *by, *occ, *resp;

	switch (p1) {
	case 0x00: by = "MF, DF or EF by file ID"; break;
	case 0x01: by = "child DF by file ID"; break;
	case 0x02: by = "EF under the current DF by file ID"; break;
	case 0x03: by = "parent DF"; break;
	case 0x04: by = "by AID"; break;
	case 0x08: by = "by path from the MF"; break;
	case 0x09: by = "by path from the current DF"; break;
	default: snprintf(buf, cap, "P1 %02X", p1); return buf;
	}
	switch (p2 & 0x03) {
	case 0x00: occ = "first or only"; break;
	case 0x01: occ = "last"; break;
	case 0x02: occ = "next"; break;
	default: occ = "previous"; break;
	}
	switch (p2 & 0x0C) {
	case 0x00: resp = "FCI"; break;
	case 0x04: resp = "FCP"; break;
	case 0x08: resp = "FMD"; break;
	default: resp = "no response data"; break;
	}
	snprintf(buf, cap, "%s, %s, %s", by, occ, resp);
	return buf;
}

/* parent 0 here: any template.  Looked up in order: the parent's own
 * first, then the tags that mean one thing everywhere. */
static const struct {
	uint32_t parent, tag;
	const char *name;
} tags[] = {
	{0, 0x6F, "FCI"}, {0, 0x62, "FCP"}, {0x6F, 0x84, "AID"},
	{0, 0xA5, "card information"}, {0, 0xE0, "PIN information"}, {0, 0xE1, "object"},
	{0xA5, 0xC0, "protocol version"}, {0xA5, 0xC1, "model key"}, {0xA5, 0xC2, "model name"},
	{0xA5, 0xC3, "serial number"}, {0xA5, 0xC4, "label"}, {0xA5, 0xC5, "capabilities"},
	{0xA5, 0xC6, "max command data"}, {0xA5, 0xC7, "max response data"},
	{0xA5, 0xC8, "memory total, free"}, {0xA5, 0xC9, "manufacturer"},
	{0xA5, 0xCA, "algorithms"}, {0xA5, 0xCB, "change counter"}, {0xA5, 0xCC, "objects to sweep"},
	{0xE0, 0x83, "PIN reference"}, {0xE0, 0xC0, "PIN flags"}, {0xE0, 0xC1, "tries left"},
	{0xE0, 0xC2, "tries allowed"}, {0xE0, 0xC3, "min length"}, {0xE0, 0xC4, "max length"},
	{0xE0, 0xC5, "characters allowed, required"},
	/* Object attributes: in a directory entry, and in CREATE FILE's and
	 * PUT DATA's A5 (which the card-information names above would
	 * otherwise take; a directory has no card information in it). */
	{0xE1, 0x83, "object reference"}, {0xE1, 0x80, "value size"}, {0xE1, 0xC1, "class"},
	{0xE1, 0xC2, "flags"}, {0xE1, 0xC3, "ID"}, {0xE1, 0xC4, "label"}, {0xE1, 0xC5, "usage"},
	{0xE1, 0xC6, "application"}, {0xE1, 0xC7, "key algorithm"}, {0xE1, 0xC8, "key bits"},
	{0xE1, 0xC9, "owner"}, {0xE1, 0xCA, "subject"}, {0xE1, 0xCB, "start date"},
	{0xE1, 0xCC, "end date"}, {0x62, 0x80, "size"}, {0x62, 0xA5, "attributes"},
	/* The rest of an FCP as ISO 7816-4 §7.4.3 (Table 12) names it: what
	 * LASER's SELECT answers, where the Tumar-wide names below (83
	 * reference, 84 key reference) would mislead. */
	{0x62, 0x81, "size with structure"}, {0x62, 0x82, "file descriptor"},
	{0x62, 0x83, "file identifier"}, {0x62, 0x84, "DF name"},
	{0x62, 0x85, "proprietary"}, {0x62, 0x86, "security attributes"},
	{0x62, 0x87, "FCI extension EF"}, {0x62, 0x88, "short EF identifier"},
	{0x62, 0x8A, "life cycle status"},
	{0, 0x7F49, "public key"}, {0x7F49, 0x81, "modulus"}, {0x7F49, 0x82, "exponent"},
	{0x7F49, 0x86, "point"}, {0x7F49, 0x06, "curve OID"},
	{0, 0x54, "offset"}, {0, 0x53, "bytes"}, {0, 0x83, "reference"},
	{0, 0x80, "algorithm"}, {0, 0x84, "key reference"}, {0, 0xAC, "parameters"},
};

const char *tm_tumar_tag_name(uint32_t parent, uint32_t tag)
{
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (tags[i].parent == parent && tags[i].parent != 0 && tags[i].tag == tag)
			return tags[i].name;
	for (size_t i = 0; i < sizeof(tags) / sizeof(tags[0]); i++)
		if (tags[i].parent == 0 && tags[i].tag == tag)
			return tags[i].name;
	return NULL;
}
