#!/usr/bin/env bash
# SPDX-License-Identifier: LGPL-2.1-or-later
# The man pages and bash completions stay true: every page renders with
# no groff warning, every command tumar-tool --help lists and every
# option tumar-emu and tumar-trace --help name is in its page, and the
# completions (which read the programs' own --help) complete commands,
# options and models.
. "$(dirname "$0")/lib.sh"
MAN=$TM_SRCDIR/docs/man
TOOL=$TM_BUILDDIR/tools/tumar-tool TRACE=$TM_BUILDDIR/tools/tumar-trace
command -v man >/dev/null || skip_all "man is not installed"
render() { LC_ALL=C.UTF-8 MANROFFSEQ='' MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$1" 2>&1 >/dev/null; }
for page in "$MAN"/*.[18]; do
	check "$(basename "$page") renders without a warning" bash -c '[ -z "$(render "$0")" ]' "$page"
done
export -f render
# Every word of a --help the page must carry: tumar-tool's commands,
# tumar-emu's and tumar-trace's long options.
missing() { # page words...
	local page=$1 w text
	shift
	text=$(LC_ALL=C.UTF-8 MANWIDTH=200 man -l "$page" 2>/dev/null | sed 's/‐/-/g')
	for w in "$@"; do grep -qF -- "$w" <<<"$text" || echo "$w"; done
}
commands=$("$TOOL" --help | sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p')
check "tumar-tool(1) has every command of --help" \
	test -z "$(missing "$MAN/tumar-tool.1" $commands)"
check "tumar-tool(1) has every common option" \
	test -z "$(missing "$MAN/tumar-tool.1" $("$TOOL" --help | grep -o -- '--[a-z][a-z-]*' | sort -u))"
check "tumar-emu(1) has every option of --help" \
	test -z "$(missing "$MAN/tumar-emu.1" $("$EMU" --help | grep -o -- '--[a-z][a-z-]*' | sort -u))"
check "tumar-trace(1) has every option of --help" \
	test -z "$(missing "$MAN/tumar-trace.1" $("$TRACE" --help | grep -o -- '--[a-z][a-z-]*' | sort -u))"
# --help is read in an 80-column terminal: no line past it.
check "every --help fits in 80 columns (tumar-tool and each of its commands, tumar-emu, tumar-trace, tumar-stack and its verbs)" \
	bash -c 'out=$(for c in $("$0" --help | sed -n "s/^  \([a-z][a-z-]*\)  .*/\1/p"); do
			"$0" "$c" --help 2>&1 | awk -v c="$c" "length > 80 { print c \": \" \$0 }"; done
		for p in "$0" "$1" "$2" "$3" "$3 start" "$3 status" "$3 stop"; do
			$p --help 2>&1 | awk -v p="${p##*/}" "length > 80 { print p \": \" \$0 }"; done)
		[ -z "$out" ] || { echo "$out"; exit 1; }' "$TOOL" "$EMU" "$TRACE" "$TM_SRCDIR/scripts/tumar-stack"
check "tumar-emu(1) names every model" \
	test -z "$(missing "$MAN/tumar-emu.1" $("$EMU" --list-models | grep '^[a-z]'))"

. "$TM_SRCDIR/tools/completion/tumar-tool"
. "$TM_SRCDIR/tools/completion/tumar-emu"
comp() { # function words...: what completes the last word
	local f=$1
	shift
	COMP_WORDS=("$@") COMP_CWORD=$(($# - 1))
	"$f"
	printf '%s\n' "${COMPREPLY[@]}"
}
check "completion: tumar-tool de<TAB> is delete" test "$(comp _tumar_tool "$TOOL" de)" = delete
check "completion: after common options, the command" \
	test "$(comp _tumar_tool "$TOOL" --serial KZ1 keys)" = keys
check "completion: a command's own options" \
	grep -qx -- --cert-only <<<"$(comp _tumar_tool "$TOOL" delete --ce)"
check "completion: --alg values" test "$(comp _tumar_tool "$TOOL" keygen --alg rsa)" = rsa2048
check "completion: tumar-emu --model, from --list-models" \
	test "$(comp _tumar_emu "$EMU" --model kaz)" = kaztoken
check "completion: tumar-emu ctl SOCKET f<TAB> is fault" \
	test "$(comp _tumar_emu "$EMU" ctl sock f)" = fault
tap_done
