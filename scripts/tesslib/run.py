"""`tessera run`: boot a node, run one user program as init, relay its
console, exit with its status.

The kernel starts PROGRAM with `init="PROGRAM ARGS..."`.  The program's
console (fds 0, 1, 2) is the guest's second UART, COM2, which UserConsole
adds to QEMU as a unix-socket chardev and relays: the program's bytes to
our stdout byte for byte (the kernel sends them untranslated), our stdin
to the program, followed by ^D (the terminal's end-of-file character)
when stdin ends — at once for /dev/null; a terminal may send several.
The guest reads ^D as a terminal in canonical mode does (end of file at
the start of a line), so input that ends without "\n" gets two, and a ^D
inside the input also ends the data there.  After QEMU
is gone COM2 is drained to its end, so no output is lost.

COM1 carries only the kernel log (kept under build/logs/).  Relay reads
it for the kernel's "tessera: init exited with status S" (a wait status):
the exit code is S's exit code, or 128+signal if the program was killed.
A kernel without the COM2 driver writes the program's output to COM1
between log lines; Relay(out) still extracts that (a kernel line carries
the "[    s.micros] cpuN " prefix, whatever precedes it on a line or a
whole line without it is the program's; CRs are dropped).

Until the memory node's P2M protocol is wired only the `all` topology
runs programs; PROGRAM is embedded in the kernel (usr/) or a file of the
root file system (--disk, --archive).  Arguments travel %XX-escaped.
"""
import os
import re
import select
import shutil
import socket
import sys
import tempfile
import time

KERNEL_LINE = re.compile(r"\[\s*\d+\.\d{6}\] cpu\d+ ")
EXIT_LINE = re.compile(r"tessera: init exited with status (0x[0-9a-f]+|0)")
START_FAIL = re.compile(r"tessera: cannot start init")


class Relay:
    """Feeds COM1 lines; writes program bytes found there to @out (None:
    the program has its own console, nothing is written)."""

    def __init__(self, out):
        self.out = out
        self.seen_kernel = False
        self.status = None
        self.failed = False

    def line(self, text):
        m = KERNEL_LINE.search(text)
        if not m:
            if self.seen_kernel and self.out:
                self.out.write(text + "\n")
                self.out.flush()
            return False
        if self.seen_kernel and m.start() > 0 and self.out:
            self.out.write(text[:m.start()])
            self.out.flush()
        self.seen_kernel = True
        rest = text[m.end():]
        e = EXIT_LINE.search(rest)
        if e:
            self.status = int(e.group(1), 16)
            return True
        if START_FAIL.search(rest):
            self.failed = True
            return True
        return False

    def exit_code(self):
        """The program's exit code as a shell reports it."""
        if self.status is None:
            return None
        if self.status & 0x7f:
            return 128 + (self.status & 0x7f)
        return (self.status >> 8) & 0xff


def encode_arg(word):
    """%XX-escape what the kernel command line cannot carry in one word
    (the kernel's init.c decodes it)."""
    out = []
    for b in word.encode("utf-8"):
        c = chr(b)
        if b <= 0x20 or b >= 0x7f or c in '%"\\':
            out.append("%%%02X" % b)
        else:
            out.append(c)
    return "".join(out)


def init_param(program, args):
    """The init= kernel parameter for PROGRAM ARGS (quoted as one value)."""
    words = [program] + list(args)
    if any(not w for w in words):
        raise ValueError("empty arguments are not supported")
    return 'init="%s"' % " ".join(encode_arg(w) for w in words)


def relay_to_stdout(console=None):
    """The COM1 relay; with a UserConsole, COM1 holds no program output."""
    return Relay(None if console else sys.stdout)


EOF_CHAR = b"\x04"
GUEST_READY = re.compile(r"serial: COM2 at ")
OUT_MAX = 1 << 16       # host stdin bytes buffered towards the guest


