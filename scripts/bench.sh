#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# make bench: tumar-bench on Tumar — two virtual tokens of the Tumar
# applet with RSA and EC (tests/data/tumar-full.profile) through a private
# pcscd + vpcd — next to SoftHSM2 with two tokens set up on the spot, in
# the same run; and the PC/SC probe next to tumar-echo-card, the transport
# floor.  Then a JaCarta PKI, which speaks LASER, next to a Tumar-applet
# token (-laser.json).  Prints the table; the JSON goes to $TM_BENCH_JSON
# (default $TM_BUILDDIR/bench-results.json).
# TM_BENCH_ARGS: more tumar-bench options (--quick).  Needs root (a
# private pcscd).
set -euo pipefail
: "${TM_BUILDDIR:?run through make bench}"
B=$TM_BUILDDIR
FULL=$(dirname "$0")/../tests/data/tumar-full.profile
JSON=${TM_BENCH_JSON:-$B/bench-results.json}
SOFTHSM=/usr/lib/softhsm/libsofthsm2.so
VPCD_DRIVER=/usr/lib/pcsc/drivers/serial/libifdvpcd.so

die() { echo "bench: $*" >&2; exit 1; }
[ "$(id -u)" = 0 ] || die "needs root, for a private pcscd (unshare --mount)"
[ -f "$SOFTHSM" ] || die "SoftHSM2 is not installed (apt-get install softhsm2)"
[ -f "$VPCD_DRIVER" ] || die "vpcd is not installed (apt-get install vsmartcard-vpcd)"
if [ -z "${TM_BENCH_NS:-}" ]; then
	TM_BENCH_NS=1 exec unshare --mount --propagation private bash "$0" "$@"
fi
mkdir -p /run/pcscd
mount -t tmpfs tumar-bench /run/pcscd

WORK=$(mktemp -d /tmp/tumar-bench.XXXXXX)
PIDS=()
cleanup() {
	local p
	for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
	rm -rf "$WORK"
}
trap cleanup EXIT

listening() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_pair() {
	local p=$1
	while listening "$p" || listening $((p + 1)); do p=$((p + 2)); done
	echo "$p"
}
wait_for() {
	local n=$1
	shift
	until "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ "$n" -gt 0 ] || return 1
		sleep 0.1
	done
}

# vpcd gives pcscd two readers (PORT and PORT+1); a second vpcd entry
# hangs pcscd 1.9.9.  So the echo card takes reader 1 for the transport
# probe, then gives it to the second token (tumar-bench --between).
P=$(free_pair 36200)
mkdir -p "$WORK/readers"
printf 'FRIENDLYNAME "Tumar vpcd"\nDEVICENAME /dev/null:0x%X\nLIBPATH %s\nCHANNELID 0x%X\n' \
	"$P" "$VPCD_DRIVER" "$P" >"$WORK/readers/vpcd"
pcscd -f -c "$WORK/readers" >"$WORK/pcscd.log" 2>&1 &
PIDS+=($!)
wait_for 50 test -S /run/pcscd/pcscd.comm || die "pcscd did not start"
# TM_BENCH_EMU_ARGS: more tumar-emu options for the first token (e.g.
# --trace FILE, to see the card's own time per command with tumar-trace).
"$B/emulator/tumar-emu" --profile-file "$FULL" --card "$WORK/token0.img" --vpcd "localhost:$P" \
	${TM_BENCH_EMU_ARGS:-} >"$WORK/emu0.log" 2>&1 &
PIDS+=($!)
"$B/bench/tumar-echo-card" "localhost:$((P + 1))" >"$WORK/echo.log" 2>&1 &
ECHO_PID=$!
PIDS+=("$ECHO_PID")
present() { [ "$(opensc-tool -l 2>/dev/null | grep -c ' Yes ')" -ge "$1" ]; }
wait_for 100 present 2 || { opensc-tool -l >&2; die "the virtual token and echo card did not appear"; }
cat >"$WORK/swap.sh" <<EOS
kill $ECHO_PID
while opensc-tool -l 2>/dev/null | grep -q "Yes .*00 01"; do sleep 0.1; done
"$B/emulator/tumar-emu" --profile-file "$FULL" --card "$WORK/token1.img" \\
	--vpcd "localhost:$((P + 1))" >"$WORK/emu1.log" 2>&1 </dev/null &
