# SPDX-License-Identifier: LGPL-2.1-or-later
"""A stack of virtual tokens: pcscd + vpcd + tumar-emu, started and
stopped through tumar-stack, so that the Python API and the command line
start tokens the same way.

As root (the default there), the stack is private: this process moves
into a mount namespace of its own with a tmpfs on /run/pcscd, so its
pcscd is its own (pcscd 1.9.9 ignores PCSCLITE_CSOCK_NAME for its own
socket) and nothing else on the machine sees its readers, and its vpcd
ports are free ones.  Without root, the tokens go into the running
pcscd's free vpcd readers, as tumar-stack start does."""

import atexit
import ctypes
import os
import shutil
import socket
import subprocess
import tempfile
import threading
import time

from . import pcsc
from .control import Control

_CLONE_NEWNS = 0x00020000
_MS_REC = 0x4000
_MS_PRIVATE = 0x40000
_PCSCD_DIR = "/run/pcscd"
_private_entered = False


class StackError(Exception):
    """The stack could not be started or stopped; the message says why
    (with tumar-stack's own words where it refused)."""


def _enter_private_pcscd():
    """Moves this process into a mount namespace of its own with a tmpfs
    on /run/pcscd.  Once per process: later stacks share it."""
    global _private_entered
    if _private_entered:
        return
    if os.geteuid() != 0:
        raise StackError("a private stack needs root (a mount namespace for its own pcscd); "
                         "use Stack(private=False) to use the running pcscd")
    if threading.active_count() > 1:
        raise StackError("a private stack must be started before this process starts "
                         "threads (unshare(CLONE_NEWNS) refuses a threaded process)")
    libc = ctypes.CDLL(None, use_errno=True)

    def call(what, rc):
        if rc != 0:
            e = ctypes.get_errno()
            raise StackError(f"{what}: {os.strerror(e)}")

    call("unshare(CLONE_NEWNS)", libc.unshare(_CLONE_NEWNS))
    # Private propagation, or the tmpfs would show in the parent's /run.
    call("mount --make-rprivate /", libc.mount(b"none", b"/", None, _MS_REC | _MS_PRIVATE, None))
    os.makedirs(_PCSCD_DIR, exist_ok=True)
    call(f"mount tmpfs on {_PCSCD_DIR}",
         libc.mount(b"tumar-pcscd", _PCSCD_DIR.encode(), b"tmpfs", 0, b"mode=0755"))
    os.environ.pop("PCSCLITE_CSOCK_NAME", None)
    _private_entered = True


def _bind(port):
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("", port))
        except OSError:
            return 0
        return s.getsockname()[1]


def free_port_pair():
    """A port P such that P and P+1 are free (vpcd's two readers)."""
    for _ in range(100):
        p = _bind(0)
        if 0 < p < 65535 and _bind(p + 1) == p + 1:
            return p
    raise StackError("no two free TCP ports in a row")


def _program(given, env, name):
    for c in (given, os.environ.get(env), shutil.which(name)):
        if c and os.access(c, os.X_OK):
            return c
    raise StackError(f"{name} not found: install tumar-emu, or set {env}")


class Token:
    """One virtual token: its emulator, control socket and reader."""

    def __init__(self, stack, name, model, reader):
        self.stack = stack
        self.name = name
        self.model = model
        self.reader = reader
        d = os.path.join(stack.state_dir, "tokens", name)
        self.dir = d
        self.control = Control(os.path.join(d, "emu.ctl"))
        with open(os.path.join(d, "port")) as f:
            self.port = int(f.read())
        with open(os.path.join(d, "card")) as f:
            self.card_image = f.read().strip()
        with open(os.path.join(d, "emu.pid")) as f:
            self.pid = int(f.read())
        self.log = os.path.join(d, "emu.log")

    def connect(self, **kw):
        """A pcsc.Card on this token's reader."""
        return pcsc.Card(self.reader, **kw)

    def status(self):
        return self.control.status()

    def remove(self, timeout=10.0):
        """Pulls the card; returns once pcscd sees the reader empty."""
        self.control.remove()
        if not pcsc.wait_for_card(self.reader, present=False, timeout=timeout):
            raise StackError(f"{self.reader}: still holds a card {timeout} s after remove")

    def insert(self, timeout=10.0):
        """Puts the card back; returns once pcscd sees it."""
        self.control.insert()
        if not pcsc.wait_for_card(self.reader, present=True, timeout=timeout):
            raise StackError(f"{self.reader}: no card {timeout} s after insert")

    def stop(self):
        self.stack._run("stop", self.name)
        self.stack.tokens.pop(self.name, None)

    def __repr__(self):
        return f"Token({self.name!r}, model={self.model!r}, reader={self.reader!r})"


