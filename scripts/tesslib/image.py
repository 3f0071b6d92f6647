"""Disk images and boot archives for the storage node.

image(): `tessera image DIR -o disk.img [--size SIZE]` builds an ext2 image
whose root holds DIR's tree, with mke2fs -t ext2 -d (e2fsprogs >= 1.43).
Default size: twice the tree's content plus 16 MiB, so tests have room to
write.  archive(): `--archive DIR|FILE.cpio` gives the kernel a cpio
"newc" archive as its first boot module (QEMU -initrd); a directory is
packed first with `cpio -o -H newc` into build/archives/.
"""
import os
import shutil
import subprocess
import tempfile

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


def parse_add(spec):
    """'HOST[:GUEST]' -> (host path, absolute guest path); the guest path
    defaults to /BASENAME.  ValueError if the host path does not exist."""
    host, sep, guest = spec.partition(":")
    if not os.path.exists(host):
        raise ValueError("--add %s: %s does not exist" % (spec, host))
    if not sep or not guest:
        guest = "/" + os.path.basename(os.path.normpath(host))
    if not guest.startswith("/"):
        guest = "/" + guest
    return host, os.path.normpath(guest)


def _debugfs_script(adds):
    """debugfs commands that copy every (host, guest) pair into an image:
    parent directories made, existing files replaced, directories
    copied recursively."""
    cmds, made = [], set()

    def mkdirs(path):
        parts = [p for p in path.split("/") if p]
        for i in range(1, len(parts) + 1):
            d = "/" + "/".join(parts[:i])
            if d not in made:
                made.add(d)
                cmds.append('mkdir "%s"' % d)

    def put(host, guest):
        if os.path.islink(host):
            mkdirs(os.path.dirname(guest))
            cmds.append('rm "%s"' % guest)
            cmds.append('symlink "%s" "%s"' % (guest, os.readlink(host)))
            return
        if os.path.isdir(host):
            mkdirs(guest)
            for name in sorted(os.listdir(host)):
                put(os.path.join(host, name), guest.rstrip("/") + "/" + name)
            return
        mkdirs(os.path.dirname(guest))
        cmds.append('rm "%s"' % guest)
        cmds.append('write "%s" "%s"' % (host, guest))
        cmds.append('sif "%s" mode 0%o' % (guest, os.stat(host).st_mode))

    for host, guest in adds:
        put(host, guest)
    return "\n".join(cmds) + "\n"


def add_files(img, adds):
    """Copy host files into the ext2 image @img (tessera run --add):
    @adds is a list of (host, guest) pairs from parse_add().  debugfs
    reports "already exists" for directories it is asked to make again
    and "file not found" for files it is asked to replace that are not
    there; those are expected, anything else fails."""
    script = _debugfs_script(adds)
    res = subprocess.run(["debugfs", "-w", "-f", "-", img],
                         input=script.encode(), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT)
    out = res.stdout.decode("utf-8", "replace").splitlines()
    bad = [line for line in out
           if not line.startswith(("debugfs", "Allocated inode"))
           and "already exists" not in line
           and "File not found by ext2_lookup" not in line]
    if res.returncode or bad:
        raise RuntimeError("debugfs on %s failed:\n%s" % (
            img, "\n".join(bad or out)))


def image_with(adds, out):
    """A fresh image @out holding just the files of @adds."""
    with tempfile.TemporaryDirectory() as tmp:
        for host, guest in adds:
            dest = os.path.join(tmp, guest.lstrip("/"))
            os.makedirs(os.path.dirname(dest), exist_ok=True)
            if os.path.isdir(host):
                shutil.copytree(host, dest, symlinks=True, dirs_exist_ok=True)
            else:
                shutil.copy2(host, dest)
        return image(tmp, out)
