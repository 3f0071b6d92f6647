"""`tessera run`: boot a node, run one user program as init, relay its
output, exit with its status.

The kernel starts PROGRAM with `init="PROGRAM ARGS..."`.  The program's
stdout and stderr go to the serial console without the printk prefix, so
they share the stream with the kernel log; a kernel line carries the
"[    s.micros] cpuN " prefix, and whatever precedes that prefix on a line
(or a whole line without it) is the program's.  Nothing before the
kernel's first log line is relayed (firmware noise).  The serial port
turns "\\n" into "\\r\\n"; CRs are dropped.  The kernel ends with
"tessera: init exited with status S" (a wait status): the exit code is
S's exit code, or 128+signal if the program was killed.

Until the memory node's P2M protocol is wired only the `all` topology
runs programs; PROGRAM is embedded in the kernel (usr/) or a file of the
root file system (--disk, --archive).  Arguments travel %XX-escaped.
"""
import re
import sys

KERNEL_LINE = re.compile(r"\[\s*\d+\.\d{6}\] cpu\d+ ")
EXIT_LINE = re.compile(r"tessera: init exited with status (0x[0-9a-f]+|0)")
START_FAIL = re.compile(r"tessera: cannot start init")


class Relay:
    """Feeds serial lines, writes the program's bytes to @out."""

    def __init__(self, out):
        self.out = out
        self.seen_kernel = False
        self.status = None
        self.failed = False

    def line(self, text):
        m = KERNEL_LINE.search(text)
        if not m:
            if self.seen_kernel:
                self.out.write(text + "\n")
                self.out.flush()
            return False
        if self.seen_kernel and m.start() > 0:
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


def relay_to_stdout():
    return Relay(sys.stdout)
