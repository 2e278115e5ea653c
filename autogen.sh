#!/bin/sh
# SPDX-License-Identifier: LGPL-2.1-or-later
# Regenerates the build system; runs ./configure "$@" unless NOCONFIGURE
# is set (the GNOME convention, which packaging tools rely on).
set -e
srcdir=$(dirname "$0")
cd "$srcdir"
for tool in autoreconf libtoolize pkg-config; do
	command -v "$tool" >/dev/null 2>&1 || {
		echo "autogen.sh: $tool not found: apt-get install autoconf automake libtool pkg-config autoconf-archive" >&2
		exit 1
	}
done
[ -f /usr/share/aclocal/ax_append_compile_flags.m4 ] || {
	echo "autogen.sh: autoconf-archive not found: apt-get install autoconf-archive" >&2
	exit 1
}
mkdir -p m4
autoreconf --force --install --warnings=all
cd - >/dev/null
if [ -z "$NOCONFIGURE" ]; then
	exec "$srcdir/configure" "$@"
fi
