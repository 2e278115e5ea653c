/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace: read APDU traces (docs/trace-format.md) and pcscd's APDU
 * logs; replay them against a card. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "apdu/pcscd_log.h"
#include "apdu/rc.h"
#include "tools/trace_cmds.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tumar-trace [options] decode FILE   each APDU: command name, P1-P2 meaning,\n"
"                                          data as a TLV tree, status word and its\n"
"                                          meaning, timing\n"
"       tumar-trace [options] stats FILE    APDUs per command, bytes and time\n"
"       tumar-trace [options] replay FILE --reader NAME\n"
"                                          send the trace's commands to the card in\n"
"                                          reader NAME; report each response that\n"
"                                          differs from the trace's\n"
"\n"
"FILE is a trace from tumar-pkcs11.so (TUMAR_TRACE) or tumar-emu (--trace), or\n"
"pcscd's APDU log (pcscd -f -a, for real tokens); \"-\" reads standard input.\n"
"Other lines are skipped.  PINs stay masked: traces never hold them, and the\n"
"PIN commands of a pcscd log are masked as they are read.\n"
"\n"
"Options:\n"
"  --json                  JSON on stdout instead of text\n"
"  --color[=auto|always|never]  colour (auto: on a terminal, unless NO_COLOR)\n"
"  --reader NAME           replay: the PC/SC reader\n"
"  --reset                 replay: reset the card first, for a trace recorded\n"
"                          from power-on (what a card answers depends on what\n"
"                          was selected and verified before)\n"
"\n"
"Exit status: 0; 1 when some trace line is broken, or (replay) a response\n"
"differs; 2 bad usage, an unreadable file or (replay) no such reader;\n"
"3 no APDUs in the input.\n");
}

void tm_trace_hex(char *out, const uint8_t *p, size_t n)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int tm_trace_each(FILE *in, const char *name,
		  void (*fn)(const struct tm_trace_rec *r, void *ctx), void *ctx)
{
	struct tm_trace_rec *rec = malloc(sizeof(*rec));
	struct tm_pcscd_log *log = malloc(sizeof(*log));
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned long n = 0, broken = 0, apdus = 0;

	if (rec == NULL || log == NULL) {
		free(rec);
		free(log);
		return 2;
	}
	tm_pcscd_log_init(log);
	while ((len = getline(&line, &cap, in)) >= 0) {
		n++;
		int rc = tm_trace_parse(line, (size_t)len, rec);
		if (rc == TM_ERR_NOT_FOUND)
			rc = tm_pcscd_log_line(log, line, (size_t)len, rec);
		if (rc == TM_OK) {
			fn(rec, ctx);
			apdus++;
		} else if (rc != TM_ERR_NOT_FOUND) {
			fprintf(stderr, "tumar-trace: %s:%lu: not a valid trace line; skipped\n", name, n);
			broken++;
		}
	}
	if (tm_pcscd_log_finish(log, rec) == TM_OK) {
		fn(rec, ctx);
		apdus++;
	}
	/* A pcscd log holds PINs in clear until they are masked. */
	if (line != NULL)
		OPENSSL_cleanse(line, cap);
	free(line);
	OPENSSL_cleanse(rec, sizeof(*rec));
	free(rec);
	free(log);
	if (broken)
		return 1;
	/* Nothing at all is not a trace with no errors: most often the
	 * wrong file, or a pcscd log without -a. */
	if (apdus == 0) {
		fprintf(stderr, "tumar-trace: %s: no APDUs in it (%lu line%s): not a Tumar trace "
				"nor a pcscd log with APDUs (pcscd -f -a)\n",
			name, n, n == 1 ? "" : "s");
		return 3;
	}
	return 0;
}

static bool want_colour(const char *mode)
{
	if (mode == NULL || strcmp(mode, "auto") == 0)
		return isatty(STDOUT_FILENO) && getenv("NO_COLOR") == NULL &&
		       (getenv("TERM") == NULL || strcmp(getenv("TERM"), "dumb") != 0);
	return strcmp(mode, "always") == 0;
}

int main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"color", optional_argument, NULL, 'c'},
		{"colour", optional_argument, NULL, 'c'},
		{"reader", required_argument, NULL, 'r'},
		{"reset", no_argument, NULL, 'R'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct tm_trace_out out = {0};
	const char *colour = "auto", *reader = NULL;
	bool reset = false;
	int c;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': out.json = true; break;
		case 'r': reader = optarg; break;
		case 'R': reset = true; break;
		case 'c':
			colour = optarg ? optarg : "always";
			if (strcmp(colour, "auto") && strcmp(colour, "always") && strcmp(colour, "never")) {
				fprintf(stderr, "tumar-trace: --color=%s: auto, always or never\n", colour);
				return 2;
			}
			break;
		case 'h': usage(stdout); return 0;
		case 'V': puts("tumar-trace " PACKAGE_VERSION); return 0;
		default: usage(stderr); return 2;
		}
	}
	if (argc - optind != 2) {
		usage(stderr);
		return 2;
	}
	const char *cmd = argv[optind], *file = argv[optind + 1];
	bool replay = strcmp(cmd, "replay") == 0;
	if (strcmp(cmd, "decode") != 0 && strcmp(cmd, "stats") != 0 && !replay) {
		usage(stderr);
		return 2;
	}
	if (replay != (reader != NULL)) {
		fprintf(stderr, "tumar-trace: %s\n", replay ? "replay needs --reader NAME"
							     : "--reader is for replay");
		return 2;
	}
	out.colour = !out.json && want_colour(colour);
	FILE *in = strcmp(file, "-") == 0 ? stdin : fopen(file, "r");
	if (in == NULL) {
		fprintf(stderr, "tumar-trace: %s: %s\n", file, strerror(errno));
		return 2;
	}
	/* replay reads a snapshot: a trace that grows while it is replayed
	 * (the card's own trace) would otherwise feed itself for ever. */
	char *snap = NULL;
	if (replay) {
		size_t len = 0;
		FILE *m = open_memstream(&snap, &len);
		char buf[8192];
		size_t n;
		while (m != NULL && (n = fread(buf, 1, sizeof(buf), in)) > 0)
			fwrite(buf, 1, n, m);
		if (in != stdin)
			fclose(in);
		if (m == NULL || fclose(m) != 0 || (in = fmemopen(snap, len ? len : 1, "r")) == NULL) {
			fprintf(stderr, "tumar-trace: %s: cannot read it\n", file);
			free(snap);
			return 2;
		}
		if (len == 0)
			fgetc(in); /* an empty file: nothing to read */
	}
	tj_init(&out.j, stdout);
	int rc = replay ? tm_trace_replay_cmd(in, file, reader, reset, &out)
		 : strcmp(cmd, "decode") == 0 ? tm_trace_decode_cmd(in, file, &out)
					      : tm_trace_stats_cmd(in, file, &out);
	if (in != stdin)
		fclose(in);
	free(snap);
	return rc;
}