echo \$! >"$WORK/emu1.pid"
n=100
until opensc-tool -l 2>/dev/null | grep -q "Yes .*00 01"; do
	n=\$((n - 1)); [ \$n -gt 0 ] || exit 1; sleep 0.1
done
EOS

export SOFTHSM2_CONF=$WORK/softhsm2.conf
mkdir -p "$WORK/softhsm"
printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
	"$WORK/softhsm" >"$SOFTHSM2_CONF"
for t in bench1 bench2; do
	softhsm2-util --init-token --free --label "$t" --pin 1234 --so-pin 123456 >/dev/null
done

echo "tumar-bench: Tumar (2 x virtual Tumar-applet token via pcscd + vpcd) vs SoftHSM2 $(dpkg-query -W -f='${Version}' softhsm2 2>/dev/null), on $(nproc) CPUs"
set +e
"$B/bench/tumar-bench" --name tumar --module "$B/driver/.libs/tumar-pkcs11.so" --pin 1234567890 \
	--vs-name softhsm2 --vs "$SOFTHSM" --vs-pin 1234 --vs-token bench1 --vs-token bench2 \
	--probe "Tumar vpcd 00 00" --floor "Tumar vpcd 00 01" --between "bash $WORK/swap.sh" --setup \
	--json "$JSON" ${TM_BENCH_ARGS:-}
rc=$?
[ -f "$WORK/emu1.pid" ] && PIDS+=("$(cat "$WORK/emu1.pid")")
echo "JSON: $JSON"

# JaCarta PKI over its own LASER protocol next to a token of the Tumar
# applet, in one run (issue 12): reader 1's token becomes a JaCarta PKI,
# reader 0 keeps the Tumar-applet one, and the module is loaded twice (two
# copies of the file, so each has its own C_Initialize), one on each
# token.
LASER_JSON=${JSON%.json}-laser.json
if [ -f "$WORK/emu1.pid" ]; then kill "$(cat "$WORK/emu1.pid")" 2>/dev/null || true; fi
wait_for 100 bash -c '! opensc-tool -l 2>/dev/null | grep -q "Yes .*00 01"' ||
	die "reader 1 did not empty"
"$B/emulator/tumar-emu" --model jacarta-pki \
	--card "$WORK/laser.img" --vpcd "localhost:$((P + 1))" \
	>"$WORK/emu-laser.log" 2>&1 </dev/null &
PIDS+=($!)
wait_for 100 bash -c 'opensc-tool -l 2>/dev/null | grep -q "Yes .*00 01"' ||
	die "the LASER JaCarta did not appear"
cp "$B/driver/.libs/tumar-pkcs11.so" "$WORK/laser-pkcs11.so"
cp "$B/driver/.libs/tumar-pkcs11.so" "$WORK/applet-pkcs11.so"
echo
echo "tumar-bench: JaCarta PKI over LASER vs a Tumar-applet token (the same module, two tokens)"
"$B/bench/tumar-bench" --name laser --module "$WORK/laser-pkcs11.so" --pin 1234567890 \
	--token "JaCarta PKI" --vs-name tumar-applet --vs "$WORK/applet-pkcs11.so" \
	--vs-pin 1234567890 --vs-token "Tumar Full" --setup --ratio-limit 1.1 --cold-limit none \
	--json "$LASER_JSON" ${TM_BENCH_ARGS:-}
rc2=$?
echo "JSON: $LASER_JSON"
[ $rc -ne 0 ] && exit $rc
exit $rc2
