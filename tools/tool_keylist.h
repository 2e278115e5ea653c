/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: the keys on a token as their owner thinks of them — one
 * entry per CKA_ID: its private and public key objects and its
 * certificate — for `keys`, `delete`, and the choice a request or a
 * deletion asks for when a label names more than one key. */
#ifndef TUMAR_TOOLS_TOOL_KEYLIST_H
#define TUMAR_TOOLS_TOOL_KEYLIST_H

#include <stdbool.h>
#include <stddef.h>

#include "tools/json_out.h"
#include "tools/tool.h"

#define TT_MAX_KEYS 64

struct tt_key_entry {
	unsigned char id[64];
	size_t id_len;
	char label[80];
	char alg[32];  /* "rsa2048", "ec-p256", "gost512", ...; "" for a lone certificate */
	CK_OBJECT_HANDLE priv, pub, cert; /* CK_INVALID_HANDLE when absent */
	char cert_cn[128];
	char cert_end[40];     /* as people read it */
	char cert_end_3339[32];
	long days_left;
	bool logged_in; /* private keys were visible when the list was made */
};

/* Every key and certificate the session sees (private keys only once
 * logged in), grouped by CKA_ID; certificates without a key are entries
 * of their own.  Returns the count, or -1 (reported). */
int tt_key_list(struct tt_token *t, struct tt_key_entry *out, int max);

/* The entries that match: by ID (id non-NULL), by label (non-NULL), both
 * or neither; the indexes go to match.  Returns how many. */
int tt_key_select(const struct tt_key_entry *k, int n, const char *label,
		  const unsigned char *id, size_t id_len, int *match);

/* One entry on stdout: a line for the key, one for its certificate, one
 * for its URI; or as a JSON object. */
void tt_key_print(struct tt_token *t, const struct tt_key_entry *k);
void tt_key_json(struct tt_token *t, struct tj *j, const struct tt_key_entry *k);

/* "  --id 3f1c...  RSA  rsa2048  certificate IVANOV IVAN, ends ...": the
 * candidates of an ambiguous choice, on stderr. */
void tt_key_candidates(const struct tt_key_entry *k, const int *match, int n);

/* How a command is told which key: --label, --id HEX, or a PKCS#11 URI
 * (as --id's value or an operand) whose id and object parts choose the
 * key, whose type=cert means the certificate alone, and whose token part
 * chooses the token (it becomes o->object_uri). */
struct tt_key_sel {
	const char *label;
	char label_buf[128];
	unsigned char id[64];
	size_t id_len;
	bool have_id, cert_only, have_class;
	CK_OBJECT_CLASS cls;
};
/* --id's value: hex, or a URI.  false (reported) when it is neither. */
bool tt_key_sel_arg(struct tt_opts *o, struct tt_key_sel *sel, const char *what,
		    const char *arg);

#endif
