/* SPDX-License-Identifier: LGPL-2.1-or-later */
/* tumar-emu: command line, card image, then the server loop. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "apdu/protocol.h"
#include "apdu/rc.h"
#include "emulator/chip.h"
#include "emulator/inspect_print.h"
#include "emulator/models.h"
#include "emulator/profile.h"
#include "emulator/server.h"
#include "emulator/stop_point.h"
#include "emulator/vpcd.h"

static void usage(FILE *f)
{
	fprintf(f,
"Usage: tumar-emu --model NAME --card FILE [options]\n"
"       tumar-emu --profile-file FILE --card FILE [options]\n"
"       tumar-emu --list-models\n"
"       tumar-emu ctl SOCKET COMMAND...\n"
"\n"
"A virtual smart-card token for vsmartcard's vpcd, behaving like a real\n"
"model (ATR, default PINs, retry limits, PIN rules, memory, algorithms).\n"
"\n"
"Token:\n"
"  --model NAME          kaztoken, etoken-pro-72k, jacarta-pki, akey, kz-idcard\n"
"  --profile-file FILE   a model of your own (docs/emulator.md lists the keys)\n"
"  --card FILE           the card image; made and personalised if missing\n"
"  --serial S, --label L serial number and label of a new card\n"
"  --user-pin PIN        the user PIN of a new card, as an issuer sets it\n"
"                        (needed for kz-idcard, whose PIN is set at issue)\n"
"Link:\n"
"  --vpcd HOST:PORT      connect to vpcd (default localhost:35963)\n"
"  --listen [ADDR:]PORT  listen instead; vpcd connects (reversed mode); on\n"
"                        127.0.0.1 unless ADDR says otherwise (no authentication)\n"
"Testing:\n"
"  --control SOCKET      a Unix socket for remove, insert, status and faults\n"
"  --inspect             list the card image's PINs, objects and keys, and exit\n"
"                        (no PIN values; --model may be left out)\n"
"  --latency realistic   answer as slowly as a real USB token (estimates)\n"
"  --trace FILE          append every APDU to FILE (PINs redacted)\n"
"  --stop-at EVENT:N     stop (SIGSTOP) at the Nth command, write, sync, saved\n"
"                        or answer, for a crash test's kill -9\n"
"  -v, --verbose         log to stderr\n"
"  -h, --help            this text\n"
"  --version\n"
"\n"
"Control commands (tumar-emu ctl SOCKET ...): remove, insert, status [--json],\n"
"fault sw INS|* SW [COUNT], fault delay MS, fault tear [N], each with options\n"
"ins=INS p1p2=HHHH nth=N count=N|forever; fault list, fault clear [ID].\n"
"\n"
"Exit status: 0 stopped by a signal; 1 bad usage or set-up; 2 the card\n"
"image was refused (damaged, foreign, another model).\n");
}

static void list_models(void)
{
	size_t n;
	const struct tm_model *m = tm_models(&n);

	for (size_t i = 0; i < n; i++) {
		printf("%s\n  name:       %s\n  ATR:       ", m[i].key, m[i].name);
		for (size_t k = 0; k < m[i].atr_len; k++)
			printf(" %02X", m[i].atr[k]);
		printf("\n  user PIN:   %s, %u tries, %u-%u characters\n",
		       m[i].user.factory[0] ? m[i].user.factory : "(set at issue)",
		       m[i].user.tries, m[i].user.min_len, m[i].user.max_len);
		printf("  SO PIN:     %s, %u tries, %u-%u characters%s\n", m[i].so.factory,
		       m[i].so.tries, m[i].so.min_len, m[i].so.max_len,
		       (m[i].caps & TM_CAP_SO_IS_PUK) ? " (PUK: unblocks only)" : "");
		printf("  memory:     %u bytes\n  framing:    %s\n  keys:      ", m[i].memory,
		       (m[i].caps & TM_CAP_EXTENDED_LENGTH) ? "extended length and chaining"
							     : "short APDUs with chaining");
		for (size_t k = 0; k < m[i].n_algs; k++) {
			if (m[i].algs[k].key_alg == TM_KEY_EC_P256)
				printf(" EC P-256");
			else if (m[i].algs[k].key_alg == TM_KEY_GOST2012_512)
				printf(" GOST-512");
			else if (m[i].algs[k].key_alg == TM_KEY_GOST2012_256)
				printf(" GOST-256");
			else
				printf(" RSA %u-%u", m[i].algs[k].min_bits, m[i].algs[k].max_bits);
		}
		printf("\n  sources:    %s\n\n", m[i].sources);
	}
}

static int ctl(int argc, char **argv)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	char line[256] = "", reply[8192];
	int fd;

	if (argc < 2 || strlen(argv[0]) >= sizeof(a.sun_path)) {
		fprintf(stderr, "usage: tumar-emu ctl SOCKET COMMAND...\n");
		return 1;
	}
	for (int i = 1; i < argc; i++) {
		strncat(line, argv[i], sizeof(line) - strlen(line) - 2);
		strncat(line, i + 1 < argc ? " " : "\n", 2);
	}
	strcpy(a.sun_path, argv[0]);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		fprintf(stderr, "tumar-emu ctl: cannot reach %s: %s\n", argv[0], strerror(errno));
		return 1;
	}
	if (send(fd, line, strlen(line), MSG_NOSIGNAL) < 0) {
		close(fd);
		return 1;
	}
	/* The reply may be several lines (status, fault list); it ends
	 * when the emulator closes its end. */
	size_t n = 0;
	for (ssize_t r; n < sizeof(reply) - 1; n += (size_t)r) {
		r = recv(fd, reply + n, sizeof(reply) - 1 - n, 0);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r <= 0)
			break;
	}
	close(fd);
	if (n == 0)
		return 1;
	reply[n] = '\0';
	fputs(reply, stdout);
	return strncmp(reply, "ok", 2) == 0 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static struct tm_model profile;
	static const struct option opts[] = {
		{"model", required_argument, NULL, 'm'},
		{"profile-file", required_argument, NULL, 'P'},
		{"card", required_argument, NULL, 'c'},
		{"vpcd", required_argument, NULL, 'V'},
		{"listen", required_argument, NULL, 'l'},
		{"trace", required_argument, NULL, 't'},
		{"control", required_argument, NULL, 'C'},
		{"latency", required_argument, NULL, 'L'},
		{"serial", required_argument, NULL, 's'},
		{"label", required_argument, NULL, 'b'},
		{"user-pin", required_argument, NULL, 'u'},
		{"list-models", no_argument, NULL, 'M'},
		{"inspect", no_argument, NULL, 'I'},
		{"verbose", no_argument, NULL, 'v'},
		{"stop-at", required_argument, NULL, 'Z'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'R'},
		{0, 0, 0, 0},
	};
	struct tm_server_opts so = {.port = TM_VPCD_DEFAULT_PORT};
	const char *model_key = NULL, *profile_path = NULL, *card = NULL;
	const char *serial = NULL, *label = NULL, *user_pin = NULL;
	int c, status = 1;
	bool inspect = false;

	snprintf(so.host, sizeof(so.host), "localhost");
	if (argc > 1 && strcmp(argv[1], "ctl") == 0)
		return ctl(argc - 2, argv + 2);
	while ((c = getopt_long(argc, argv, "vh", opts, NULL)) != -1) {
		switch (c) {
		case 'm': model_key = optarg; break;
		case 'P': profile_path = optarg; break;
		case 'c': card = optarg; break;
		case 't': so.trace_path = optarg; break;
		case 'C': so.control_path = optarg; break;
		case 's': serial = optarg; break;
		case 'b': label = optarg; break;
		case 'u': user_pin = optarg; break;
		case 'v': so.verbose = true; break;
		case 'V':
			if (tm_vpcd_parse_address(optarg, so.host, sizeof(so.host), &so.port) != 0) {
				fprintf(stderr, "tumar-emu: --vpcd takes HOST:PORT\n");
				return 1;
			}
			so.listen = false;
			break;
		case 'l':
			if (tm_vpcd_parse_address(optarg, so.host, sizeof(so.host), &so.port) != 0) {
				fprintf(stderr, "tumar-emu: --listen takes [ADDR:]PORT\n");
				return 1;
			}
			so.listen = true;
			break;
		case 'L':
			if (strcmp(optarg, "realistic") != 0 && strcmp(optarg, "none") != 0) {
				fprintf(stderr, "tumar-emu: --latency takes realistic or none\n");
				return 1;
			}
			so.realistic = strcmp(optarg, "realistic") == 0;
			break;
		case 'Z':
			if (!tm_stop_at_arm(optarg)) {
				fprintf(stderr, "tumar-emu: --stop-at takes EVENT:N, EVENT one of "
						"command, write, sync, saved, answer, N from 1\n");
				return 1;
			}
			break;
		case 'M': list_models(); return 0;
		case 'I': inspect = true; break;
		case 'h': usage(stdout); return 0;
		case 'R': printf("tumar-emu %s\n", PACKAGE_VERSION); return 0;
		default: usage(stderr); return 1;
		}
	}
	/* --inspect reads the model from the image when none is given. */
	static char image_model[64];
	if (inspect && card != NULL && model_key == NULL && profile_path == NULL) {
		char why[256];
		if (tm_inspect_model_key(card, image_model, sizeof(image_model), why,
					 sizeof(why)) != TM_OK) {
			fprintf(stderr, "tumar-emu: %s: %s\n", card, why[0] ? why : "no such card image");
			return 2;
		}
		if (tm_model_find(image_model) == NULL) {
			fprintf(stderr, "tumar-emu: %s: the card image is of model \"%s\", which is "
					"not built in: give its --profile-file\n", card, image_model);
			return 2;
		}
		model_key = image_model;
	}
	if (optind != argc || card == NULL || (model_key == NULL) == (profile_path == NULL)) {
		fprintf(stderr, "tumar-emu: give --card and one of --model or --profile-file\n\n");
		usage(stderr);
		return 1;
	}
	const struct tm_model *m = model_key ? tm_model_find(model_key) : &profile;
	if (model_key && m == NULL) {
		fprintf(stderr, "tumar-emu: no model \"%s\"; tumar-emu --list-models lists them\n",
			model_key);
		return 1;
	}
	if (profile_path) {
		char why[256];
		if (tm_profile_load(profile_path, &profile, why, sizeof(why)) != TM_OK) {
			fprintf(stderr, "tumar-emu: %s: %s\n", profile_path, why);
			return 1;
		}
	}
	if (inspect)
		return tm_chip_inspect(m, card, stdout);
	struct tm_chip *chip = tm_chip_open(m, card, serial, label, user_pin, &status);
	if (chip == NULL)
		return status;
	status = tm_server_run(chip, &so);
	tm_chip_free(chip);
	return status;
}
