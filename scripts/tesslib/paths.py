"""Where things live.  Every path is absolute and derived from this file's
location, so the tools work from any current directory."""
import os
import time

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BUILD = os.path.join(ROOT, os.environ.get("BUILD", "build"))
KERNEL = os.path.join(BUILD, "tessera.elf")
ISO = os.path.join(BUILD, "tessera.iso")
LOGS = os.path.join(BUILD, "logs")
KVM_PROBE_CACHE = os.path.join(BUILD, "kvm-probe.json")


def new_log_path(what):
    """A fresh, timestamped log file name under build/logs/."""
    os.makedirs(LOGS, exist_ok=True)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    return os.path.join(LOGS, "%s-%s-%d.log" % (stamp, what, os.getpid()))
