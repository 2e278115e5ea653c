# SPDX-License-Identifier: LGPL-2.1-or-later
# Shared by the integration tests: TAP output, and a private PC/SC stack
# (pcscd + vpcd + tumar-emu) that each test starts on free ports and tears
# down by PID.  Sourced; TM_BUILDDIR and TM_SRCDIR come from make check.
set -u
: "${TM_BUILDDIR:?run through make check}"
EMU=$TM_BUILDDIR/emulator/tumar-emu
FREE_PORT=$TM_BUILDDIR/tests/integration/free-port
VPCD_CLIENT=$TM_BUILDDIR/tests/integration/vpcd-client
PCSC_FLOW=$TM_BUILDDIR/tests/integration/pcsc-flow
VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so
READER="Tumar vpcd 00 00"

tap_n=0
ok() { tap_n=$((tap_n + 1)); echo "ok $tap_n - $*"; }
not_ok() { tap_n=$((tap_n + 1)); echo "not ok $tap_n - $*"; }
# check "description" command...: one TAP line; the command's output goes
# to the log, and is shown when it fails.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		ok "$desc"
	else
		not_ok "$desc"
		printf '%s\n' "$out" | sed 's/^/# /' | tail -n 20
	fi
}
tap_done() { echo "1..$tap_n"; }
skip_all() {
	echo "1..0 # SKIP $*"
	echo "SKIPPED: $*" >&2
	exit 0
}

WORK=$(mktemp -d /tmp/tumar-it.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null; done
	rm -rf "$WORK"
}
trap cleanup EXIT

# wait_for TENTHS command...: retries for up to TENTHS tenths of a second.
wait_for() {
	local n=$1
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# Re-runs the calling script in a private mount namespace with a tmpfs on
# /run/pcscd, so its pcscd is its own: pcscd 1.9.9 ignores
# PCSCLITE_CSOCK_NAME for its own socket.
private_pcscd_namespace() {
	[ "$(id -u)" = 0 ] || skip_all "needs root for a private pcscd (unshare --mount)"
	local t
	for t in unshare pcscd opensc-tool openssl; do
		command -v "$t" >/dev/null || skip_all "$t is not installed"
	done
	[ -f "$VPCD_DRIVER" ] || skip_all "vsmartcard-vpcd is not installed"
	if [ -z "${TM_IN_NAMESPACE:-}" ]; then
		trap - EXIT
		rm -rf "$WORK"
		TM_IN_NAMESPACE=1 exec unshare --mount --propagation private bash "$0" "$@"
	fi
	mkdir -p /run/pcscd
	mount -t tmpfs tumar-pcscd /run/pcscd
}

# pcscd with one vpcd reader pair on a free port ($PORT, $PORT+1), or on
# the port given (to restart pcscd where an emulator expects it).
start_pcscd() {
	PORT=${1:-$("$FREE_PORT")} || return 1
	mkdir -p "$WORK/readers"
	printf 'FRIENDLYNAME "Tumar vpcd"\nDEVICENAME /dev/null:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n' \
		"$PORT" "$VPCD_DRIVER" "$PORT" >"$WORK/readers/vpcd"
	# PCSCD_ARGS: more options, e.g. -a to log APDUs.
	pcscd -f ${PCSCD_ARGS:-} -c "$WORK/readers" >"$WORK/pcscd.log" 2>&1 &
	PCSCD_PID=$!
	PIDS+=("$PCSCD_PID")
	wait_for 50 test -S /run/pcscd/pcscd.comm
}

stop_pcscd() {
	kill "$PCSCD_PID" && wait "$PCSCD_PID" 2>/dev/null
	rm -f /run/pcscd/pcscd.comm
}

card_present() { opensc-tool -l 2>/dev/null | grep -Eq "^0 +Yes"; }
card_absent() { opensc-tool -l 2>/dev/null | grep -Eq "^0 +No"; }

# start_emu NAME MODEL [tumar-emu options]: a virtual token in reader 0.
start_emu() {
	local name=$1 model=$2 opts
	shift 2
	mapfile -t opts < <(emu_model_opts "$model")
	"$EMU" "${opts[@]}" --card "$WORK/$name.img" --vpcd "localhost:$PORT" \
		--control "$WORK/$name.ctl" "$@" >"$WORK/$name.log" 2>&1 &
	EMU_PID=$!
	PIDS+=("$EMU_PID")
	wait_for 100 card_present
}

# The emulator's options for a model: --model for a shipped one,
# --profile-file for a test model of tests/data (tumar-full: the Tumar
# applet with every capability, tests/support/test_models.h).
emu_model_opts() {
	local p=$TM_SRCDIR/tests/data/$1.profile
	if [ -f "$p" ]; then
		printf '%s\n' --profile-file "$p"
	else
		printf '%s\n' --model "$1"
	fi
}

# start_emu_profile NAME PROFILE [tumar-emu options]: the same with a
# model of the test's own (--profile-file).
start_emu_profile() {
	local name=$1 profile=$2
	shift 2
	"$EMU" --profile-file "$profile" --card "$WORK/$name.img" --vpcd "localhost:$PORT" \
		--control "$WORK/$name.ctl" "$@" >"$WORK/$name.log" 2>&1 &
	EMU_PID=$!
	PIDS+=("$EMU_PID")
	wait_for 100 card_present
}

stop_emu() {
	kill "$EMU_PID" && wait "$EMU_PID" 2>/dev/null
	wait_for 100 card_absent
}

# A module built with AddressSanitizer needs the ASan runtime loaded first
# in any process that loads it (pkcs11-tool, openssl, java): prints the
# environment for that, or nothing for a plain build.
sanitizer_env() {
	local module=$1 rt
	nm -D "$module" 2>/dev/null | grep -q ' U __asan_init' || return 0
	case "${TM_CC:-cc}" in
	*clang*) rt=$("${TM_CC}" -print-file-name=libclang_rt.asan-x86_64.so) ;;
	*) rt=$("${TM_CC:-gcc}" -print-file-name=libasan.so) ;;
	esac
	# Leaks are checked in the unit tests; the clients' own are not ours.
	echo "LD_PRELOAD=$rt ASAN_OPTIONS=detect_leaks=0:abort_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"
}

