/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: PKCS#11 URIs (RFC 7512), through p11-kit's own parser and
 * formatter, so a URI this tool prints is one p11tool, OpenSSL's pkcs11
 * engine and p11-kit read the same way, and theirs work here. */
#ifndef TUMAR_TOOLS_TOOL_URI_H
#define TUMAR_TOOLS_TOOL_URI_H

#include <stdbool.h>
#include <stddef.h>

#include <p11-kit/uri.h>

#include "driver/p11.h"

/* Whether s is a PKCS#11 URI ("pkcs11:" in any case, RFC 7512 §2.3). */
bool tt_is_uri(const char *s);

/* Parses s; NULL (reported, naming what the option was for) when it is
 * not a PKCS#11 URI or has attributes p11-kit does not know, which would
 * otherwise be silently ignored and choose more than meant. */
P11KitUri *tt_uri_parse(const char *s, const char *what);

/* Whether the URI's slot and token parts match this slot and token (a
 * URI without them matches any). */
bool tt_uri_matches(P11KitUri *u, CK_SLOT_ID slot, const CK_SLOT_INFO *si, const CK_TOKEN_INFO *ti);

/* The object part of a URI: its CKA_ID (id), CKA_LABEL (object) and
 * CKA_CLASS (type), each only when the URI has it. */
struct tt_uri_object {
	bool have_id, have_label, have_class;
	unsigned char id[64];
	size_t id_len;
	char label[128];
	CK_OBJECT_CLASS cls;
};
/* false (reported) when a value does not fit. */
bool tt_uri_object(P11KitUri *u, struct tt_uri_object *obj);

/* The token's URI, or an object's on it (label NULL: none; id_len 0:
 * none; cls (CK_OBJECT_CLASS)-1: no type), malloc'ed; NULL when out of
 * memory. */
char *tt_token_uri(const CK_TOKEN_INFO *ti);
char *tt_object_uri(const CK_TOKEN_INFO *ti, CK_OBJECT_CLASS cls, const char *label,
		    const unsigned char *id, size_t id_len);

#endif
