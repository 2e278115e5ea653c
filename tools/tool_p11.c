/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: the PKCS#11 module, the chosen token, and what its CKR
 * codes mean to a token owner. */
#include <config.h>

#include <dlfcn.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "tools/tool.h"
#include "tools/tool_pin.h"
#include "tools/tool_uri.h"

/* What went wrong, kept for --json's error object (tt_json_error). */
static char errors[2048];

void tt_err(const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	size_t used = strlen(errors);

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "tumar-tool: %s\n", msg);
	if (strncmp(msg, "warning: ", 9) != 0)
		snprintf(errors + used, sizeof(errors) - used, "%s%s", used ? "\n" : "", msg);
}

const char *tt_errors(void)
{
	return errors;
}

int tt_usage(FILE *f, const char *text, int rc)
{
	fputs(text, f);
	fputs("\n" TT_COMMON_HELP, f);
	return rc;
}

int tt_common_opt(struct tt_opts *o, int c, const char *arg)
{
	char *end;

	switch (c) {
	case 'M': o->module = arg; return 1;
	case 'T':
		if (!tt_is_uri(arg)) {
			o->token = arg;
			return 1;
		}
		p11_kit_uri_free(o->token_uri);
		if ((o->token_uri = tt_uri_parse(arg, "--token")) == NULL)
			return -1;
		return 1;
	case 'N': o->serial = arg; return 1;
	case 'J': o->json = true; return 1;
	case 'S':
		o->slot = strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || o->slot < 0) {
			tt_err("--slot %s: not a slot number", arg);
			return -1;
		}
		return 1;
	case 'F':
		o->pin_fd = (int)strtol(arg, &end, 10);
		if (*arg == '\0' || *end != '\0' || o->pin_fd < 0) {
			tt_err("--pin-fd %s: not a file descriptor", arg);
			return -1;
		}
		return 1;
	case 'P':
		/* Refused, not warned about: by the time a warning is printed
		 * the PIN has been in ps and the shell's history. */
		(void)arg;
		tt_err("--pin: a PIN on the command line can be read by other users (ps, shell "
		       "history); give it in TUMAR_PIN, on --pin-fd N or at the prompt");
		return -1;
	default:
		return 0;
	}
}

int tt_parse(struct tt_opts *o, int argc, char **argv, const char *usage,
	     const struct option *own, bool (*handle)(int c, const char *arg, void *ctx),
	     void *ctx, int *rest)
{
	static const struct option common[] = {TT_COMMON_LONGOPTS};
	struct option all[40];
	size_t n = 0;
	int c;

	for (; own != NULL && own[n].name != NULL && n < 30; n++)
		all[n] = own[n];
	memcpy(all + n, common, sizeof(common));
	n += sizeof(common) / sizeof(common[0]);
	memset(&all[n], 0, sizeof(all[n]));
	/* -o FILE is the one short option (csr's output, as openssl req has
	 * it); commands without an 'o' option refuse it. */
	while ((c = getopt_long(argc, argv, "ho:", all, NULL)) != -1) {
		if (c == 'h')
			return tt_usage(stdout, usage, TT_OK);
		int taken = tt_common_opt(o, c, optarg);
		if (taken < 0)
			return TT_USAGE;
		if (taken > 0)
			continue;
		if (c == '?' || handle == NULL || !handle(c, optarg, ctx))
			return tt_usage(stderr, usage, TT_USAGE);
	}
	*rest = optind;
	return -1;
}

