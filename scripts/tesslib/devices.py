"""Devices attached to a guest.

The `test` set gives selftests something to drive without any network or
host state: two virtio-net NICs joined by a QEMU hub (frames from one reach
the other and go nowhere else), a 64 MiB scratch disk (recreated for every
boot, so no run depends on an earlier one) and a small read-only disk.
Option ROMs are disabled: the kernel boots from -kernel, and iPXE would
only slow the boot.
"""
import os

from . import paths


def _scratch(name, size):
    path = os.path.join(paths.BUILD, "disks", "%s-%d.img" % (name, os.getpid()))
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.truncate(size)
    return path


def test_set():
    """QEMU arguments for the selftest device set, and files to remove."""
    rw = _scratch("scratch", 64 << 20)
    ro = _scratch("readonly", 1 << 20)
    argv = []
    for i in range(2):
        argv += ["-netdev", "hubport,id=hub%d,hubid=0" % i,
                 "-device", "virtio-net-pci,netdev=hub%d,romfile=,"
                 "mac=52:54:00:00:00:%02x" % (i, 0x10 + i)]
    argv += ["-drive", "file=%s,if=none,id=scratch,format=raw" % rw,
             "-device", "virtio-blk-pci,drive=scratch",
             "-drive", "file=%s,if=none,id=ro,format=raw,readonly=on" % ro,
             "-device", "virtio-blk-pci,drive=ro"]
    return argv, [rw, ro]


def disk(path, readonly=False):
    """QEMU arguments attaching a user's disk image."""
    ro = ",readonly=on" if readonly else ""
    return ["-drive", "file=%s,if=none,id=disk0,format=raw%s" % (path, ro),
            "-device", "virtio-blk-pci,drive=disk0"]
