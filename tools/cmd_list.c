/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool list: every reader, and for each token its model, serial,
 * PIN state with tries left, and a plain warning when the token still has
 * its factory PIN, which is printed in the NCA's guides for anyone. */
#include <config.h>

#include <stdlib.h>
#include <string.h>

#include "tools/json_out.h"
#include "tools/tool_cmds.h"
#include "tools/tool_uri.h"

static const char usage[] =
"Usage: tumar-tool list [--json] [--slot N | --token LABEL|URI | --serial S]\n"
"\n"
"Shows every reader and the token in it (or only those the options name):\n"
"label, model, serial number, the token's PKCS#11 URI, PIN state and tries\n"
"left, free memory.  Warns when a token still has its factory PIN (the NCA's\n"
"guides print it, so anyone can use the keys).\n"
"Exits 3 when there is no reader, or no token the options name.\n";

struct pin_view {
	const char *state;
	long left, max; /* -1: the module does not say */
};

static struct pin_view pin_view(const struct tt_token *t, CK_SLOT_ID slot,
				const CK_TOKEN_INFO *ti, CK_USER_TYPE who)
{
	bool so = who == CKU_SO;
	struct pin_view v = {"ok", -1, -1};
	struct tumar_pin_info pi;

	if (!so && !(ti->flags & CKF_USER_PIN_INITIALIZED))
		v.state = "not set";
	else if (ti->flags & (so ? CKF_SO_PIN_LOCKED : CKF_USER_PIN_LOCKED))
		v.state = "blocked";
	else if (ti->flags & (so ? CKF_SO_PIN_FINAL_TRY : CKF_USER_PIN_FINAL_TRY))
		v.state = "final try";
	else if (ti->flags & (so ? CKF_SO_PIN_COUNT_LOW : CKF_USER_PIN_COUNT_LOW))
		v.state = "wrong tries counted";
	if (t->pin_info != NULL && t->pin_info(slot, who, &pi) == CKR_OK) {
		v.left = (long)pi.tries_left;
		v.max = (long)pi.tries_max;
	}
	return v;
}

static void print_pin(const char *name, struct pin_view v)
{
	printf("  %-8s %s", name, v.state);
	if (v.left >= 0)
		printf(", %ld of %ld tries left", v.left, v.max);
	putchar('\n');
}

static void json_pin(struct tj *j, const char *key, struct pin_view v)
{
	tj_obj(j, key);
	tj_str(j, "state", v.state);
	if (v.left >= 0) {
		tj_int(j, "tries_left", v.left);
		tj_int(j, "tries_max", v.max);
	}
	tj_end(j, '}');
}

