"""Reading the kernel's selftest report from its serial log.

The kernel (kernel/selftest.c) prints, each behind a "[  s.us] cpuN "
prefix:
    TEST ok NAME (12 ms)
    TEST FAIL NAME: reason
    TEST skip NAME: reason        (the test cannot run on this machine)
    selftest: N passed, N failed, N skipped
A run passes only if QEMU ended through MACHINE_EXIT_OK, the summary line
came, at least one test ran, none failed and the summary agrees with the
lines.  A panic, a timeout or a missing summary is one extra failure,
reported as a test named "<boot>".
"""
import re

TEST_RE = re.compile(r"\bTEST (ok|FAIL|skip) ([^\s:]+)(.*)$")
SUMMARY_RE = re.compile(r"\bselftest: (\d+) passed, (\d+) failed"
                        r"(?:, (\d+) skipped)?")
PREFIX_RE = re.compile(r"^\[\s*\d+\.\d+\] cpu\d+ ")


def strip_prefix(line):
    return PREFIX_RE.sub("", line)


class Report:
    def __init__(self):
        self.passed = []
        self.failed = []        # (name, reason)
        self.skipped = []       # (name, reason)
        self.summary = None     # (passed, failed) as the kernel counted

    def feed(self, line):
        """Take one cleaned serial line; return the text to show for it
        (a TEST line without the log prefix) or None."""
        m = TEST_RE.search(line)
        if m:
            if m.group(1) == "ok":
                self.passed.append(m.group(2))
            elif m.group(1) == "skip":
                self.skipped.append((m.group(2), m.group(3).lstrip(": ")))
            else:
                self.failed.append((m.group(2), m.group(3).lstrip(": ")))
            return strip_prefix(line[m.start():])
        m = SUMMARY_RE.search(line)
        if m:
            self.summary = (int(m.group(1)), int(m.group(2)),
                            int(m.group(3) or 0))
        return None

    def boot_problem(self, result):
        """Why the run as a whole failed apart from test verdicts, or None.
        @result is a qemu.Result."""
        if result.timed_out or result.interrupted:
            return result.verdict
        if result.status == 5:
            return "kernel panic"
        if self.summary is None:
            return "no selftest summary (%s)" % result.verdict
        if self.summary != (len(self.passed), len(self.failed),
                            len(self.skipped)):
            return ("kernel summary %d passed, %d failed, %d skipped "
                    "disagrees with the TEST lines" % self.summary)
        if not self.passed and not self.failed:
            return "no selftest matched"
        if not self.failed and result.status != 1:
            return "all tests passed but %s" % result.verdict
        return None
