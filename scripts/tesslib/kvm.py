"""TCG or KVM?  Decided by a timing probe that touches guest memory.

Opening /dev/kvm is not enough: some hosts expose a paravirtualized KVM
under which a guest that touches memory runs hundreds of times slower than
under TCG.  So the probe boots the kernel twice with `selftest=
probe_memtouch` (a selftest that memsets 64 MiB), once under TCG and once
under KVM with a timeout of a few times the TCG time, and picks KVM only
if it finished and took less than half the TCG time.  The answer is cached
in build/kvm-probe.json, keyed by the kernel's size and mtime and the QEMU
binary, so each new kernel build is probed once.

Order of precedence: --kvm/--tcg, then $TESSERA_ACCEL (kvm|tcg), then the
cached or fresh probe.
"""
import fcntl
import json
import os
import re
import shutil

from . import paths, qemu

KVM_GET_API_VERSION = 0xAE00
PROBE_CMDLINE = "selftest=probe_memtouch"
MEMTOUCH_RE = re.compile(r"probe_memtouch: 64 MiB in (\d+) ms")


def kvm_usable():
    """(True, "") if /dev/kvm opens read-write and speaks API 12."""
    try:
        fd = os.open("/dev/kvm", os.O_RDWR | os.O_CLOEXEC)
    except OSError as e:
        return False, "/dev/kvm: %s" % e.strerror
    try:
        version = fcntl.ioctl(fd, KVM_GET_API_VERSION)
    except OSError as e:
        return False, "/dev/kvm: KVM_GET_API_VERSION: %s" % e.strerror
    finally:
        os.close(fd)
    if version != 12:
        return False, "/dev/kvm: API version %d, want 12" % version
    return True, ""


def _cache_key(kernel):
    st = os.stat(kernel)
    return {"kernel": os.path.abspath(kernel), "size": st.st_size,
            "mtime_ns": st.st_mtime_ns,
            "qemu": shutil.which(qemu.QEMU) or qemu.QEMU}


_last_verdict = [""]


def _timed_boot(kernel, kvm, timeout):
    """Boot the probe; return (seconds or None, guest-reported ms or None)."""
    argv = qemu.command(kernel, smp=1, mem="256M", kvm=kvm,
                        cmdline=PROBE_CMDLINE)
    log = paths.new_log_path("kvm-probe-%s" % ("kvm" if kvm else "tcg"))
    res = qemu.run(argv, timeout, log)
    _last_verdict[0] = res.verdict
    guest_ms = None
    for line in res.lines:
        m = MEMTOUCH_RE.search(line)
        if m:
            guest_ms = int(m.group(1))
    ok = res.exit_code == qemu.EXIT_OK and any(
        "TEST ok probe_memtouch" in line for line in res.lines)
    return (res.seconds if ok else None), guest_ms


def probe(kernel, verbose=False):
    """Run the timing probe now; return the result dict (also cached)."""
    usable, why = kvm_usable()
    out = {"key": _cache_key(kernel), "use_kvm": False}
    if not usable:
        out["reason"] = why
        return _store(out)
    tcg_s, tcg_ms = _timed_boot(kernel, False, 60)
    out.update(tcg_seconds=tcg_s, tcg_guest_ms=tcg_ms)
    if tcg_s is None:
        out["reason"] = ("probe inconclusive: the TCG run of %s did not pass"
                         % PROBE_CMDLINE)
        return _store(out)
    limit = max(3.0, min(30.0, 3 * tcg_s))
    kvm_s, kvm_ms = _timed_boot(kernel, True, limit)
    out.update(kvm_seconds=kvm_s, kvm_guest_ms=kvm_ms, kvm_limit=limit)
    if kvm_s is None:
        out["reason"] = ("KVM run did not pass within %.1f s (TCG: %.1f s; "
                         "KVM run: %s): slow or broken KVM"
                         % (limit, tcg_s, _last_verdict[0]))
    elif kvm_s >= 0.5 * tcg_s:
        out["reason"] = "KVM %.2f s is not clearly faster than TCG %.2f s" % (
            kvm_s, tcg_s)
    else:
        out["use_kvm"] = True
        out["reason"] = "KVM %.2f s vs TCG %.2f s" % (kvm_s, tcg_s)
    return _store(out)


def _store(result):
    os.makedirs(os.path.dirname(paths.KVM_PROBE_CACHE), exist_ok=True)
    tmp = paths.KVM_PROBE_CACHE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(result, f, indent=1, sort_keys=True)
        f.write("\n")
    os.replace(tmp, paths.KVM_PROBE_CACHE)
    return result


def cached(kernel):
    """The cached probe result for this kernel, or None."""
    try:
        with open(paths.KVM_PROBE_CACHE) as f:
            data = json.load(f)
    except (OSError, ValueError):
        return None
    return data if data.get("key") == _cache_key(kernel) else None


def decide(kernel, force=None):
    """Return (use_kvm, reason).  @force is "kvm", "tcg" or None."""
    if force:
        return force == "kvm", "--%s given" % force
    env = os.environ.get("TESSERA_ACCEL", "")
    if env in ("kvm", "tcg"):
        return env == "kvm", "TESSERA_ACCEL=%s" % env
    usable, why = kvm_usable()
    if not usable:
        return False, why
    result = cached(kernel) or probe(kernel)
    return result["use_kvm"], result["reason"]
