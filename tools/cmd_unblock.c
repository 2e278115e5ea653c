/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool unblock: the SO sets a new user PIN, which also unblocks a
 * blocked one (C_InitPIN). */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "tools/json_out.h"
#include "tools/tool_cmds.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool unblock\n"
"\n"
"Unblocks the user PIN (or sets it on a token that has none) with the SO\n"
"PIN (TUMAR_SO_PIN), and sets the new user PIN (TUMAR_NEW_PIN), checked\n"
"first against the token's and the NCA's rules.  The SO PIN has its own\n"
"tries: when it blocks too, only the token's issuer can help.\n";

int tt_cmd_unblock(struct tt_opts *o, int argc, char **argv)
{
	char so_pin[TT_PIN_MAX + 1], new_pin[TT_PIN_MAX + 1];
	struct tt_token t;
	int rc, rest;
	CK_RV rv;

	if ((rc = tt_parse(o, argc, argv, usage, NULL, NULL, NULL, &rest)) >= 0)
		return rc;
	if (rest != argc)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		return rc;
	if ((rc = tt_login_check(&t, CKU_SO)) != TT_OK ||
	    (rc = tt_pin_get(o, TT_PIN_SO, so_pin)) != TT_OK)
		goto out;
	if ((rc = tt_pin_get(o, TT_PIN_NEW, new_pin)) != TT_OK)
		goto wipe;
	/* Checked before the SO logs in: a PIN against the rules costs no
	 * SO try. */
	if ((rc = tt_pin_check_new(&t, CKU_USER, new_pin)) != TT_OK)
		goto wipe;
	if ((rc = tt_login_with(&t, CKU_SO, so_pin)) != TT_OK)
		goto wipe;
	rv = t.f->C_InitPIN(t.s, (CK_UTF8CHAR_PTR)new_pin, strlen(new_pin));
	t.f->C_Logout(t.s);
	tt_token_refresh(&t);
	if (rv != CKR_OK) {
		rc = tt_fail("setting the new PIN", rv);
	} else if (o->json) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "unblocked", "user_pin");
		tj_end(&j, '}');
	} else {
		printf("The PIN is unblocked and set to the new one%s.\n", tt_tries_left(&t, CKU_USER));
	}
wipe:
	OPENSSL_cleanse(new_pin, sizeof(new_pin));
	OPENSSL_cleanse(so_pin, sizeof(so_pin));
out:
	tt_token_close(&t);
	return rc;
}
