/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool change-pin: the user PIN (or with --so the SO PIN), checked
 * against the token's and the NCA's rules before anything is sent. */
#include <config.h>

#include <string.h>

#include <openssl/crypto.h>

#include "tools/json_out.h"
#include "tools/tool_cmds.h"
#include "tools/tool_pin.h"

static const char usage[] =
"Usage: tumar-tool change-pin [--so]\n"
"\n"
"Changes the user PIN (TUMAR_PIN, then TUMAR_NEW_PIN), or with --so the SO\n"
"PIN (TUMAR_SO_PIN, then TUMAR_NEW_PIN).  On a terminal the new PIN is\n"
"asked twice.  The new PIN is checked first against the token's rules and\n"
"the NCA's (Latin capital and small letters and digits, 6 to 32\n"
"characters), so a bad one never costs a try.\n";

static bool own_opt(int c, const char *arg, void *ctx)
{
	(void)arg;
	if (c != 'o')
		return false;
	*(bool *)ctx = true;
	return true;
}

int tt_cmd_change_pin(struct tt_opts *o, int argc, char **argv)
{
	static const struct option own[] = {{"so", no_argument, NULL, 'o'}, {NULL, 0, NULL, 0}};
	char old[TT_PIN_MAX + 1], new_pin[TT_PIN_MAX + 1];
	bool so = false;
	struct tt_token t;
	int rc, rest;
	CK_USER_TYPE who;
	CK_RV rv = CKR_OK;

	if ((rc = tt_parse(o, argc, argv, usage, own, own_opt, &so, &rest)) >= 0)
		return rc;
	if (rest != argc)
		return tt_usage(stderr, usage, TT_USAGE);
	who = so ? CKU_SO : CKU_USER;
	if ((rc = tt_token_open(o, &t, true)) != TT_OK)
		return rc;
	if ((rc = tt_login_check(&t, who)) != TT_OK ||
	    (rc = tt_pin_get(o, so ? TT_PIN_SO : TT_PIN_USER, old)) != TT_OK)
		goto out;
	if ((rc = tt_pin_get(o, TT_PIN_NEW, new_pin)) != TT_OK)
		goto wipe_old;
	if ((rc = tt_pin_check_new(&t, who, new_pin)) != TT_OK)
		goto wipe;
	if (strcmp(old, new_pin) == 0) {
		tt_err("the new PIN is the same as the old one; nothing was changed");
		rc = TT_USAGE;
		goto wipe;
	}
	/* The user PIN is changed in a public R/W session (PKCS#11 §5.6);
	 * the SO PIN by the SO, logged in. */
	if (so)
		rv = t.f->C_Login(t.s, CKU_SO, (CK_UTF8CHAR_PTR)old, strlen(old));
	if (rv == CKR_OK)
		rv = t.f->C_SetPIN(t.s, (CK_UTF8CHAR_PTR)old, strlen(old), (CK_UTF8CHAR_PTR)new_pin,
				   strlen(new_pin));
	if (so)
		t.f->C_Logout(t.s);
	tt_token_refresh(&t);
	if (rv == CKR_PIN_INCORRECT && tt_pin_blocked(&t, who))
		rv = CKR_PIN_LOCKED; /* that was the last try */
	if (rv == CKR_PIN_LOCKED) {
		tt_err("the current %s is wrong, and that was the last try: the token has blocked "
		       "it; nothing was changed. %s", so ? "SO PIN" : "PIN",
		       so ? "Only the token's issuer can help now."
			  : "Unblock it with the SO PIN: tumar-tool unblock");
		rc = TT_FAILED;
	} else if (rv == CKR_PIN_INCORRECT) {
		tt_err("the current %s is wrong%s; nothing was changed", so ? "SO PIN" : "PIN",
		       tt_tries_left(&t, who));
		rc = TT_FAILED;
	} else if (rv != CKR_OK) {
		rc = tt_fail(so ? "changing the SO PIN" : "changing the PIN", rv);
	} else if (o->json) {
		struct tj j;
		tj_init(&j, stdout);
		tj_obj(&j, NULL);
		tj_str(&j, "changed", so ? "so_pin" : "user_pin");
		tj_end(&j, '}');
	} else {
		printf("The %s is changed.  Keep it safe: the token blocks it after wrong tries%s.\n",
		       so ? "SO PIN" : "PIN", tt_tries_left(&t, who));
	}
wipe:
	OPENSSL_cleanse(new_pin, sizeof(new_pin));
wipe_old:
	OPENSSL_cleanse(old, sizeof(old));
out:
	tt_token_close(&t);
	return rc;
}
