/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-tool: PINs (tools/tool_pin.h). */
#include <config.h>

#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "tools/tool_pin.h"

static const char *const env_names[] = {"TUMAR_PIN", "TUMAR_SO_PIN", "TUMAR_NEW_PIN"};
static const char *const prompts[] = {"PIN", "SO PIN", "new PIN"};
/* "Kaztoken, serial KZ0001": which token a prompt asks for, since the
 * owner may have more than one in the computer. */
static char prompt_token[80];

void tt_pin_for_token(const CK_TOKEN_INFO *ti)
{
	char label[33], serial[17];

	tt_field(label, sizeof(label), ti->label, sizeof(ti->label));
	tt_field(serial, sizeof(serial), ti->serialNumber, sizeof(ti->serialNumber));
	snprintf(prompt_token, sizeof(prompt_token), "%s%s%s", label, serial[0] ? ", serial " : "",
		 serial);
}

/* One line from fd, byte by byte so nothing past it is consumed. */
static int read_line(int fd, char pin[TT_PIN_MAX + 1])
{
	size_t n = 0;
	char c;
	ssize_t r;

	while ((r = read(fd, &c, 1)) == 1 && c != '\n') {
		if (n == TT_PIN_MAX)
			return -1;
		pin[n++] = c;
	}
	if (r < 0 || (r == 0 && n == 0))
		return -1;
	if (n > 0 && pin[n - 1] == '\r')
		n--;
	pin[n] = '\0';
	return 0;
}

static int ask_tty(const char *prompt, char pin[TT_PIN_MAX + 1])
{
	int fd = open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
	struct termios old, quiet;
	int rc;

	if (fd < 0)
		return -1;
	if (tcgetattr(fd, &old) != 0) {
		close(fd);
		return -1;
	}
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)(ECHO | ECHONL);
	quiet.c_lflag |= ICANON;
	(void)!write(fd, prompt, strlen(prompt));
	if (prompt_token[0] != '\0') {
		(void)!write(fd, " for ", 5);
		(void)!write(fd, prompt_token, strlen(prompt_token));
	}
	(void)!write(fd, ": ", 2);
	tcsetattr(fd, TCSAFLUSH, &quiet);
	rc = read_line(fd, pin);
	tcsetattr(fd, TCSAFLUSH, &old);
	(void)!write(fd, "\n", 1);
	close(fd);
	return rc;
}

int tt_pin_get(const struct tt_opts *o, enum tt_pin_kind kind, char pin[TT_PIN_MAX + 1])
{
	const char *env = getenv(env_names[kind]);

	if (env != NULL) {
		if (strlen(env) > TT_PIN_MAX) {
			tt_err("%s is longer than %d characters", env_names[kind], TT_PIN_MAX);
			return TT_USAGE;
		}
		strcpy(pin, env);
		return TT_OK;
	}
	if (o->pin_fd >= 0) {
		if (read_line(o->pin_fd, pin) != 0) {
			tt_err("no %s on --pin-fd %d (one PIN per line)", prompts[kind], o->pin_fd);
			return TT_USAGE;
		}
		return TT_OK;
	}
	if (ask_tty(prompts[kind], pin) != 0) {
		tt_err("no %s: set %s, use --pin-fd, or run on a terminal", prompts[kind],
		       env_names[kind]);
		return TT_USAGE;
	}
	if (kind == TT_PIN_NEW) {
		char again[TT_PIN_MAX + 1];
		int same = ask_tty("new PIN again", again) == 0 && strcmp(again, pin) == 0;
		OPENSSL_cleanse(again, sizeof(again));
		if (!same) {
			OPENSSL_cleanse(pin, TT_PIN_MAX + 1);
			tt_err("the two new PINs differ; nothing was changed");
			return TT_USAGE;
		}
	}
	return TT_OK;
}

int tt_secret_get(const char *path, const char *prompt, char secret[TT_PIN_MAX + 1])
{
	int fd, rc;

	if (path == NULL) {
		if (ask_tty(prompt, secret) == 0)
			return TT_OK;
		tt_err("no %s: give it in a file (--password-file) or run on a terminal", prompt);
		return TT_USAGE;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		tt_err("%s: cannot be read", path);
		return TT_USAGE;
	}
	rc = read_line(fd, secret);
	close(fd);
	if (rc != 0) {
		OPENSSL_cleanse(secret, TT_PIN_MAX + 1);
		tt_err("%s: no %s on its first line (at most %d characters)", path, prompt,
		       TT_PIN_MAX);
		return TT_USAGE;
	}
	return TT_OK;
}

