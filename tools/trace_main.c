/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-trace: read APDU traces (docs/trace-format.md) and pcscd's APDU
 * logs; replay them against a card. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "apdu/rc.h"
#include "tools/trace_cmds.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tumar-trace [options] decode FILE\n"
"         each APDU: command name, P1-P2 meaning, data as a TLV tree, status\n"
"         word and its meaning, timing\n"
"       tumar-trace [options] stats FILE\n"
"         APDUs per command, bytes and time\n"
"       tumar-trace [options] replay FILE --reader NAME\n"
"         send the trace's commands to the card in reader NAME; report each\n"
"         response that differs from the trace's\n"
"\n"
"FILE is a trace from tumar-pkcs11.so (TUMAR_TRACE) or tumar-emu (--trace),\n"
"pcscd's APDU log (pcscd -f -a), OpenSC's debug log (OPENSC_DEBUG=9) or\n"
"pcsc-spy's output (pcsc-spy -n), for real tokens; \"-\" reads standard input.\n"
"Other lines are skipped.  PINs stay masked: traces never hold them, and the\n"
"PIN commands of the other tools' logs are masked as they are read.  decode\n"
"joins 61xx/GET RESPONSE and chained commands into one exchange; numbering\n"
"runs on across the processes that wrote a file, with a line where each new\n"
"one starts.\n"
"\n"
"Options:\n"
"  --json                  JSON on stdout instead of text\n"
"  --color[=auto|always|never]  colour (auto: on a terminal, unless NO_COLOR)\n"
"  --raw                   decode: each APDU as it was sent, none joined\n"
"  --reader NAME           replay: the PC/SC reader\n"
"  --pin-fd N              replay: read the user PIN from file descriptor N (one\n"
"                          line) and send it in the trace's masked VERIFYs of the\n"
"                          user PIN, so a session replays past its login\n"
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

/* One line from fd, without its line end; the fd is closed.  A PIN is
 * never echoed in a message. */
static int read_pin(int fd, char *pin, size_t cap, size_t *len)
{
	size_t n = 0;
	char ch;
	ssize_t r;

	while ((r = read(fd, &ch, 1)) == 1 && ch != '\n') {
		if (n + 1 >= cap) {
			fprintf(stderr, "tumar-trace: --pin-fd %d: the PIN is longer than %zu bytes\n", fd, cap - 1);
			OPENSSL_cleanse(pin, cap);
			close(fd);
			return 2;
		}
		pin[n++] = ch;
	}
	if (r < 0) {
		fprintf(stderr, "tumar-trace: --pin-fd %d: %s\n", fd, strerror(errno));
		close(fd);
		return 2;
	}
	close(fd);
	if (n > 0 && pin[n - 1] == '\r')
		n--;
	if (n == 0) {
		fprintf(stderr, "tumar-trace: --pin-fd %d: no PIN in it\n", fd);
		return 2;
	}
	*len = n;
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
		{"raw", no_argument, NULL, 'w'},
		{"pin-fd", required_argument, NULL, 'p'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct tm_trace_out out = {0};
	const char *colour = "auto", *reader = NULL;
	bool reset = false;
	int c, pin_fd = -1;

	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'j': out.json = true; break;
		case 'r': reader = optarg; break;
		case 'R': reset = true; break;
		case 'w': out.raw = true; break;
		case 'p': {
			char *end;
			errno = 0;
			long v = strtol(optarg, &end, 10);
			if (errno || *end || end == optarg || v < 0 || v > INT32_MAX) {
				fprintf(stderr, "tumar-trace: --pin-fd %s: a file descriptor number\n", optarg);
				return 2;
			}
			pin_fd = (int)v;
			break;
		}
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
	if (pin_fd >= 0 && !replay) {
		fprintf(stderr, "tumar-trace: --pin-fd is for replay\n");
		return 2;
	}
	out.colour = !out.json && want_colour(colour);
	char pin[65];
	size_t pin_len = 0;
	if (pin_fd >= 0 && read_pin(pin_fd, pin, sizeof(pin), &pin_len) != 0)
		return 2;
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
	int rc = replay ? tm_trace_replay_cmd(in, file, reader, reset, pin_fd >= 0 ? pin : NULL, pin_len, &out)
		 : strcmp(cmd, "decode") == 0 ? tm_trace_decode_cmd(in, file, &out)
					      : tm_trace_stats_cmd(in, file, &out);
	OPENSSL_cleanse(pin, sizeof(pin));
	if (in != stdin)
		fclose(in);
	free(snap);
	return rc;
}
