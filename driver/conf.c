/* SPDX-License-Identifier: LGPL-2.1-or-later */
#include <config.h>

#include "conf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "driver/log.h"

static char *trim(char *s)
{
	while (*s == ' ' || *s == '\t')
		s++;
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		s[--n] = '\0';
	return s;
}

void tm_conf_load(struct tm_conf *c)
{
	/* secure_getenv: not in a set-user-ID or set-group-ID process (the
	 * trace and configuration paths would be the caller's to choose). */
	const char *path = secure_getenv("TUMAR_CONF"), *trace = secure_getenv("TUMAR_TRACE");
	char line[600];
	unsigned n = 0;
	FILE *f;

	memset(c, 0, sizeof(*c));
	if (path == NULL)
		path = "/etc/tumar/tumar.conf";
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL) {
			n++;
			char *hash = strchr(line, '#');
			if (hash)
				*hash = '\0';
			char *s = trim(line), *eq = strchr(s, '=');
			if (*s == '\0')
				continue;
			if (eq == NULL) {
				tm_log(TM_LOG_WARN, "%s:%u: expected key = value; line ignored", path, n);
				continue;
			}
			*eq = '\0';
			char *key = trim(s), *value = trim(eq + 1);
			if (strcmp(key, "default_pin_policy") == 0 && strcmp(value, "enforce") == 0)
				c->enforce_default_pin = true;
			else if (strcmp(key, "default_pin_policy") == 0 && strcmp(value, "warn") == 0)
				c->enforce_default_pin = false;
			else if (strcmp(key, "trace") == 0)
				snprintf(c->trace, sizeof(c->trace), "%s", value);
			else
				tm_log(TM_LOG_WARN, "%s:%u: unknown setting or value; line ignored", path, n);
		}
		fclose(f);
	}
	if (trace != NULL)
		snprintf(c->trace, sizeof(c->trace), "%s", trace);
}
