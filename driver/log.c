/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "log.h"

#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "apdu/trace.h"

static int enabled;
static FILE *out;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;

void tm_log_init(void)
{
	/* secure_getenv: a set-user-ID program that loads the module must not
	 * be made to write files where its caller says. */
	const char *d = secure_getenv("TUMAR_DEBUG"), *file = secure_getenv("TUMAR_LOG");

	enabled = 0;
	if (d != NULL) {
		if (strstr(d, "all"))
			enabled = TM_LOG_P11 | TM_LOG_CARD | TM_LOG_APDU;
		if (strstr(d, "p11"))
			enabled |= TM_LOG_P11;
		if (strstr(d, "card"))
			enabled |= TM_LOG_CARD;
		if (strstr(d, "apdu"))
			enabled |= TM_LOG_APDU;
		if (enabled)
			enabled |= TM_LOG_WARN;
	}
	out = stderr;
	if (enabled && file != NULL && file[0] != '\0') {
		FILE *f = tm_trace_open(file); /* 0600 */
		if (f != NULL)
			out = f;
	}
}

void tm_log_close(void)
{
	if (out != NULL && out != stderr)
		fclose(out);
	out = NULL;
}

int tm_log_enabled(enum tm_log_cat cat)
{
	return (enabled & cat) != 0;
}

void tm_log(enum tm_log_cat cat, const char *fmt, ...)
{
	static const char *names[] = {[TM_LOG_P11] = "p11", [TM_LOG_CARD] = "card",
				      [TM_LOG_APDU] = "apdu", [TM_LOG_WARN] = "WARNING"};
	va_list ap;
	struct timespec ts;

	if (!(enabled & cat) || out == NULL)
		return;
	clock_gettime(CLOCK_REALTIME, &ts);
	pthread_mutex_lock(&lock);
	fprintf(out, "tumar-pkcs11 %ld.%06ld %s: ", (long)ts.tv_sec, ts.tv_nsec / 1000, names[cat]);
	va_start(ap, fmt);
	vfprintf(out, fmt, ap);
	va_end(ap);
	fputc('\n', out);
	fflush(out);
	pthread_mutex_unlock(&lock);
}
