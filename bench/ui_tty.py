#!/usr/bin/env python3
"""The dashboard through a real pseudo-terminal: bytes written to the terminal per second at
steady state, and CPU used, for three runs of the real binary:

  demo    futuresboard demo --speed 1, and again at --speed 60 (simulator, collector, engine and dashboard in one
          process; the engine publishes once a second): bytes/s is the dashboard's output at
          one update per second; CPU is the whole process.
  attach  futuresboard attach to the demo's database with no collector writing it: the
          dashboard idle apart from its clock.
  replay  futuresboard replay of the demo's database, paused: the dashboard idle.
  hangup  the pty of a paused replay and of the demo is closed (an SSH drop): how long the
          process lives on and the CPU it spends after the close; the mouse mode the
          dashboard asked the terminal for (1000/1002 clicks, 1003 every motion).

Usage: bench/ui_tty.py [BUILD_DIR] [SECONDS]   (default build, 60)
"""
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import sys
import tempfile
import termios
import time

root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
build = os.path.abspath(sys.argv[1]) if len(sys.argv) > 1 else os.path.join(root, "build")
secs = float(sys.argv[2]) if len(sys.argv) > 2 else 60.0
fb = os.path.join(build, "futuresboard")
if not os.access(fb, os.X_OK):
    sys.exit("bench/ui_tty.py: build futuresboard first (%s)" % fb)
work = tempfile.mkdtemp(prefix="fbtty.")
env = dict(os.environ, HOME=work, XDG_CONFIG_HOME=work + "/cfg", XDG_DATA_HOME=work + "/data",
           XDG_STATE_HOME=work + "/state", TERM="xterm-256color", LANG="C.UTF-8",
           LC_ALL="C.UTF-8")
env.pop("NO_COLOR", None)
CLK = os.sysconf("SC_CLK_TCK")


def cpu_s(pid):
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / CLK


def run(args, warm, measure, cols=160, rows=40):
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(work)
        os.execve(fb, [fb] + args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
    os.kill(pid, signal.SIGWINCH)
    total = 0
    tail = b""
    start = time.monotonic()
    mark = None
    c0 = 0.0
    while True:
        now = time.monotonic()
        if mark is None and now - start >= warm:
            mark, total, c0 = now, 0, cpu_s(pid)
        if mark is not None and now - mark >= measure:
            break
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 65536)
                total += len(chunk)
                tail = (tail + chunk)[-2000:]
            except OSError:
                break
    if mark is None:
        sys.exit("bench/ui_tty.py: %s ended early; its last output:\n%s" %
                 (" ".join(args), tail.decode(errors="replace")))
    c1 = cpu_s(pid)
    elapsed = time.monotonic() - mark
    os.write(fd, b"q")
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                if not os.read(fd, 65536):
                    break
            except OSError:
                break
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            break
    else:
        os.kill(pid, signal.SIGKILL)
    try:
        os.waitpid(pid, 0)
    except ChildProcessError:
        pass
    os.close(fd)
    return total / elapsed, (c1 - c0) / elapsed * 100


def hangup(args, warm):
    """Closes the terminal under a running dashboard: (seconds until the process is gone,
    CPU seconds it used after the close, the mouse modes it switched on)."""
    pid, fd = pty.fork()
    if pid == 0:
        os.chdir(work)
        os.execve(fb, [fb] + args, env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 40, 160, 0, 0))
    head = b""
    start = time.monotonic()
    while time.monotonic() - start < warm:
        r, _, _ = select.select([fd], [], [], 0.2)
        if r:
            try:
                chunk = os.read(fd, 65536)
            except OSError:
                break
            if len(head) < 65536:
                head += chunk
    modes = [m for m in ("1000", "1002", "1003", "1006") if b"\x1b[?" + m.encode() + b"h" in head
             or b";" + m.encode() + b"h" in head]
    c0 = cpu_s(pid)
    closed = time.monotonic()
    os.close(fd)  # the terminal goes away
    gone = None
    c1 = c0
    while time.monotonic() - closed < 10:
        try:
            c1 = cpu_s(pid)
        except OSError:
            pass
        done, _ = os.waitpid(pid, os.WNOHANG)
        if done:
            gone = time.monotonic() - closed
            break
        time.sleep(0.05)
    if gone is None:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    return gone, c1 - c0, modes


print("futuresboard dashboard through a pty, 160x40, %g s measured after a warm-up" % secs)
print("%-8s %12s %10s" % ("mode", "bytes/s", "CPU %"))
db = work + "/data/futuresboard/demo.db"
b, c = run(["demo", "--speed", "1"], 20, secs)
print("%-8s %12.0f %10.2f   (whole process: simulator, collector, engine, UI)" % ("demo", b, c))
b, c = run(["demo", "--speed", "60"], 20, secs)
print("%-8s %12.0f %10.2f   (market at 60x: most cells change every second)" % ("demo 60x", b, c))
b, c = run(["--db", db, "--set", "binance.label=simex", "attach"], 10, secs)
print("%-8s %12.0f %10.2f   (nothing written to the database)" % ("attach", b, c))
b, c = run(["--db", db, "replay"], 10, secs)
print("%-8s %12.0f %10.2f   (paused)" % ("replay", b, c))
for name, args in (("replay", ["--db", db, "replay"]), ("demo", ["demo", "--speed", "60"])):
    gone, cpu, modes = hangup(args, 8)
    print("hangup %-7s %s, %.3f CPU s after the close; mouse modes asked: %s" %
          (name, "gone in %.2f s" % gone if gone is not None else "STILL RUNNING after 10 s",
           cpu, " ".join(modes) or "none"))
print("command: bench/ui_tty.py %s %g" % (build, secs))
shutil.rmtree(work, ignore_errors=True)
