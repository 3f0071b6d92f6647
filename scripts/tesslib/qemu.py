"""Run one QEMU guest with a hard timeout.

The serial console goes to QEMU's stdout (a pipe), which run() copies to
the log file and, if asked, to our stdout, byte for byte, while it splits
the text into lines for callers to parse.  The guest leaves through
isa-debug-exit: the kernel writes v, QEMU exits with (v << 1) | 1.
A @console (run.UserConsole: the program's COM2) is connected right after
QEMU starts, served by the same loop, and drained after QEMU is gone.

Every guest gets a human monitor on a unix socket.  When a run times out,
run() first injects an NMI through it: the kernel answers an NMI it did
not ask for with every CPU's registers and backtrace and the task list
(arch/x86/kernel/smp.c), so a hung guest leaves a post-mortem in its log;
the guest gets NMI_GRACE seconds to print it before QEMU is stopped.
"""
import itertools
import os
import re
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time

QEMU = "qemu-system-x86_64"

# QEMU exit status -> (our exit status, verdict).  See include/kernel/machine.h.
EXIT_OK, EXIT_FAIL, EXIT_PANIC, EXIT_OTHER, EXIT_TIMEOUT = 0, 1, 2, 3, 124
_STATUS = {
    1: (EXIT_OK, "kernel exited OK"),
    3: (EXIT_FAIL, "kernel reported failure"),
    5: (EXIT_PANIC, "kernel panic"),
}

NMI_GRACE = 3.0
_monitors = itertools.count()

_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1bc")


def clean_line(raw):
    """Text of one serial line without escape sequences and CR."""
    return _ANSI.sub("", raw).replace("\r", "")


# Under KVM the host's CPU model, without IA32_ARCH_CAPABILITIES: on a
# nested KVM whose host does not let it be written, QEMU 7.2 aborts at
# the first vCPU reset ("failed to set MSR 0x10a"); the kernel never reads
# that MSR, so hiding it changes nothing for the guest.
KVM_CPU = "host,-arch-capabilities"


# QEMU's report of a guest that KVM could not run (e.g. an instruction its
# emulator does not know); QEMU then keeps the guest paused until killed.
HOST_ERROR_PREFIX = "KVM internal error"
HOST_ERROR_GRACE = 1.0


def command(image, smp=4, mem="512M", kvm=False, iso=False, cmdline="",
            cpu=None, extra=()):
    """The QEMU argv for booting @image (an ELF, or an ISO if @iso).
    @cpu overrides the TCG CPU model; @extra is appended (devices)."""
    argv = [QEMU, "-M", "q35"]
    argv += ["-enable-kvm", "-cpu", KVM_CPU] if kvm else ["-cpu", cpu or "max"]
    argv += ["-smp", str(smp), "-m", str(mem),
             "-nographic", "-no-reboot", "-vga", "none", "-nic", "none",
             "-device", "isa-debug-exit,iobase=0xf4,iosize=4",
             "-serial", "stdio", "-monitor", "unix:%s,server=on,wait=off"
             % monitor_path()]
    if iso:
        argv += ["-cdrom", image, "-boot", "d"]
    else:
        argv += ["-kernel", image]
        if cmdline:
            argv += ["-append", cmdline]
    return argv + list(extra)


def monitor_path():
    """A fresh unix socket path for one guest's monitor."""
    return os.path.join(tempfile.gettempdir(), "tessera-mon-%d-%d.sock" % (
        os.getpid(), next(_monitors)))


def _monitor_of(argv):
    """The monitor socket path in @argv, or None."""
    for i, word in enumerate(argv[:-1]):
        if word == "-monitor" and argv[i + 1].startswith("unix:"):
            return argv[i + 1][5:].split(",")[0]
    return None


def inject_nmi(path):
    """Ask the guest behind monitor @path for its post-mortem (an NMI to
    every CPU).  False if the monitor cannot be reached."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
            s.settimeout(2)
            s.connect(path)
            s.sendall(b"nmi\n")
            time.sleep(0.2)
        return True
    except OSError:
        return False


def remove_monitor(argv):
    path = _monitor_of(argv)
    if path:
        try:
            os.unlink(path)
        except OSError:
            pass


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
        self.host_error = None  # "KVM internal error ..." from QEMU

    @property
    def exit_code(self):
        """Our exit status: 0 ok, 1 fail, 2 panic, 3 other, 124 timeout."""
        if self.timed_out:
            return EXIT_TIMEOUT
        if self.interrupted:
            return 130
        if self.host_error:
            return EXIT_OTHER
        return _STATUS.get(self.status, (EXIT_OTHER, None))[0]

    @property
    def verdict(self):
        if self.timed_out:
            return "timed out after %.0f s" % self.seconds
        if self.interrupted:
            return "interrupted"
        if self.host_error:
            return ("QEMU stopped the guest: %s (the host's KVM failed; "
                    "its register dump is in the log)" % self.host_error)
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
        host_error_at = 0.0
        try:
            if console:
                console.connect(proc, deadline)
            while True:
                left = deadline - time.monotonic()
                if res.host_error and not res.timed_out:
                    # QEMU keeps a guest KVM failed on paused for ever:
                    # read its register dump for a moment, then stop it.
                    deadline = min(deadline, host_error_at + HOST_ERROR_GRACE)
                    if left <= 0:
                        break
                if left <= 0 and not res.timed_out:
                    res.timed_out = True
                    log.write(b"\n# timed out: asking the guest for a "
                              b"post-mortem (NMI)\n")
                    if inject_nmi(_monitor_of(argv) or ""):
                        deadline = time.monotonic() + NMI_GRACE
                        continue
                if left <= 0:
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
                if res.host_error and not host_error_at:
                    host_error_at = time.monotonic()
        except KeyboardInterrupt:
            res.interrupted = True
        finally:
            _stop(proc)
            remove_monitor(argv)
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
    if not res.host_error and text.startswith(HOST_ERROR_PREFIX):
        res.host_error = text.strip()
    if console:
        console.log_line(text)
    return bool(on_line and on_line(text))


def available():
    """True if the QEMU binary is on $PATH."""
    return any(os.access(os.path.join(d, QEMU), os.X_OK)
               for d in os.environ.get("PATH", "").split(os.pathsep))


