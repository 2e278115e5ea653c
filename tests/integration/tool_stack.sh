#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/tumar-stack: its own pcscd (none runs in this test's namespace)
# with vpcd's two readers, two tokens started one beside the other, a
# third refused with the reason (one pcscd serves two: vpcd 3.3), status
# (text and JSON), tumar-tool sees both, stop one by name, stop all by
# PID; then a pcscd someone else started (this test's, its configuration
# nowhere tumar-stack could read it): its real readers are found from
# /proc, two tokens fill them; the usage errors and every verb's --help.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
STACK=$TM_SRCDIR/scripts/tumar-stack
TOOL=$TM_BUILDDIR/tools/tumar-tool
export TUMAR_STACK_DIR=$WORK/stack TUMAR_EMU=$EMU
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
PORT=$("$FREE_PORT")
export -f run has lacks
export STACK TOOL

# Whatever happens next, what tumar-stack started is stopped by this
# test's cleanup too (by the PIDs it recorded).
record_pids() {
	local f
	for f in "$TUMAR_STACK_DIR"/pcscd.pid "$TUMAR_STACK_DIR"/tokens/*/emu.pid; do
		[ -f "$f" ] && PIDS+=("$(cat "$f")")
	done
	return 0
}
run_start() { out=$("$STACK" start "$@" 2>&1) && rc=0 || rc=$?; record_pids; }

run_start --model jacarta-pki --port "$PORT"
check "start: its own pcscd with vpcd's 2 readers, and a virtual JaCarta" \
	bash -c '[ $0 -eq 0 ] && grep -q "Started pcscd .* with 2 vpcd readers" <<<"$1" &&
		grep -q "Virtual jacarta-pki \"jacarta-pki\"" <<<"$1"' "$rc" "$out"
run_start --model kaztoken
check "start again: a Kaztoken beside it, in another reader" \
	bash -c '[ $0 -eq 0 ] && grep -q "Virtual kaztoken \"kaztoken\"" <<<"$1"' "$rc" "$out"
run_start --model kaztoken --name kaztoken
check "a name already running is refused" \
	bash -c '[ $0 -ne 0 ] && grep -q "kaztoken is already running" <<<"$1"' "$rc" "$out"
run_start --model kaztoken
check "a third token: refused, both readers hold one, and why said" \
	bash -c '[ $0 -ne 0 ] && grep -q "every vpcd reader of this pcscd holds a token (2 readers" <<<"$1" &&
		grep -q "enable-vpcdslots" <<<"$1"' "$rc" "$out"
check "status: pcscd and the two tokens, each vpcd=connected on its own port" \
	bash -c 'out=$("$STACK" status) && grep -q "^pcscd  *running" <<<"$out" &&
		[ "$(grep -c "running, PID .*vpcd=connected" <<<"$out")" = 2 ] &&
		[ "$(grep -o "vpcd port [0-9]*" <<<"$out" | sort -u | wc -l)" = 2 ]'
check "status --json" \
	bash -c '"$STACK" status --json | python3 -c "import json,sys; d=json.load(sys.stdin)
assert d[\"pcscd\"][\"started_by_tumar_stack\"] and len(d[\"tokens\"]) == 2, d
assert sorted(t[\"name\"] for t in d[\"tokens\"]) == [\"jacarta-pki\", \"kaztoken\"], d
assert all(t[\"vpcd\"] == \"connected\" for t in d[\"tokens\"]), d"'
check "tumar-tool sees both tokens" \
	bash -c 'run 0 "$TOOL" list && [ "$(grep -Ec "^  token {4}" <<<"$out")" = 2 ] && has "model +JaCarta PKI" ||
		{ echo "$out"; exit 1; }'
k=$(cat "$TUMAR_STACK_DIR/tokens/kaztoken/emu.pid")
check "stop NAME: that token only, by its PID" \
	bash -c '"$STACK" stop kaztoken && ! kill -0 $0 2>/dev/null &&
		out=$("$STACK" status) && [ "$(grep -c "vpcd=connected" <<<"$out")" = 1 ]' "$k"
check "status NAME of a stopped token: exit 1" bash -c '! "$STACK" status kaztoken'
run_start --model kaztoken --name again
check "its reader is free again: another token takes it" \
	bash -c '[ $0 -eq 0 ] && grep -q "Virtual kaztoken \"again\"" <<<"$1"' "$rc" "$out"
pids=$(cat "$TUMAR_STACK_DIR"/pcscd.pid "$TUMAR_STACK_DIR"/tokens/*/emu.pid 2>/dev/null)
check "stop: every token and the pcscd it started, by their PIDs" \
	bash -c '"$STACK" stop && for p in $0; do ! kill -0 $p 2>/dev/null || exit 1; done' "$pids"
check "status after stop: not running (exit 1)" bash -c '! "$STACK" status'
check "stop --wipe removes the state" bash -c '"$STACK" stop --wipe && [ ! -d "$0" ]' "$TUMAR_STACK_DIR"

# A pcscd tumar-stack did not start, with one vpcd reader entry (two
# readers) configured in this test's directory.
start_pcscd || { not_ok "pcscd starts"; tap_done; exit 1; }
run_start --model kaztoken
check "a running pcscd is used; its vpcd readers are the ports it listens on" \
	bash -c '[ $0 -eq 0 ] && grep -q "Using the running pcscd (PID $2)" <<<"$1" &&
		grep -q "reader on port $3;" <<<"$1" || { echo "$1"; exit 1; }' "$rc" "$out" "$PCSCD_PID" "$PORT"
run_start --model akey
check "a second token takes its second reader" \
	bash -c '[ $0 -eq 0 ] && grep -q "reader on port $2;" <<<"$1" || { echo "$1"; exit 1; }' "$rc" "$out" $((PORT + 1))
check "stop --all leaves a pcscd it did not start running" \
	bash -c '"$STACK" stop --all && ! "$STACK" status && kill -0 $0' "$PCSCD_PID"

check "start --model nosuch: a clear error" \
	bash -c 'out=$("$STACK" start --model nosuch 2>&1); [ $? -ne 0 ] && grep -q "no model nosuch" <<<"$out"'
check "--help: the comment block's text, no code" \
	bash -c 'out=$("$STACK" --help) && grep -q "tumar-stack start" <<<"$out" && ! grep -q "set -e" <<<"$out"'
check "--help on every verb" \
	bash -c '"$STACK" start --help | grep -q "^Usage: tumar-stack start" &&
		"$STACK" status --help | grep -q "^Usage: tumar-stack status" &&
		"$STACK" stop --help | grep -q "^Usage: tumar-stack stop"'
check "--version: the release, as tumar-emu's" \
	bash -c '[ "$("$STACK" --version)" = "tumar-stack ${0#tumar-emu }" ]' "$("$EMU" --version)"
check "tumar-trace --version and tumar-tool --version" \
	bash -c '"$0" --version | grep -q "^tumar-trace [0-9]" && "$TOOL" --version | grep -q "^tumar-tool [0-9]"' \
	"$TM_BUILDDIR/tools/tumar-trace"
tap_done
