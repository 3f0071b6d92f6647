"""Run one QEMU guest with a hard timeout.

The serial console goes to QEMU's stdout (a pipe), which run() copies to
the log file and, if asked, to our stdout, byte for byte, while it splits
the text into lines for callers to parse.  The guest leaves through
isa-debug-exit: the kernel writes v, QEMU exits with (v << 1) | 1.
A @console (run.UserConsole: the program's COM2) is connected right after
QEMU starts, served by the same loop, and drained after QEMU is gone.
"""
import os
import re
import select
import signal
import subprocess
import sys
import time

QEMU = "qemu-system-x86_64"

# QEMU exit status -> (our exit status, verdict).  See include/kernel/machine.h.
EXIT_OK, EXIT_FAIL, EXIT_PANIC, EXIT_OTHER, EXIT_TIMEOUT = 0, 1, 2, 3, 124
_STATUS = {
    1: (EXIT_OK, "kernel exited OK"),
    3: (EXIT_FAIL, "kernel reported failure"),
    5: (EXIT_PANIC, "kernel panic"),
}

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")


def clean_line(raw):
    """Text of one serial line without escape sequences and CR."""
    return _ANSI.sub("", raw).replace("\r", "")


def command(image, smp=4, mem="512M", kvm=False, iso=False, cmdline="",
            cpu=None, extra=()):
    """The QEMU argv for booting @image (an ELF, or an ISO if @iso).
    @cpu overrides the TCG CPU model; @extra is appended (devices)."""
    argv = [QEMU, "-M", "q35"]
    argv += ["-enable-kvm", "-cpu", "host"] if kvm else ["-cpu", cpu or "max"]
    argv += ["-smp", str(smp), "-m", str(mem),
             "-nographic", "-no-reboot", "-vga", "none", "-nic", "none",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
             "-serial", "stdio", "-monitor", "none"]
    if iso:
        argv += ["-cdrom", image, "-boot", "d"]
    else:
        argv += ["-kernel", image]
        if cmdline:
            argv += ["-append", cmdline]
    return argv + list(extra)


class Result:
    """What one guest run produced."""

    def __init__(self):
        self.status = None      # QEMU's exit status; None after a timeout
        self.timed_out = False
        self.interrupted = False
        self.stopped = False     # on_line asked to stop
        self.lines = []         # cleaned serial lines
        self.log = None
        self.seconds = 0.0

    @property
    def exit_code(self):
        """Our exit status: 0 ok, 1 fail, 2 panic, 3 other, 124 timeout."""
        if self.timed_out:
            return EXIT_TIMEOUT
        if self.interrupted:
            return 130
        return _STATUS.get(self.status, (EXIT_OTHER, None))[0]

    @property
    def verdict(self):
        if self.timed_out:
            return "timed out after %.0f s" % self.seconds
        if self.interrupted:
            return "interrupted"
        v = _STATUS.get(self.status)
        if v:
            return v[1]
        return ("QEMU exited with status %s without isa-debug-exit "
                "(triple fault, reset or QEMU error)" % self.status)


def _stop(proc):
    """End QEMU (and anything it started: it leads its own session)."""
    if proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 3), (signal.SIGKILL, None)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            break
        try:
            proc.wait(timeout=wait)
            return
        except subprocess.TimeoutExpired:
            continue


def run(argv, timeout, log_path, echo=False, on_line=None, console=None):
    """Run @argv; return a Result.  @on_line(text) sees each cleaned line
    as it arrives; if it returns True, QEMU is stopped there and the
    Result says `stopped`.  The first log line records the command.
    @console: see the module comment (its qemu_args() are in @argv)."""
    res = Result()
    res.log = log_path
    start = time.monotonic()
    deadline = start + timeout
    with open(log_path, "wb") as log:
        log.write(("# %s\n" % " ".join(argv)).encode())
        log.flush()
        proc = subprocess.Popen(argv, stdin=subprocess.DEVNULL,
                                stdout=subprocess.PIPE,
                                stderr=subprocess.STDOUT,
                                start_new_session=True)
        pending = b""
        try:
            if console:
                console.connect(proc, deadline)
            while True:
                left = deadline - time.monotonic()
                if left <= 0:
                    res.timed_out = True
                    break
                rd, wr = [proc.stdout], []
                if console:
                    rd += console.read_fds()
                    wr += console.write_fds()
                ready, writable, _ = select.select(rd, wr, [], min(left, 0.5))
                if console:
                    console.serve(ready, writable)
                if proc.stdout not in ready:
                    continue
                chunk = os.read(proc.stdout.fileno(), 65536)
                if not chunk:
                    break
                log.write(chunk)
                log.flush()
                if echo:
                    sys.stdout.buffer.write(chunk)
                    sys.stdout.flush()
                pending += chunk
                *done, pending = pending.split(b"\n")
                if any(_take_line(res, raw, on_line, console)
                       for raw in done):
                    res.stopped = True
                    break
        except KeyboardInterrupt:
            res.interrupted = True
        finally:
            _stop(proc)
            if console:
                console.drain()
        if pending:
            _take_line(res, pending, on_line)
        ended = not (res.timed_out or res.interrupted or res.stopped)
        res.status = proc.returncode if ended else None
    res.seconds = time.monotonic() - start
    return res


def _take_line(res, raw, on_line, console=None):
    text = clean_line(raw.decode("utf-8", "replace"))
    res.lines.append(text)
    if console:
        console.log_line(text)
    return bool(on_line and on_line(text))


def available():
    """True if the QEMU binary is on $PATH."""
    return any(os.access(os.path.join(d, QEMU), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep))


