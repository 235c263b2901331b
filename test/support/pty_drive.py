#!/usr/bin/env python3
"""Runs a command in a pseudo-terminal and plays a script against it, for tests of interactive
commands. The script (JSON, first argument) is {"argv": [...], "env": {...}, "timeout": seconds,
"steps": [{"expect": REGEX, "send": KEYS}, ...]}. Each step waits until REGEX appears in the
screen output after the previous match (colours and cursor codes removed), then types KEYS. The
transcript goes to stdout; the exit code is the command's, 90 when an expected text never came,
or 91 when the command did not end after the last step (the transcript then says which)."""

import fcntl
import json
import os
import pty
import re
import select
import signal
import struct
import sys
import termios
import time

ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07]*\x07|\x1b[=>78]")


def clean(raw):
    return ANSI.sub("", raw.decode("utf-8", errors="replace")).replace("\r", "")


def read_some(fd, wait):
    ready, _, _ = select.select([fd], [], [], wait)
    if not ready:
        return b""
    try:
        return os.read(fd, 65536)
    except OSError:
        return None  # the child closed the terminal


def main():
    script = json.loads(sys.argv[1])
    timeout = float(script.get("timeout", 30))
    pid, fd = pty.fork()
    if pid == 0:
        env = dict(os.environ)
        env.update(script.get("env", {}))
        os.execvpe(script["argv"][0], script["argv"], env)
    fcntl.ioctl(fd, termios.TIOCSWINSZ, struct.pack("HHHH", 50, 160, 0, 0))
    raw = b""
    position = 0
    for index, step in enumerate(script["steps"]):
        pattern = re.compile(step["expect"])
        deadline = time.monotonic() + timeout
        while True:
            match = pattern.search(clean(raw), position)
            if match:
                position = match.end()
                break
            chunk = read_some(fd, max(0.0, deadline - time.monotonic()))
            if chunk is None or time.monotonic() >= deadline:
                sys.stdout.write(clean(raw))
                sys.stdout.write(f"\n[pty_drive] step {index + 1}: no {step['expect']!r} within {timeout}s\n")
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                return 90
            raw += chunk
        if step.get("send"):
            os.write(fd, step["send"].encode("utf-8"))
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chunk = read_some(fd, 0.2)
        if chunk:
            raw += chunk
        done, status = os.waitpid(pid, 0 if chunk is None else os.WNOHANG)
        if done:
            raw += drain(fd)
            sys.stdout.write(clean(raw))
            return os.waitstatus_to_exitcode(status)
    sys.stdout.write(clean(raw))
    sys.stdout.write(f"\n[pty_drive] the command did not end within {timeout}s after the last step\n")
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    return 91


def drain(fd):
    out = b""
    while True:
        chunk = read_some(fd, 0.05)
        if not chunk:
            return out
        out += chunk


if __name__ == "__main__":
    sys.exit(main())