# engine_conf FILE MODULE: an OpenSSL configuration that loads libp11's
# pkcs11 engine with MODULE; fails when the engine is not installed.
engine_conf() {
	local engine
	engine=$(ls /usr/lib/*/engines-3/pkcs11.so 2>/dev/null | head -n1)
	[ -n "$engine" ] || return 1
	cat >"$1" <<EOC
openssl_conf = init
[init]
engines = engines
[engines]
pkcs11 = pkcs11
[pkcs11]
engine_id = pkcs11
dynamic_path = $engine
MODULE_PATH = $2
init = 0
[req]
distinguished_name = dn
[dn]
EOC
}

# listening PORT: something listens on 127.0.0.1:PORT (TCP, IPv4).
listening() {
	grep -qiE "^ *[0-9]+: 0100007F:$(printf %04X "$1") 00000000:0000 0A " /proc/net/tcp
}

# module_stack: the module under test (MODULE), the sanitizer's
# environment for clients that load it (SAN_ENV), pkcs11-tool with it
# (p11 ...), and this test's pcscd.  Ends the test when any is missing.
module_stack() {
	command -v pkcs11-tool >/dev/null || skip_all "pkcs11-tool (opensc) is not installed"
	MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
	[ -f "$MODULE" ] || { not_ok "the module is built at $MODULE"; tap_done; exit 1; }
	start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
	SAN_ENV=$(sanitizer_env "$MODULE")
}
p11() { env $SAN_ENV pkcs11-tool --module "$MODULE" "$@"; }

# apdu HEX...: sends APDUs to reader 0 with opensc-tool; prints its output.
apdu() {
	local args=() a
	for a in "$@"; do args+=(-s "$a"); done
	opensc-tool -r 0 "${args[@]}" 2>&1
}

# For the crash tests: a process's state letter (T: stopped, as
# tumar-emu --stop-at leaves itself), or nothing once it is gone.
proc_state() { sed -n 's/^[0-9]* ([^)]*) \(.\).*/\1/p' "/proc/$1/stat" 2>/dev/null; }

# For the crash tests: the card image's state (--inspect) and one of its
# fields (field user_tries).
inspect() { "$EMU" "${CRASH_EMU[@]}" --inspect; }
field() {
	local line
	line=$(inspect) || return 1
	tr ' ' '\n' <<<"$line" | sed -n "s/^$1=//p"
}

# For the crash tests: run_session feeds the APDUs on stdin to an emulator
# started as "$EMU" "${CRASH_EMU[@]}" --listen $PORT and waits for all
# answers (in $WORK/session.out).
run_session() {
	"$EMU" "${CRASH_EMU[@]}" --listen "$PORT" >>"$WORK/emu.log" 2>&1 &
	local pid=$!
	"$VPCD_CLIENT" "$PORT" >"$WORK/session.out" 2>>"$WORK/emu.log"
	local rc=$?
	kill "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	return $rc
}

# GOST (tests p11_gost.sh, tool_gost.sh): openssl with gost-engine.
gost() { local c=$1; shift; openssl "$c" -engine gost "$@" 2>&1; }

# gost_spki_pem BITS VALUE-HEX OUT: a GOST public key (the point as
# PKCS#11's CKA_VALUE and the SPKI's OCTET STRING carry it, x || y
# little-endian) as a PEM SubjectPublicKeyInfo with TC26's OIDs (RFC 4491,
# R 1323565.1.024), made by OpenSSL's ASN.1 generator and read back by
# gost-engine: the independent way to get a key gost-engine verifies with.
gost_spki_pem() {
	local params=1.2.643.7.1.2.1.2.1 key=1.2.643.7.1.1.1.2 hash=1.2.643.7.1.1.2.3
	[ "$1" = 256 ] && params=1.2.643.7.1.2.1.1.1 key=1.2.643.7.1.1.1.1 hash=1.2.643.7.1.1.2.2
	cat >"$3.cnf" <<-EOF
		asn1 = SEQUENCE:spki
		[spki]
		alg = SEQUENCE:alg
		key = BITWRAP,FORMAT:HEX,OCTETSTRING:$2
		[alg]
		oid = OID:$key
		params = SEQUENCE:params
		[params]
		set = OID:$params
		hash = OID:$hash
	EOF
	openssl asn1parse -genconf "$3.cnf" -out "$3.der" >/dev/null &&
		gost pkey -pubin -inform DER -in "$3.der" -out "$3" >/dev/null
}

# DER surgery with openssl asn1parse: "offset header-length length" of
# the elements of a DER file whose asn1parse lines match a pattern.
elements() { # der awk-pattern
	openssl asn1parse -inform DER -in "$1" | grep -E -- "$2" |
		sed -E 's/^ *([0-9]+):d=[0-9]+ +hl= *([0-9]+) l= *([0-9]+).*/\1 \2 \3/'
}
bytes() { tail -c +$(($2 + 1)) "$1" | head -c "$3"; } # file offset count
hex() { od -An -v -tx1 | tr -d ' \n'; }
reverse() { perl -0777 -pe '$_ = reverse $_'; }

# split_signed DER BITS DIR: the signed part (tbs), the signature (sig)
# and the signer's point as hex (point) of a request or a certificate; a
# certificate's point is its subject's, not the CA's signature.
split_signed() {
	local der=$1 bits=$2 dir=$3 o h l
	read -r o h l < <(elements "$der" "d=1" | head -1)
	bytes "$der" "$o" $((h + l)) >"$dir/tbs"
	read -r o h l < <(elements "$der" "d=1 .*BIT STRING" | tail -1)
	bytes "$der" $((o + h + 1)) $((l - 1)) >"$dir/sig"
	read -r o h l < <(elements "$der" "d=3 .*BIT STRING" | head -1)
	bytes "$der" $((o + h + l - bits / 4)) $((bits / 4)) | hex >"$dir/point"
}

# gost_verifies BITS KEY.pem SIG FILE: gost-engine's verdict.
gost_verifies() {
	gost dgst -md_gost12_$1 -verify "$2" -signature "$3" "$4" | grep -q "Verified OK"
}

# For the tumar-tool tests: run EXPECTED-EXIT command... leaves the
# command's output in $out; has / lacks look for a pattern in it.
run() {
	local want=$1 rc
	shift
	out=$("$@" 2>&1) && rc=0 || rc=$?
	[ "$rc" -eq "$want" ] || { echo "exit $rc, not $want:"; echo "$out"; return 1; }
}
has() { grep -Eq -- "$1" <<<"$out" || { echo "no /$1/ in:"; echo "$out"; return 1; }; }
lacks() { ! grep -Eq -- "$1" <<<"$out" || { echo "/$1/ in:"; echo "$out"; return 1; }; }