int tt_cmd_list(struct tt_opts *o, int argc, char **argv)
{
	struct tt_token t;
	CK_SLOT_ID slots[64];
	CK_ULONG n = sizeof(slots) / sizeof(slots[0]);
	int rc, rest;
	struct tj j;
	CK_RV rv;

	if ((rc = tt_parse(o, argc, argv, usage, NULL, NULL, NULL, &rest)) >= 0)
		return rc;
	if (rest != argc)
		return tt_usage(stderr, usage, TT_USAGE);
	if ((rc = tt_module_open(o, &t)) != TT_OK)
		return rc;
	if ((rv = t.f->C_GetSlotList(CK_FALSE, NULL, &n)) == CKR_OK) {
		n = sizeof(slots) / sizeof(slots[0]);
		rv = t.f->C_GetSlotList(CK_FALSE, slots, &n);
	}
	if (rv != CKR_OK) {
		tt_token_close(&t);
		return tt_fail("C_GetSlotList", rv);
	}
	static const char no_readers[] = "No readers.  Is pcscd running, and is the token plugged in?";
	static const char no_match[] = "No token matches the options.";
	tj_init(&j, stdout);
	if (o->json) {
		tj_obj(&j, NULL);
		tj_arr(&j, "slots");
	} else if (n == 0) {
		puts(no_readers);
	}
	int shown = 0;
	for (CK_ULONG i = 0; i < n; i++) {
		CK_SLOT_INFO si;
		CK_TOKEN_INFO ti;
		char reader[65], label[33], model[17], maker[33], serial[17];
		bool present;

		if (t.f->C_GetSlotInfo(slots[i], &si) != CKR_OK)
			continue;
		tt_field(reader, sizeof(reader), si.slotDescription, sizeof(si.slotDescription));
		present = (si.flags & CKF_TOKEN_PRESENT) && t.f->C_GetTokenInfo(slots[i], &ti) == CKR_OK;
		if (!tt_token_wanted(o, slots[i], &si, present ? &ti : NULL))
			continue;
		shown += present || !tt_token_chosen(o);
		if (!present) {
			if (o->json) {
				tj_obj(&j, NULL);
				tj_int(&j, "slot", (long long)slots[i]);
				tj_str(&j, "reader", reader);
				tj_bool(&j, "token_present", false);
				tj_end(&j, '}');
			} else {
				printf("Slot %lu: %s\n  no token\n", (unsigned long)slots[i], reader);
			}
			continue;
		}
		tt_field(label, sizeof(label), ti.label, sizeof(ti.label));
		tt_field(model, sizeof(model), ti.model, sizeof(ti.model));
		tt_field(maker, sizeof(maker), ti.manufacturerID, sizeof(ti.manufacturerID));
		tt_field(serial, sizeof(serial), ti.serialNumber, sizeof(ti.serialNumber));
		bool fresh = ti.flags & CKF_USER_PIN_TO_BE_CHANGED;
		struct pin_view user = pin_view(&t, slots[i], &ti, CKU_USER);
		struct pin_view so = pin_view(&t, slots[i], &ti, CKU_SO);
		char *uri = tt_token_uri(&ti);
		if (o->json) {
			tj_obj(&j, NULL);
			tj_int(&j, "slot", (long long)slots[i]);
			tj_str(&j, "reader", reader);
			tj_bool(&j, "token_present", true);
			tj_str(&j, "label", label);
			tj_str(&j, "model", model);
			tj_str(&j, "manufacturer", maker);
			tj_str(&j, "serial", serial);
			tj_str(&j, "uri", uri ? uri : "");
			json_pin(&j, "user_pin", user);
			json_pin(&j, "so_pin", so);
			tj_bool(&j, "pin_to_be_changed", fresh);
			tj_bool(&j, "so_pin_to_be_changed", (ti.flags & CKF_SO_PIN_TO_BE_CHANGED) != 0);
			tj_int(&j, "pin_min_len", (long long)ti.ulMinPinLen);
			tj_int(&j, "pin_max_len", (long long)ti.ulMaxPinLen);
			if (ti.ulFreePublicMemory != CK_UNAVAILABLE_INFORMATION)
				tj_int(&j, "free_memory", (long long)ti.ulFreePublicMemory);
			tj_end(&j, '}');
			free(uri);
			continue;
		}
		printf("Slot %lu: %s\n", (unsigned long)slots[i], reader);
		printf("  token    %s\n  model    %s (%s)\n  serial   %s\n", label, model, maker, serial);
		printf("  URI      %s\n", uri ? uri : "(out of memory)");
		free(uri);
		print_pin("PIN", user);
		print_pin("SO PIN", so);
		if (ti.ulFreePublicMemory != CK_UNAVAILABLE_INFORMATION)
			printf("  memory   %lu of %lu bytes free\n", (unsigned long)ti.ulFreePublicMemory,
			       (unsigned long)ti.ulTotalPublicMemory);
		if (ti.flags & CKF_SO_PIN_TO_BE_CHANGED)
			printf("  WARNING: the SO PIN was never changed: it is still the value the\n"
			       "  token was made or issued with (for most models printed in the\n"
			       "  vendor's guides), and with it anyone holding the token can set a\n"
			       "  new PIN.  Change it too:\n"
			       "      tumar-tool --serial %s change-pin --so\n", serial);
		if (fresh)
			printf("  WARNING: this token still has its factory PIN (or must have its PIN\n"
			       "  changed).  The factory PINs are printed in the NCA's guides, so anyone\n"
			       "  holding the token can use your keys.  Change it now:\n"
			       "      tumar-tool --serial %s change-pin\n", serial);
	}
	/* As --help says: nothing to show is exit 3, so scripts can tell;
	 * with --json the one object says why, beside the empty list. */
	rc = n == 0 || shown == 0 ? TT_NO_TOKEN : TT_OK;
	if (o->json) {
		tj_end(&j, ']');
		if (rc != TT_OK)
			tt_json_error(&j, rc, n == 0 ? no_readers : no_match);
		tj_end(&j, '}');
	} else if (n > 0 && shown == 0) {
		puts(no_match);
	}
	tt_token_close(&t);
	return rc;
}