/* Beside the token's classes: bytes no token takes (control bytes and
 * anything not ASCII: a Cyrillic letter is two such bytes) and spaces. */
#define NOT_ASCII ((CK_FLAGS)1 << 16)
#define SPACE ((CK_FLAGS)1 << 17)

static CK_FLAGS classes_of(const char *pin)
{
	CK_FLAGS c = 0;

	for (const unsigned char *p = (const unsigned char *)pin; *p; p++) {
		if (*p >= '0' && *p <= '9')
			c |= TUMAR_PIN_DIGIT;
		else if (*p >= 'a' && *p <= 'z')
			c |= TUMAR_PIN_LOWER;
		else if (*p >= 'A' && *p <= 'Z')
			c |= TUMAR_PIN_UPPER;
		else if (*p < 0x20 || *p >= 0x7F)
			c |= NOT_ASCII;
		else
			c |= TUMAR_PIN_OTHER | (*p == ' ' ? SPACE : 0);
	}
	return c;
}

static const struct {
	CK_FLAGS cls;
	const char *name;
} class_names[] = {
	{TUMAR_PIN_UPPER, "a Latin capital letter (A-Z)"},
	{TUMAR_PIN_LOWER, "a Latin small letter (a-z)"},
	{TUMAR_PIN_DIGIT, "a digit (0-9)"},
	{TUMAR_PIN_OTHER, "another character"},
};

int tt_pin_check_new(const struct tt_token *t, CK_USER_TYPE who, const char *pin)
{
	struct tumar_pin_info pi = {
		.min_len = t->info.ulMinPinLen, .max_len = t->info.ulMaxPinLen,
		.allowed = TUMAR_PIN_DIGIT | TUMAR_PIN_LOWER | TUMAR_PIN_UPPER | TUMAR_PIN_OTHER,
	};
	size_t len = strlen(pin);
	CK_FLAGS has = classes_of(pin);
	int broken = 0;

	if (t->pin_info != NULL && t->pin_info(t->slot, who, &pi) != CKR_OK)
		pi.allowed = TUMAR_PIN_DIGIT | TUMAR_PIN_LOWER | TUMAR_PIN_UPPER | TUMAR_PIN_OTHER;
	if (len < pi.min_len || (pi.max_len > 0 && len > pi.max_len)) {
		if (pi.min_len == pi.max_len) /* an ID card's 6 digits: not "6 to 6" */
			tt_err("the new PIN has %zu characters; this token takes exactly %lu", len,
			       (unsigned long)pi.min_len);
		else
			tt_err("the new PIN has %zu characters; this token takes %lu to %lu", len,
			       (unsigned long)pi.min_len, (unsigned long)pi.max_len);
		broken++;
	}
	if (has & NOT_ASCII) {
		/* Tokens compare PIN bytes, and a keyboard layout decides which
		 * bytes a Cyrillic letter becomes: every token refuses them. */
		tt_err("a PIN takes printable ASCII only: no Cyrillic or other non-Latin "
		       "letters, no control characters");
		broken++;
	}
	for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++) {
		CK_FLAGS c = class_names[i].cls;
		if ((has & c) && !(pi.allowed & c)) {
			tt_err("this token does not take %s in a PIN", class_names[i].name);
			broken++;
		} else if (!(has & c) && (pi.required & c)) {
			tt_err("this token wants %s in a PIN", class_names[i].name);
			broken++;
		}
	}
	/* The NCA's rule is for passwords made of letters and digits; a token
	 * whose PIN is digits only (an ID card) cannot follow it. */
	bool letters = (pi.allowed & TUMAR_PIN_LOWER) && (pi.allowed & TUMAR_PIN_UPPER);
	if (letters) {
		const CK_FLAGS nca = TUMAR_PIN_UPPER | TUMAR_PIN_LOWER | TUMAR_PIN_DIGIT;
		if (len < 6 || len > 32) {
			tt_err("NCA rule: a PIN has 6 to 32 characters (this one has %zu)", len);
			broken++;
		}
		if (has & SPACE) {
			tt_err("NCA rule: no spaces in a PIN");
			broken++;
		}
		for (size_t i = 0; i < sizeof(class_names) / sizeof(class_names[0]); i++)
			if ((nca & class_names[i].cls) && !(has & class_names[i].cls)) {
				tt_err("NCA rule: a PIN needs %s", class_names[i].name);
				broken++;
			}
	}
	if (broken) {
		tt_err("nothing was sent to the token; choose a PIN that meets %s",
		       broken > 1 ? "these rules" : "this rule");
		return TT_USAGE;
	}
	return TT_OK;
}

