#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# scripts/tumar-stack: start a virtual JaCarta (its own pcscd, as no pcscd
# runs in this test's namespace), status, tumar-tool sees it, stop by PID,
# and the usage errors.
. "$(dirname "$0")/lib.sh"
private_pcscd_namespace "$@"
STACK=$TM_SRCDIR/scripts/tumar-stack
export TUMAR_STACK_DIR=$WORK/stack TUMAR_EMU=$EMU
export TUMAR_MODULE=$TM_BUILDDIR/driver/.libs/tumar-pkcs11.so
PORT=$("$FREE_PORT")

out=$("$STACK" start --model jacarta-pki --port "$PORT" 2>&1) && rc=0 || rc=$?
# Whatever happens next, what it started is stopped by this test's cleanup.
for f in "$TUMAR_STACK_DIR"/{emu,pcscd}.pid; do [ -f "$f" ] && PIDS+=("$(cat "$f")"); done
check "start: its own pcscd and a virtual JaCarta" \
	bash -c '[ $0 -eq 0 ] && grep -q "Started pcscd" <<<"$1" && grep -q "Virtual jacarta-pki" <<<"$1"' "$rc" "$out"
check "start again: refused while it runs" bash -c '! "$0" start --model kaztoken' "$STACK"
check "status: pcscd and tumar-emu running" \
	bash -c 'out=$("$0" status) && grep -q "^pcscd  *running" <<<"$out" &&
		grep -q "tumar-emu  running.*jacarta-pki" <<<"$out"' "$STACK"
check "tumar-tool sees the JaCarta" \
	bash -c '"$0" list | grep -q "model *JaCarta PKI"' "$TM_BUILDDIR/tools/tumar-tool"
emu_pid=$(cat "$TUMAR_STACK_DIR/emu.pid") pcscd_pid=$(cat "$TUMAR_STACK_DIR/pcscd.pid")
check "stop: both stopped, by their PIDs" \
	bash -c '"$0" stop && ! kill -0 $1 2>/dev/null && ! kill -0 $2 2>/dev/null' "$STACK" "$emu_pid" "$pcscd_pid"
check "status after stop: not running (exit 1)" bash -c '! "$0" status' "$STACK"
check "start --model nosuch: a clear error" \
	bash -c 'out=$("$0" start --model nosuch 2>&1); [ $? -ne 0 ] && grep -q "no model nosuch" <<<"$out"' "$STACK"
check "stop --wipe removes the state" bash -c '"$0" stop --wipe && [ ! -d "$1" ]' "$STACK" "$TUMAR_STACK_DIR"
check "--help: the comment block's text, no code" \
	bash -c 'out=$("$0" --help) && grep -q "tumar-stack start" <<<"$out" && ! grep -q "set -e" <<<"$out"' "$STACK"
check "--version: the release, as tumar-emu's" \
	bash -c '[ "$("$0" --version)" = "tumar-stack ${1#tumar-emu }" ]' "$STACK" "$("$EMU" --version)"
check "tumar-trace --version and tumar-tool --version" \
	bash -c '"$0" --version | grep -q "^tumar-trace [0-9]" && "$1" --version | grep -q "^tumar-tool [0-9]"' \
	"$TM_BUILDDIR/tools/tumar-trace" "$TM_BUILDDIR/tools/tumar-tool"
tap_done
