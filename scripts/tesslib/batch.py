"""Several programs in one `tessera run`: the host side of usr/tests/x_batch.

x_batch (a Tessera-only user program) reads a list of "DIR PROGRAM ARG..."
lines, runs each program in turn (cwd DIR, stdin /dev/null, stdout and
stderr one pipe) and writes only framed records to its console:
"@@batch N", "@@out I LEN" + LEN bytes, "@@end I STATUS MS" (wait
status in hex, "timeout" or "exec"; milliseconds it took), "@@done".  list_text() writes the list,
parse() splits the console's bytes back into one Run per program, byte
for byte.  Users: scripts/abi-compare --batch, scripts/stress-series.
"""
import re

PROGRAM = "/bin/x_batch"
_HEADER = re.compile(
    rb"@@(batch|out|end|done)(?: (\d+))?(?: (\S+))?(?: (\d+))?\n")


class Run:
    """One program's output and end as x_batch reported them."""

    def __init__(self):
        self.output = b""
        self.status = None      # "0x..." wait status, "timeout", "exec"
        self.ms = None          # how long it ran (guest clock)

    @property
    def exit_code(self):
        """As a shell (and `tessera run`) reports it: the exit code, or
        128+signal; None if it did not end normally."""
        if self.status is None or not self.status.startswith("0x"):
            return None
        s = int(self.status, 16)
        return 128 + (s & 0x7f) if s & 0x7f else (s >> 8) & 0xff


def list_text(entries):
    """The list file for [(dir, [program, args...]), ...]: words may not
    contain spaces or newlines (ValueError)."""
    lines = []
    for d, argv in entries:
        words = [d] + list(argv)
        if any(not w or " " in w or "\n" in w for w in words):
            raise ValueError("batch words cannot be empty or hold spaces: "
                             "%r" % words)
        lines.append(" ".join(words) + "\n")
    return "".join(lines)


def command(list_path, seconds):
    """x_batch's argv for @list_path (a guest path), @seconds per program."""
    return [PROGRAM, list_path, str(int(seconds))]


def parse(data):
    """(runs, done, error) for x_batch's console bytes @data: runs is a
    list of Run (as many as announced); done is True if "@@done" came;
    error names the first thing that is not a record (parsing stops)."""
    runs, pos = [], 0
    while pos < len(data):
        m = _HEADER.match(data, pos)
        if not m:
            return runs, False, "no record at byte %d: %r" % (
                pos, data[pos:pos + 40])
        kind, num, arg = m.group(1), m.group(2), m.group(3)
        pos = m.end()
        if kind == b"batch" and num is not None and not runs:
            runs = [Run() for _ in range(int(num))]
            continue
        if kind == b"done":
            return runs, True, None
        i = int(num) if num is not None else -1
        if not 0 <= i < len(runs) or arg is None:
            return runs, False, "bad record %r" % m.group(0)
        if kind == b"out" and arg.isdigit():
            n = int(arg)
            if pos + n > len(data):
                return runs, False, "output of program %d cut short" % i
            runs[i].output += data[pos:pos + n]
            pos += n
        elif kind == b"end" and m.group(4) is not None:
            runs[i].status = arg.decode("ascii", "replace")
            runs[i].ms = int(m.group(4))
        else:
            return runs, False, "bad record %r" % m.group(0)
    return runs, False, "the stream ended before @@done"
