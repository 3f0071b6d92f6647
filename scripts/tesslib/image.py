"""Disk images and boot archives for the storage node.

image(): `tessera image DIR -o disk.img [--size SIZE]` builds an ext2 image
whose root holds DIR's tree, with mke2fs -t ext2 -d (e2fsprogs >= 1.43).
Default size: twice the tree's content plus 16 MiB, so tests have room to
write.  archive(): `--archive DIR|FILE.cpio` gives the kernel a cpio
"newc" archive as its first boot module (QEMU -initrd); a directory is
packed first with `cpio -o -H newc` into build/archives/.
"""
import os
import subprocess

from . import paths

MIB = 1 << 20


def parse_size(text):
    """'64M', '1G', '512K', '1048576' -> bytes; ValueError if bad."""
    t = text.strip().upper().rstrip("B")
    mult = {"K": 1 << 10, "M": MIB, "G": 1 << 30}.get(t[-1:], 1)
    if mult != 1:
        t = t[:-1]
    value = int(float(t) * mult)
    if value <= 0:
        raise ValueError("size must be positive: %r" % text)
    return value


def tree_bytes(root):
    """Bytes of content under @root (files, symlink targets, dirs)."""
    total = 0
    for d, dirs, files in os.walk(root):
        for name in dirs + files:
            st = os.lstat(os.path.join(d, name))
            total += max(st.st_size, 0)
    return total


def image(src, out, size=None):
    """Build the ext2 image @out from directory @src; return its size."""
    if not os.path.isdir(src):
        raise RuntimeError("%s is not a directory" % src)
    if size is None:
        size = 2 * tree_bytes(src) + 16 * MIB
    size = (size + 4095) // 4096 * 4096
    if os.path.exists(out):
        os.unlink(out)
    with open(out, "wb") as f:
        f.truncate(size)
    cmd = ["mke2fs", "-q", "-F", "-t", "ext2", "-d", src, out,
           "%dk" % (size // 1024)]
    res = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    if res.returncode:
        raise RuntimeError("%s failed:\n%s" % (" ".join(cmd),
                                               res.stdout.decode()))
    return size


def archive(src):
    """Path of a cpio newc archive for @src (a directory or a .cpio)."""
    if os.path.isfile(src):
        return src
    if not os.path.isdir(src):
        raise RuntimeError("--archive %s: no such file or directory" % src)
    d = os.path.join(paths.BUILD, "archives")
    os.makedirs(d, exist_ok=True)
    out = os.path.join(d, "archive-%d.cpio" % os.getpid())
    names = subprocess.run(["find", ".", "-mindepth", "1"], cwd=src,
                           stdout=subprocess.PIPE, check=True).stdout
    with open(out, "wb") as f:
        res = subprocess.run(["cpio", "-o", "-H", "newc", "--quiet"],
                             cwd=src, input=names, stdout=f,
                             stderr=subprocess.PIPE)
    if res.returncode:
        raise RuntimeError("cpio failed: %s" % res.stderr.decode())
    return out
