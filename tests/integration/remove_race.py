# SPDX-License-Identifier: LGPL-2.1-or-later
"""A card pulled by the control socket in the same poll round as vpcd
has an APDU ready must stay pulled.  The emulator used to take vpcd's
readiness, after the remove had closed the link, as a reason to connect
again: a removed card back in the reader, answering (seen under load in
tests/stress/card_pulls.sh, 2 pulls in 60).

This plays vpcd itself (a TCP server the emulator connects to), and makes
the round happen for certain: with the emulator stopped (SIGSTOP), two
APDUs are queued on the link and a control client's "remove" waits in
the control socket's backlog.  On SIGCONT the first round accepts the
control client and answers one APDU; the second finds the request and
the second APDU ready together.  Prints TAP."""
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time

EMU = sys.argv[1]
SELECT = bytes.fromhex("00A4040007F054554D41520100")
CHALLENGE = bytes.fromhex("0084000008")
n = 0


def tap(ok, what):
    global n
    n += 1
    print(("ok" if ok else "not ok") + " %d - %s" % (n, what), flush=True)
    return ok


def frame(b):
    return len(b).to_bytes(2, "big") + b


def recv_exact(s, k):
    out = b""
    while len(out) < k:
        got = s.recv(k - len(out))
        if not got:
            raise EOFError("the link closed")
        out += got
    return out


def exchange(s, apdu):
    s.sendall(frame(apdu))
    return recv_exact(s, int.from_bytes(recv_exact(s, 2), "big"))


def ctl(path, line):
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(30)  # a bound for a hang only
    c.connect(path)
    c.sendall(line.encode() + b"\n")
    reply = b""
    while not reply.endswith(b"\n"):
        got = c.recv(4096)
        if not got:
            break
        reply += got
    c.close()
    return reply.decode()


def state(pid):
    with open("/proc/%d/stat" % pid) as f:
        return f.read().rsplit(")", 1)[1].split()[0]


work = tempfile.mkdtemp(prefix="tumar-race.")
srv = socket.socket()
srv.bind(("127.0.0.1", 0))
srv.listen(4)
srv.settimeout(30)
port = srv.getsockname()[1]
ctl_path = os.path.join(work, "emu.ctl")
emu = subprocess.Popen([EMU, "--model", "kaztoken", "--card", os.path.join(work, "c.img"),
                        "--vpcd", "localhost:%d" % port, "--control", ctl_path],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
try:
    link, _ = srv.accept()
    link.settimeout(30)
    link.sendall(frame(b"\x01"))  # power on: no answer
    tap(exchange(link, b"\x04")[:1] == b"\x3b", "the card answers its ATR")
    tap(exchange(link, SELECT)[-2:] == b"\x90\x00", "SELECT answers 9000")

    os.kill(emu.pid, signal.SIGSTOP)
    while state(emu.pid) != "T":
        time.sleep(0.005)
    link.sendall(frame(CHALLENGE) + frame(CHALLENGE))
    c = socket.socket(socket.AF_UNIX)
    c.settimeout(30)
    c.connect(ctl_path)
    c.sendall(b"remove\n")
    os.kill(emu.pid, signal.SIGCONT)
    reply = c.recv(4096).decode()
    c.close()
    tap(reply.startswith("ok card removed"), "remove, with an APDU ready in the same round: " + reply.strip())
    status = ctl(ctl_path, "status")
    tap(" removed " in status and "vpcd=conn" not in status,
        "the card stays out of the reader: " + status.strip())
    srv.setblocking(False)
    try:
        srv.accept()
        tap(False, "no connection back to vpcd while removed (one came)")
    except BlockingIOError:
        tap(True, "no connection back to vpcd while removed")
    srv.setblocking(True)
    srv.settimeout(30)
    tap(ctl(ctl_path, "insert").startswith("ok"), "insert")
    again, _ = srv.accept()
    again.settimeout(30)
    again.sendall(frame(b"\x01"))
    tap(exchange(again, b"\x04")[:1] == b"\x3b", "inserted again, the card is back on a new link")
finally:
    emu.kill()
    emu.wait()
print("1..%d" % n)
