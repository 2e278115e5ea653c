/* tumar-trace: read APDU traces (docs/trace-format.md). */
#include <config.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "apdu/rc.h"
#include "tools/trace_cmds.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tumar-trace decode FILE    each APDU: command, parameters, data as a\n"
"                                  TLV tree, status word and its meaning\n"
"       tumar-trace stats FILE     APDUs per command, bytes and time\n"
"\n"
"FILE is a trace from tumar-pkcs11.so (TUMAR_TRACE) or tumar-emu (--trace);\n"
"\"-\" reads standard input.  Lines that are not trace lines are skipped;\n"
"secrets (PINs) are never in a trace and stay masked.\n"
"Exit status: 0; 1 when some trace line is broken; 2 bad usage or an\n"
"unreadable file.\n");
}

int tm_trace_each(FILE *in, const char *name, void (*fn)(const struct tm_trace_rec *r))
{
	struct tm_trace_rec *rec = malloc(sizeof(*rec));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long n = 0, broken = 0;

	if (rec == NULL)
		return 2;
	while ((len = getline(&line, &cap, in)) >= 0) {
		n++;
		int rc = tm_trace_parse(line, (size_t)len, rec);
		if (rc == TM_OK)
			fn(rec);
		else if (rc != TM_ERR_NOT_FOUND) {
			fprintf(stderr, "tumar-trace: %s:%lu: not a valid trace line; skipped\n", name, n);
			broken++;
		}
	}
	free(line);
	free(rec);
	return broken ? 1 : 0;
}

int main(int argc, char **argv)
{
	if (argc == 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc != 3 || (strcmp(argv[1], "decode") != 0 && strcmp(argv[1], "stats") != 0)) {
		usage(stderr);
		return 2;
	}
	FILE *in = strcmp(argv[2], "-") == 0 ? stdin : fopen(argv[2], "r");
	if (in == NULL) {
		fprintf(stderr, "tumar-trace: %s: %s\n", argv[2], strerror(errno));
		return 2;
	}
	int rc = strcmp(argv[1], "decode") == 0 ? tm_trace_decode_cmd(in, argv[2])
						  : tm_trace_stats_cmd(in, argv[2]);
	if (in != stdin)
		fclose(in);
	return rc;
}