class Stack:
    """pcscd + vpcd + virtual tokens.  A context manager; stop() (also
    run at exit) stops what it started, by PID, and removes its state."""

    def __init__(self, private=None, state_dir=None, tumar_stack=None, tumar_emu=None,
                 keep_state=False):
        self.private = os.geteuid() == 0 if private is None else private
        self.tumar_stack = _program(tumar_stack, "TUMAR_STACK", "tumar-stack")
        self.tumar_emu = tumar_emu or os.environ.get("TUMAR_EMU")
        self.own_state_dir = state_dir is None
        self.state_dir = state_dir or tempfile.mkdtemp(prefix="tumar-stack-py.")
        self.keep_state = keep_state
        self.tokens = {}
        self._pcscd_started = False
        self._stopped = False
        if self.private:
            _enter_private_pcscd()
        atexit.register(self.stop)

    def _run(self, *args):
        env = dict(os.environ, TUMAR_STACK_DIR=self.state_dir)
        if self.tumar_emu:
            env["TUMAR_EMU"] = self.tumar_emu
        try:
            r = subprocess.run([self.tumar_stack, *args], env=env, stdin=subprocess.DEVNULL,
                               capture_output=True, text=True, timeout=120)
        except subprocess.TimeoutExpired as e:
            raise StackError(f"tumar-stack {' '.join(args)}: no answer in 120 s") from e
        if r.returncode != 0:
            raise StackError((r.stderr or r.stdout).strip() or
                             f"tumar-stack {' '.join(args)} exited {r.returncode}")
        return r.stdout

    def start(self, model="kaztoken", name=None, card=None, emu_args=(), timeout=10.0):
        """Starts a virtual token of the model (tumar-emu --list-models)
        in a free reader; returns its Token once pcscd sees the card."""
        if not name:
            name, n = model, 2
            while name in self.tokens:
                name, n = f"{model}-{n}", n + 1
        args = ["start", "--model", model, "--name", name]
        if card:
            args += ["--card", card]
        if self.private and not self._pcscd_started:
            args += ["--port", str(free_port_pair())]
        before = {n for n, present in self._readers() if present}
        self._run(*args, "--", *emu_args)
        self._pcscd_started = True
        reader = self._new_reader(before, timeout)
        token = Token(self, name, model, reader)
        self.tokens[name] = token
        return token

    def _readers(self):
        try:
            return pcsc.readers()
        except pcsc.PcscError:
            return []  # no pcscd yet

    def _new_reader(self, before, timeout):
        deadline = time.monotonic() + timeout
        while True:
            new = [n for n, present in self._readers() if present and n not in before]
            if len(new) == 1:
                return new[0]
            if len(new) > 1:
                raise StackError(f"more than one reader got a card at once: {new}")
            if time.monotonic() > deadline:
                raise StackError(f"the token started, but no reader shows a new card in {timeout} s")
            time.sleep(0.1)

    def stop(self):
        if self._stopped:
            return
        self._stopped = True
        try:
            wipe = ["--wipe"] if self.own_state_dir and not self.keep_state else []
            self._run("stop", "--all", *wipe)
        finally:
            self.tokens.clear()
            if self.own_state_dir and not self.keep_state:
                shutil.rmtree(self.state_dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.stop()