static const struct {
	CK_RV rv;
	const char *name, *text;
} ckr_table[] = {
	{CKR_OK, "CKR_OK", "done"},
	{CKR_PIN_INCORRECT, "CKR_PIN_INCORRECT", "the PIN is wrong; each wrong try counts towards blocking it"},
	{CKR_PIN_LOCKED, "CKR_PIN_LOCKED", "the PIN is blocked after too many wrong tries; "
	 "unblock it with the SO PIN (tumar-tool unblock) or ask your administrator"},
	{CKR_PIN_LEN_RANGE, "CKR_PIN_LEN_RANGE", "the PIN's length is outside what the token accepts"},
	{CKR_PIN_INVALID, "CKR_PIN_INVALID", "the token does not accept these characters in a PIN"},
	{CKR_PIN_EXPIRED, "CKR_PIN_EXPIRED", "the token wants its PIN changed first "
	 "(tumar-tool change-pin)"},
	{CKR_USER_PIN_NOT_INITIALIZED, "CKR_USER_PIN_NOT_INITIALIZED",
	 "the token has no user PIN yet; set one with tumar-tool unblock (SO PIN)"},
	{CKR_USER_NOT_LOGGED_IN, "CKR_USER_NOT_LOGGED_IN", "the token wants the PIN first"},
	{CKR_USER_ALREADY_LOGGED_IN, "CKR_USER_ALREADY_LOGGED_IN", "already logged in"},
	{CKR_TOKEN_NOT_PRESENT, "CKR_TOKEN_NOT_PRESENT", "no token in the reader"},
	{CKR_DEVICE_REMOVED, "CKR_DEVICE_REMOVED", "the token was removed during the operation"},
	{CKR_DEVICE_ERROR, "CKR_DEVICE_ERROR", "the token or reader failed; take the token out and put it back"},
	{CKR_DEVICE_MEMORY, "CKR_DEVICE_MEMORY", "the token is full; delete unused keys or certificates"},
	{CKR_TOKEN_WRITE_PROTECTED, "CKR_TOKEN_WRITE_PROTECTED", "the token is write-protected"},
	{CKR_SLOT_ID_INVALID, "CKR_SLOT_ID_INVALID", "there is no such slot"},
	{CKR_MECHANISM_INVALID, "CKR_MECHANISM_INVALID", "the token cannot do this algorithm"},
	{CKR_KEY_SIZE_RANGE, "CKR_KEY_SIZE_RANGE", "the token cannot make a key of this size"},
	{CKR_TEMPLATE_INCONSISTENT, "CKR_TEMPLATE_INCONSISTENT", "the token refused the object's attributes"},
	{CKR_ATTRIBUTE_VALUE_INVALID, "CKR_ATTRIBUTE_VALUE_INVALID", "the token refused a value"},
	{CKR_FUNCTION_NOT_SUPPORTED, "CKR_FUNCTION_NOT_SUPPORTED", "the module cannot do this"},
	{CKR_CRYPTOKI_NOT_INITIALIZED, "CKR_CRYPTOKI_NOT_INITIALIZED", "the module is not initialised"},
	{CKR_HOST_MEMORY, "CKR_HOST_MEMORY", "out of memory"},
	{CKR_GENERAL_ERROR, "CKR_GENERAL_ERROR", "the module failed (a general error)"},
	{CKR_SESSION_HANDLE_INVALID, "CKR_SESSION_HANDLE_INVALID", "the session ended (token removed?)"},
	{CKR_SESSION_READ_ONLY, "CKR_SESSION_READ_ONLY", "the session is read-only"},
	{CKR_SESSION_EXISTS, "CKR_SESSION_EXISTS", "another program has the token open"},
	{CKR_OBJECT_HANDLE_INVALID, "CKR_OBJECT_HANDLE_INVALID", "the object is gone"},
	{CKR_KEY_HANDLE_INVALID, "CKR_KEY_HANDLE_INVALID", "the key is gone"},
	{CKR_DATA_LEN_RANGE, "CKR_DATA_LEN_RANGE", "the data is too long for the key"},
	{CKR_ARGUMENTS_BAD, "CKR_ARGUMENTS_BAD", "the module rejected the arguments"},
};

const char *tt_ckr_name(CK_RV rv)
{
	for (size_t i = 0; i < sizeof(ckr_table) / sizeof(ckr_table[0]); i++)
		if (ckr_table[i].rv == rv)
			return ckr_table[i].name;
	return "CKR_(other)";
}

const char *tt_ckr_explain(CK_RV rv)
{
	for (size_t i = 0; i < sizeof(ckr_table) / sizeof(ckr_table[0]); i++)
		if (ckr_table[i].rv == rv)
			return ckr_table[i].text;
	return "the module reported an error";
}