class UserConsole:
    """The program's console (COM2): QEMU arguments and the relay between
    the chardev's socket and @stdin/@stdout (binary files; default ours).
    qemu.run() calls connect(), then serve() from its select loop, then
    drain() once QEMU is gone."""

    def __init__(self, stdin=None, stdout=None):
        self.dir = tempfile.mkdtemp(prefix="tessera-com2-")
        self.path = os.path.join(self.dir, "com2.sock")
        self.stdin = stdin if stdin is not None else sys.stdin
        self.stdout = stdout if stdout is not None else sys.stdout.buffer
        self.sock = None
        self.connected = False
        self.to_guest = b""
        self.mid_line = False
        self.ready = False
        self.in_fd = self._stdin_fd()
        self.in_tty = self.in_fd is not None and os.isatty(self.in_fd)
        if self.in_fd is None:
            self.to_guest = EOF_CHAR

    def _stdin_fd(self):
        try:
            return self.stdin.fileno()
        except (AttributeError, OSError, ValueError):
            return None

    def qemu_args(self):
        """COM2 as a unix socket server; QEMU waits for us before the
        guest starts, so not a byte is lost."""
        return ["-chardev", "socket,id=com2,path=%s,server=on,wait=on" %
                self.path, "-serial", "chardev:com2"]

    def connect(self, proc, deadline):
        """Connect to QEMU's socket; False if QEMU died or time ran out."""
        while time.monotonic() < deadline and proc.poll() is None:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                s.connect(self.path)
            except OSError:
                s.close()
                time.sleep(0.05)
                continue
            s.setblocking(False)
            self.sock, self.connected = s, True
            return True
        return False

    def read_fds(self):
        fds = [self.sock] if self.connected else []
        if self.in_fd is not None and len(self.to_guest) < OUT_MAX:
            fds.append(self.in_fd)
        return fds

    def write_fds(self):
        return ([self.sock] if self.to_guest and self.connected and
                self.ready else [])

    def log_line(self, text):
        """A COM1 line: input waits for the kernel's COM2 driver (turning
        the UART's FIFO on drops what arrived before)."""
        if not self.ready and GUEST_READY.search(text):
            self.ready = True

    def serve(self, readable, writable):
        """One round of relaying for what select() reported."""
        if self.sock in readable:
            self._from_guest()
        if self.in_fd is not None and self.in_fd in readable:
            self._from_stdin()
        if self.sock in writable and self.to_guest and self.ready:
            try:
                n = self.sock.send(self.to_guest)
                self.to_guest = self.to_guest[n:]
            except (BlockingIOError, InterruptedError):
                pass
            except OSError:
                self.to_guest = b""

    def _from_stdin(self):
        try:
            data = os.read(self.in_fd, OUT_MAX)
        except OSError:
            data = b""
        if data:
            self.to_guest += data
            self.mid_line = not data.endswith(b"\n")
            return
        # A ^D after a partial line only hands that line over (as on a
        # terminal); a second one is then the end of file.
        self.to_guest += EOF_CHAR * (2 if self.mid_line else 1)
        self.mid_line = False
        if not self.in_tty:
            self.in_fd = None       # a file or pipe ends once

    def _from_guest(self):
        try:
            data = self.sock.recv(65536)
        except (BlockingIOError, InterruptedError):
            return True
        except OSError:
            data = b""
        if not data:
            self.connected = False
            return False
        self.stdout.write(data)
        self.stdout.flush()
        return True

    def drain(self, timeout=10.0):
        """After QEMU exited: copy what is left on COM2 up to its end."""
        end = time.monotonic() + timeout
        while self.sock and self.connected and time.monotonic() < end:
            ready, _, _ = select.select([self.sock], [], [], 0.5)
            if ready and not self._from_guest():
                break
        if self.sock:
            self.sock.close()
            self.sock = None
        shutil.rmtree(self.dir, ignore_errors=True)