const char *tt_tries_left(const struct tt_token *t, CK_USER_TYPE who)
{
	static char text[48];
	struct tumar_pin_info pi;

	if (t->pin_info == NULL || t->pin_info(t->slot, who, &pi) != CKR_OK)
		return "";
	snprintf(text, sizeof(text), " (%lu of %lu tries left)", (unsigned long)pi.tries_left,
		 (unsigned long)pi.tries_max);
	return text;
}

bool tt_pin_blocked(const struct tt_token *t, CK_USER_TYPE who)
{
	struct tumar_pin_info pi;

	if (t->pin_info != NULL && t->pin_info(t->slot, who, &pi) == CKR_OK)
		return pi.tries_left == 0;
	return t->info.flags & (who == CKU_SO ? CKF_SO_PIN_LOCKED : CKF_USER_PIN_LOCKED);
}

bool tt_pin_final_try(const struct tt_token *t, CK_USER_TYPE who)
{
	struct tumar_pin_info pi;

	if (t->pin_info != NULL && t->pin_info(t->slot, who, &pi) == CKR_OK)
		return pi.tries_left == 1;
	return t->info.flags & (who == CKU_SO ? CKF_SO_PIN_FINAL_TRY : CKF_USER_PIN_FINAL_TRY);
}

int tt_login_with(struct tt_token *t, CK_USER_TYPE who, char *pin)
{
	const char *name = who == CKU_SO ? "SO PIN" : "PIN";
	CK_RV rv = t->f->C_Login(t->s, who, (CK_UTF8CHAR_PTR)pin, strlen(pin));

	if (rv == CKR_OK || rv == CKR_USER_ALREADY_LOGGED_IN)
		return TT_OK;
	tt_token_refresh(t);
	if (rv == CKR_PIN_INCORRECT && tt_pin_blocked(t, who))
		rv = CKR_PIN_LOCKED; /* that was the last try */
	if (rv == CKR_PIN_INCORRECT) {
		tt_err("the %s is wrong%s", name, tt_tries_left(t, who));
		return TT_FAILED;
	}
	if (rv == CKR_PIN_LOCKED) {
		tt_err("the %s is wrong, and that was the last try: the token has blocked it. %s",
		       name, who == CKU_SO ? "Only the token's issuer can help now."
					   : "Unblock it with the SO PIN: tumar-tool unblock");
		return TT_FAILED;
	}
	return tt_fail(who == CKU_SO ? "SO login" : "login", rv);
}

/* Before a PIN is asked for: a blocked PIN is refused without a try, and
 * the last try is announced while it can still be kept. */
int tt_login_check(const struct tt_token *t, CK_USER_TYPE who)
{
	const char *name = who == CKU_SO ? "SO PIN" : "PIN";

	if (tt_pin_blocked(t, who)) {
		tt_err("the %s is blocked after too many wrong tries; %s", name,
		       who == CKU_SO ? "only the token's issuer can help now"
				     : "unblock it with the SO PIN (tumar-tool unblock)");
		return TT_FAILED;
	}
	if (tt_pin_final_try(t, who))
		tt_err("warning: one %s try is left: a wrong %s now blocks the token%s", name, name,
		       who == CKU_SO ? " for good" : " (then only the SO PIN unblocks it)");
	return TT_OK;
}

/* The module logs in with a factory PIN under its default policy (warn)
 * and raises CKF_USER_PIN_TO_BE_CHANGED, but its own warning goes to a log
 * nobody reads: the owner who just typed the PIN printed in the NCA's
 * guide hears it here, at every command, until the PIN is changed. */
static void warn_factory_pin(struct tt_token *t)
{
	char serial[17];

	if (tt_token_refresh(t) != CKR_OK || !(t->info.flags & CKF_USER_PIN_TO_BE_CHANGED))
		return;
	tt_field(serial, sizeof(serial), t->info.serialNumber, sizeof(t->info.serialNumber));
	tt_err("warning: this token is still on its factory PIN (or must have its PIN "
	       "changed), which anyone holding it can look up; change it: tumar-tool%s%s change-pin",
	       serial[0] ? " --serial " : "", serial);
}

int tt_login(struct tt_token *t, const struct tt_opts *o, CK_USER_TYPE who)
{
	char pin[TT_PIN_MAX + 1];
	int rc = tt_login_check(t, who);

	if (rc == TT_OK)
		rc = tt_pin_get(o, who == CKU_SO ? TT_PIN_SO : TT_PIN_USER, pin);
	if (rc != TT_OK)
		return rc;
	rc = tt_login_with(t, who, pin);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (rc == TT_OK && who == CKU_USER)
		warn_factory_pin(t);
	return rc;
}