int tt_fail(const char *what, CK_RV rv)
{
	tt_err("%s: %s (%s, 0x%lX)", what, tt_ckr_explain(rv), tt_ckr_name(rv), (unsigned long)rv);
	switch (rv) {
	case CKR_TOKEN_NOT_PRESENT: case CKR_DEVICE_REMOVED: case CKR_SLOT_ID_INVALID:
		return TT_NO_TOKEN;
	default:
		return TT_FAILED;
	}
}

CK_ULONG tt_text(char *out, size_t size, const char *s)
{
	size_t n = strlen(s);

	if (n >= size)
		n = size - 1;
	memcpy(out, s, n);
	out[n] = '\0';
	return (CK_ULONG)n;
}

void tt_print_padded(const char *s, int width)
{
	int chars = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++)
		chars += (*p & 0xC0) != 0x80;
	fputs(s, stdout);
	for (; chars < width; chars++)
		putchar(' ');
}

void tt_field(char *out, size_t out_size, const CK_UTF8CHAR *field, size_t field_size)
{
	size_t n = field_size < out_size - 1 ? field_size : out_size - 1;

	memcpy(out, field, n);
	while (n > 0 && (out[n - 1] == ' ' || out[n - 1] == '\0'))
		n--;
	out[n] = '\0';
}

int tt_module_open(const struct tt_opts *o, struct tt_token *t)
{
	const char *path = o->module ? o->module : getenv("TUMAR_MODULE");
	CK_C_GetFunctionList get;
	CK_C_INITIALIZE_ARGS args = {.flags = CKF_OS_LOCKING_OK};
	CK_RV rv;

	memset(t, 0, sizeof(*t));
	if (path == NULL || *path == '\0')
		path = TUMAR_DEFAULT_MODULE;
	t->dl = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (t->dl == NULL) {
		tt_err("cannot load the PKCS#11 module: %s (give one with --module)", dlerror());
		return TT_NO_TOKEN;
	}
	get = (CK_C_GetFunctionList)dlsym(t->dl, "C_GetFunctionList");
	if (get == NULL || get(&t->f) != CKR_OK || t->f == NULL) {
		tt_err("%s: not a PKCS#11 module (no C_GetFunctionList)", path);
		dlclose(t->dl);
		t->dl = NULL;
		return TT_NO_TOKEN;
	}
	t->pin_info = (tumar_GetPinInfo_fn)dlsym(t->dl, TUMAR_GET_PIN_INFO);
	if ((rv = t->f->C_Initialize(&args)) != CKR_OK) {
		dlclose(t->dl);
		t->dl = NULL;
		return tt_fail("C_Initialize", rv);
	}
	return TT_OK;
}

void tt_opts_free(struct tt_opts *o)
{
	p11_kit_uri_free(o->token_uri);
	p11_kit_uri_free(o->object_uri);
	o->token_uri = o->object_uri = NULL;
}

bool tt_token_chosen(const struct tt_opts *o)
{
	return o->slot >= 0 || o->token || o->serial || o->token_uri || o->object_uri;
}

bool tt_token_wanted(const struct tt_opts *o, CK_SLOT_ID slot, const CK_SLOT_INFO *si,
		     const CK_TOKEN_INFO *ti)
{
	char field[33];

	if (o->slot >= 0 && (CK_SLOT_ID)o->slot != slot)
		return false;
	if (ti == NULL) /* only a slot number can choose an empty reader */
		return !o->token && !o->serial && !o->token_uri && !o->object_uri;
	tt_field(field, sizeof(field), ti->label, sizeof(ti->label));
	if (o->token != NULL && strcmp(o->token, field) != 0)
		return false;
	tt_field(field, sizeof(field), ti->serialNumber, sizeof(ti->serialNumber));
	if (o->serial != NULL && strcmp(o->serial, field) != 0)
		return false;
	return (o->token_uri == NULL || tt_uri_matches(o->token_uri, slot, si, ti)) &&
	       (o->object_uri == NULL || tt_uri_matches(o->object_uri, slot, si, ti));
}

/* What the options ask for, for a message. */
static void wanted_text(const struct tt_opts *o, char *out, size_t size)
{
	if (o->token_uri || o->object_uri)
		snprintf(out, size, "matching the URI");
	else if (o->token != NULL)
		snprintf(out, size, "labelled \"%s\"", o->token);
	else if (o->serial != NULL)
		snprintf(out, size, "with serial number %s", o->serial);
	else
		snprintf(out, size, "in slot %ld", o->slot);
}

/* The token the options name, or the only one present. */
static int choose_token(const struct tt_opts *o, struct tt_token *t)
{
	CK_SLOT_ID slots[64];
	CK_ULONG n = sizeof(slots) / sizeof(slots[0]);
	CK_RV rv = t->f->C_GetSlotList(CK_TRUE, slots, &n);
	int found = 0;
	char what[80];

	if (rv != CKR_OK)
		return tt_fail("C_GetSlotList", rv);
	for (CK_ULONG i = 0; i < n; i++) {
		CK_SLOT_INFO si;
		CK_TOKEN_INFO ti;
		if (t->f->C_GetSlotInfo(slots[i], &si) != CKR_OK ||
		    t->f->C_GetTokenInfo(slots[i], &ti) != CKR_OK)
			continue;
		if (!tt_token_wanted(o, slots[i], &si, &ti))
			continue;
		/* An uninitialised token (SoftHSM2's spare slot) is nobody's
		 * choice unless the options name it. */
		if (!(ti.flags & CKF_TOKEN_INITIALIZED) && !tt_token_chosen(o))
			continue;
		if (found++ == 0) {
			t->slot = slots[i];
			t->info = ti;
		}
	}
	if (found == 1)
		return TT_OK;
	if (found == 0) {
		if (tt_token_chosen(o)) {
			wanted_text(o, what, sizeof(what));
			tt_err("no token %s (tumar-tool list shows the tokens)", what);
		} else {
			tt_err("no token found: insert one (tumar-tool list shows the readers)");
		}
		return TT_NO_TOKEN;
	}
	tt_err("%d tokens are present%s: choose one with --serial, --token (a label or the URI "
	       "tumar-tool list prints) or --slot", found,
	       tt_token_chosen(o) ? " that match" : "");
	return TT_USAGE;
}

int tt_token_open(const struct tt_opts *o, struct tt_token *t, bool rw)
{
	int rc = tt_module_open(o, t);
	CK_RV rv;

	if (rc != TT_OK)
		return rc;
	if ((rc = choose_token(o, t)) != TT_OK) {
		tt_token_close(t);
		return rc;
	}
	tt_pin_for_token(&t->info);
	rv = t->f->C_OpenSession(t->slot, CKF_SERIAL_SESSION | (rw ? CKF_RW_SESSION : 0), NULL,
				 NULL, &t->s);
	if (rv != CKR_OK) {
		tt_token_close(t);
		return tt_fail("C_OpenSession", rv);
	}
	t->have_session = true;
	return TT_OK;
}

bool tt_note_failure(struct tt_token *t, CK_RV rv)
{
	switch (rv) {
	case CKR_DEVICE_ERROR: case CKR_DEVICE_REMOVED: case CKR_DEVICE_MEMORY:
	case CKR_TOKEN_NOT_PRESENT: case CKR_TOKEN_NOT_RECOGNIZED: case CKR_SESSION_CLOSED:
	case CKR_SESSION_HANDLE_INVALID: case CKR_GENERAL_ERROR: case CKR_FUNCTION_FAILED:
	case CKR_HOST_MEMORY: case CKR_CRYPTOKI_NOT_INITIALIZED:
		if (t->failed == CKR_OK)
			t->failed = rv;
		return true;
	default:
		return false;
	}
}

int tt_token_failure(const struct tt_token *t)
{
	if (t->failed == CKR_OK)
		return TT_OK;
	return tt_fail("reading the token's objects (so what it holds is not known; nothing "
		       "more was done)", t->failed);
}

CK_RV tt_token_refresh(struct tt_token *t)
{
	return t->f->C_GetTokenInfo(t->slot, &t->info);
}

void tt_token_close(struct tt_token *t)
{
	if (t->f == NULL)
		return;
	if (t->have_session)
		t->f->C_CloseSession(t->s);
	t->f->C_Finalize(NULL);
	/* The module is not dlclose()d: a module may leave threads or atexit
	 * handlers behind, and the process ends soon anyway. */
	t->f = NULL;
	t->have_session = false;
}
