"""The `tessera` command line: argparse subcommands over tesslib.

Subcommands: boot, selftest (one node, or every node of a --topology),
cluster, run, kvm-probe, iso, image (one add_parser call and one handler
each in this file).
--disk IMG and --archive DIR|FILE.cpio go to the one node, or with
--topology to the storage node (the first with role storage or all).  Exit statuses of boot: 0 kernel exited OK, 1 kernel
reported failure, 2 kernel panic, 3 QEMU ended without isa-debug-exit,
124 timeout, 130 interrupted.
"""
import argparse
import json
import os
import signal
import sys

from . import (cluster, devices, image, iso, kvm, paths, qemu, run,
               runtopo, selftest)

DEFAULT_TIMEOUT = 120


def note(msg):
    print("tessera: %s" % msg, file=sys.stderr, flush=True)


def add_machine_args(p):
    p.add_argument("--smp", type=int, default=4, metavar="N",
                   help="number of CPUs (default 4)")
    p.add_argument("--mem", default="512M", metavar="SIZE",
                   help="guest RAM, QEMU syntax (default 512M)")
    accel = p.add_mutually_exclusive_group()
    accel.add_argument("--kvm", dest="accel", action="store_const",
                       const="kvm", help="use KVM (-enable-kvm -cpu host,-arch-capabilities)")
    accel.add_argument("--tcg", dest="accel", action="store_const",
                       const="tcg", help="use TCG (-cpu max)")
    p.add_argument("--iso", action="store_true",
                   help="boot the GRUB2 ISO (-cdrom) instead of -kernel")
    p.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT,
                   metavar="S", help="kill QEMU after S seconds (default %d)"
                   % DEFAULT_TIMEOUT)
    p.add_argument("--kernel", default=paths.KERNEL,
                   help="kernel ELF (default build/tessera.elf)")
    p.add_argument("--cpu", metavar="MODEL",
                   help="TCG CPU model instead of max (e.g. qemu64)")
    p.add_argument("--disk", metavar="IMG", help="attach a raw disk image "
                   "(with --topology: to the storage node)")
    p.add_argument("--archive", metavar="DIR|CPIO",
                   help="boot archive for the storage node: a directory "
                   "(packed with cpio -H newc) or a .cpio file (-initrd)")


def split_cmdline(words):
    if words and words[0] == "--":
        words = words[1:]
    return " ".join(words)


def boot_image(args, cmdline):
    """Return (image path, is_iso) for this boot, building an ISO if
    needed; exit with a message if the kernel is missing."""
    if not os.path.exists(args.kernel):
        note("%s does not exist: run `make` first" % args.kernel)
        sys.exit(3)
    if not args.iso:
        return args.kernel, False
    fresh = (os.path.exists(paths.ISO) and
             os.path.getmtime(paths.ISO) >= os.path.getmtime(args.kernel))
    if not cmdline and fresh and args.kernel == paths.KERNEL:
        return paths.ISO, True
    try:
        return iso.iso_for_cmdline(args.kernel, cmdline), True
    except RuntimeError as e:
        note(str(e))
        sys.exit(3)


def start(args, cmdline, what, echo, on_line=None, console=None):
    """Boot once with the chosen accelerator; return the qemu.Result.
    @console: a run.UserConsole to plug in as COM2."""
    image, is_iso = boot_image(args, cmdline)
    use_kvm, why = ((False, "--cpu given") if args.cpu else
                    kvm.decide(args.kernel, args.accel))
    extra, scratch = [], []
    if getattr(args, "test_devices", False):
        extra, scratch = devices.test_set()
    if args.disk:
        extra += devices.disk(args.disk)
    extra += archive_args(args)
    if console:
        extra += console.qemu_args()
    argv = qemu.command(image, smp=args.smp, mem=args.mem, kvm=use_kvm,
                        iso=is_iso, cmdline=cmdline, cpu=args.cpu,
                        extra=extra)
    log = paths.new_log_path(what)
    note("%s (%s); log %s" % ("KVM" if use_kvm else "TCG", why,
                              os.path.relpath(log)))
    try:
        return qemu.run(argv, args.timeout, log, echo=echo, on_line=on_line,
                        console=console)
    finally:
        for f in scratch:
            os.unlink(f)


def archive_args(args):
    """QEMU arguments for --archive (exits with a message if bad)."""
    if not getattr(args, "archive", None):
        return []
    try:
        return ["-initrd", image.archive(args.archive)]
    except (RuntimeError, OSError) as e:
        note(str(e))
        sys.exit(3)


def storage_extra(args, roles):
    """{node index: QEMU arguments} for --disk/--archive in a cluster."""
    extra = (devices.disk(args.disk) if args.disk else []) + \
        archive_args(args)
    if not extra:
        return {}
    for i, role in enumerate(roles):
        if role in ("storage", "all"):
            return {i: extra}
    note("--disk/--archive: the topology has no storage node")
    sys.exit(3)


def cmd_boot(args):
    res = start(args, split_cmdline(args.cmdline), "boot", echo=True)
    if res.timed_out:
        note("timeout: QEMU killed after %g s (use --timeout)" % args.timeout)
    else:
        note("%s (%.1f s)" % (res.verdict, res.seconds))
    return res.exit_code


def cluster_setup(args):
    """(roles, use_kvm) for a cluster run, or exit with a message."""
    try:
        roles = cluster.parse_topology(args.topology)
    except ValueError as e:
        note(str(e))
        sys.exit(3)
    if args.iso:
        note("--iso is not supported with --topology")
        sys.exit(3)
    if not os.path.exists(args.kernel):
        note("%s does not exist: run `make` first" % args.kernel)
        sys.exit(3)
    use_kvm, why = ((False, "--cpu given") if args.cpu else
                    kvm.decide(args.kernel, args.accel))
    note("%d node(s): %s; %s (%s); logs in %s" % (
        len(roles), ",".join(roles), "KVM" if use_kvm else "TCG", why,
        os.path.relpath(paths.LOGS)))
    return roles, use_kvm


def run_cluster(args, roles, use_kvm, cmdline, what, echo, on_line=None):
    results, hub = cluster.run(
        args.kernel, roles, smp=args.smp, mem=args.mem, kvm=use_kvm,
        cpu=args.cpu, extra=cmdline, timeout=args.timeout, what=what,
        echo=echo, on_line=on_line, drop=getattr(args, "drop", 0.0),
        seed=getattr(args, "seed", 1), pcap=getattr(args, "pcap", None),
        node_extra=storage_extra(args, roles))
    for i, res in enumerate(results):
        note("node %d: %s (%.1f s); log %s" % (
            i, res.verdict, res.seconds, os.path.relpath(res.log)))
    note("segment: %d frames relayed, %d dropped" % (hub["frames"],
                                                      hub["dropped"]))
    return results


def cmd_cluster(args):
    roles, use_kvm = cluster_setup(args)
    results = run_cluster(args, roles, use_kvm, split_cmdline(args.cmdline),
                          "cluster", echo=True)
    return max(r.exit_code for r in results)


def cmd_cluster_selftest(args):
    roles, use_kvm = cluster_setup(args)
    reports = [selftest.Report() for _ in roles]

    def show(i, line):
        text = reports[i].feed(line)
        if text:
            print("%s [node %d]" % (text, i), flush=True)

    cmdline = "selftest=%s" % args.glob
    extra = split_cmdline(args.cmdline)
    if extra:
        cmdline += " " + extra
    results = run_cluster(args, roles, use_kvm, cmdline, "selftest",
                          echo=False, on_line=show)
    passed = sum(len(r.passed) for r in reports)
    skipped = sum(len(r.skipped) for r in reports)
    failed = sum(len(r.failed) for r in reports)
    for i, (rep, res) in enumerate(zip(reports, results)):
        problem = rep.boot_problem(res)
        if problem:
            failed += 1
            print("TEST FAIL <boot> [node %d]: %s" % (i, problem))
            print("--- last lines of %s ---" % os.path.relpath(res.log))
            for line in res.lines[-30:]:
                print("    " + line)
    print("%d passed, %d failed, %d skipped" % (passed, failed, skipped),
          flush=True)
    return 0 if not failed else 1


def cmd_selftest(args):
    if args.topology:
        return cmd_cluster_selftest(args)
    report = selftest.Report()

    def show(line):
        text = report.feed(line)
        if text:
            print(text, flush=True)

    cmdline = "selftest=%s" % args.glob
    extra = split_cmdline(args.cmdline)
    if extra:
        cmdline += " " + extra
    res = start(args, cmdline, "selftest", echo=False, on_line=show)
    problem = report.boot_problem(res)
    failed = len(report.failed)
    if problem:
        failed += 1
        print("TEST FAIL <boot>: %s" % problem)
        print("--- last lines of %s ---" % os.path.relpath(res.log))
        for line in res.lines[-40:]:
            print("    " + line)
    print("%d passed, %d failed, %d skipped" % (
        len(report.passed), failed, len(report.skipped)), flush=True)
    if not failed:
        return 0
    return res.exit_code if res.exit_code not in (qemu.EXIT_OK,) else 1


def cmd_kvm_probe(args):
    if not os.path.exists(args.kernel):
        note("%s does not exist: run `make` first" % args.kernel)
        return 3
    result = kvm.cached(args.kernel) if args.cached else None
    result = result or kvm.probe(args.kernel)
    print(json.dumps(result, indent=1, sort_keys=True))
    return 0


def cmd_iso(args):
    try:
        iso.make_iso(args.kernel, args.output, split_cmdline(args.cmdline))
    except RuntimeError as e:
        note(str(e))
        return 1
    return 0


BUILTIN = os.path.join(paths.BUILD, "usr", "abi")


def builtin_adds():
    """(host, /bin/NAME) for every test program in build/usr/abi: the
    ones built into the kernel (what role=all runs from memory) and the
    glibc/musl builds of usr/tests (g_t_*, m_t_*), which live on disks."""
    if not os.path.isdir(BUILTIN):
        return []
    return [(os.path.join(BUILTIN, n), "/bin/" + n)
            for n in sorted(os.listdir(BUILTIN))
            if os.path.isfile(os.path.join(BUILTIN, n))]


def has_storage_node(args):
    roles = cluster.parse_topology(args.topology)
    return len(roles) > 1 and "storage" in roles


def prepare_run_disk(args):
    """--add HOST[:GUEST]: copy host files into --disk (in place), or
    into a fresh image under build/run/ when no disk was given; returns
    that fresh image's path (the caller deletes it) or None.  With
    neither --disk, --archive nor --add on a topology with a storage
    node, the fresh image holds the kernel's built-in programs in /bin,
    so /bin/t_basic & co. run there as on role=all."""
    adds = [image.parse_add(a) for a in args.add or []]
    if not adds and not args.disk and not args.archive and \
            has_storage_node(args):
        adds = builtin_adds()
    if not adds:
        return None
    if args.disk:
        image.add_files(args.disk, adds)
        return None
    if args.archive:
        raise ValueError("--add needs --disk (or neither): the boot "
                         "archive is read-only")
    d = os.path.join(paths.BUILD, "run")
    os.makedirs(d, exist_ok=True)
    args.disk = os.path.join(d, "root-%d.img" % os.getpid())
    image.image_with(adds, args.disk)
    return args.disk


def cmd_run(args):
    words = args.program
    if words and words[0] == "--":
        words = words[1:]
    if not words:
        note("run: no PROGRAM given (tessera run [options] -- PROGRAM ARGS)")
        return 3
    try:
        cmdline = run.init_param(words[0], words[1:])
    except ValueError as e:
        note("run: %s" % e)
        return 3
    try:
        fresh = prepare_run_disk(args)
    except (RuntimeError, ValueError, OSError) as e:
        note("run: %s" % e)
        return 3
    try:
        return run_program(args, words, cmdline)
    finally:
        if fresh:
            os.unlink(fresh)


def run_program(args, words, cmdline):
    """Boot, relay, and turn the kernel's report into an exit code."""
    if args.pcache:
        cmdline += " pcache=%s" % args.pcache
    if args.strace:
        cmdline += " strace=1"
    if args.topology.strip().lower() != "all":
        disk = devices.disk(args.disk) if args.disk else []
        return runtopo.main(args, words, cmdline, disk + archive_args(args),
                            note)
    if args.p2m:
        cmdline += " abi.p2m=1"
    console = run.UserConsole()
    relay = run.relay_to_stdout(console)
    try:
        res = start(args, cmdline, "run", echo=False, on_line=relay.line,
                    console=console)
    finally:
        console.close()
    if relay.failed:
        note("run: the kernel could not start %s (see %s)" % (
            words[0], res.log))
        return 127
    code = relay.exit_code()
    if code is None:
        note("run: no exit status from the kernel: %s (%.1f s); log %s" % (
            "timeout" if res.timed_out else res.verdict, res.seconds, res.log))
        return 124 if res.timed_out else 3
    return code


def cmd_image(args):
    try:
        size = image.parse_size(args.size) if args.size else None
        size = image.image(args.dir, args.output, size)
    except (RuntimeError, ValueError, OSError) as e:
        note(str(e))
        return 1
    note("%s: ext2, %d MiB, from %s" % (args.output, size >> 20, args.dir))
    return 0


def parser():
    p = argparse.ArgumentParser(
        prog="tessera", description="Boot and test the Tessera kernel in QEMU.")
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    b = sub.add_parser("boot", help="boot the kernel, serial on the terminal",
                       description="Boot build/tessera.elf (or the ISO). "
                       "Exit status: 0 ok, 1 fail, 2 panic, 3 no "
                       "isa-debug-exit, 124 timeout.")
    add_machine_args(b)
    b.add_argument("cmdline", nargs=argparse.REMAINDER,
                   help="-- KERNEL-CMDLINE...")
    b.set_defaults(fn=cmd_boot)

    s = sub.add_parser("selftest", help="run in-kernel selftests",
                       description="Boot with selftest=GLOB and report "
                       "every test; exit 0 only if all passed.")
    add_machine_args(s)
    s.add_argument("--no-test-devices", dest="test_devices",
                   action="store_false",
                   help="do not attach the selftest NICs and disks")
    s.add_argument("--topology", metavar="ROLES",
                   help="one QEMU per role on a private segment, e.g. "
                   "p,m,s; every node runs the selftests")
    s.add_argument("--drop", type=float, default=0.0, metavar="P",
                   help="with --topology: the hub drops each frame with "
                   "probability P")
    s.add_argument("--seed", type=int, default=1, help="seed for --drop")
    s.add_argument("--pcap", metavar="FILE",
                   help="with --topology: record every frame on the segment")
    s.add_argument("glob", nargs="?", default="*",
                   help="which selftests: a glob, or several "
                   "separated by commas (default '*')")
    s.add_argument("cmdline", nargs=argparse.REMAINDER,
                   help="-- more kernel parameters")
    s.set_defaults(fn=cmd_selftest)

    c = sub.add_parser("cluster", help="boot one QEMU per node on one "
                       "private Ethernet segment",
                       description="Boot node=I nodes=N role=R in one QEMU "
                       "per role of --topology, joined by a hub on unix "
                       "sockets; serial lines prefixed nI|, one log per "
                       "node.  Exit status: the worst node's.")
    add_machine_args(c)
    c.set_defaults(smp=2)
    c.add_argument("--topology", default="p,m,s", metavar="ROLES",
                   help="comma list of p, m, s, all (default p,m,s)")
    c.add_argument("--pcap", metavar="FILE",
                   help="record every frame on the segment")
    c.add_argument("--drop", type=float, default=0.0, metavar="P",
                   help="hub drops each frame with probability P (tests)")
    c.add_argument("--seed", type=int, default=1, help="seed for --drop")
    c.add_argument("cmdline", nargs=argparse.REMAINDER,
                   help="-- more kernel parameters for every node")
    c.set_defaults(fn=cmd_cluster)

    k = sub.add_parser("kvm-probe", help="time KVM against TCG and cache "
                       "the answer in build/kvm-probe.json")
    k.add_argument("--kernel", default=paths.KERNEL)
    k.add_argument("--cached", action="store_true",
                   help="print the cached answer if it is current")
    k.set_defaults(fn=cmd_kvm_probe)

    r = sub.add_parser("run", help="run a user program on Tessera",
                       description="Boot the topology, run PROGRAM with "
                       "ARGS as the first user process, relay its stdin, "
                       "stdout and stderr, and exit with its status "
                       "(128+signal if killed).  PROGRAM is a path in the "
                       "storage node's file system (--disk, --add, "
                       "--archive; with none of them, an image of the "
                       "test programs of build/usr/abi: /bin/t_*, /bin/g_*, "
                       "/bin/g_t_*, ...).")
    add_machine_args(r)
    r.set_defaults(timeout=60)
    r.add_argument("--topology", default="p,m,s", metavar="ROLES",
                   help="one QEMU per role of a list (default p,m,s: the "
                   "program on the p node, its memory on m through P2M, "
                   "its files on s; p,m: m serves files too), or 'all': "
                   "one node with every role")
    r.add_argument("--add", action="append", metavar="HOST[:GUEST]",
                   help="copy a host file or directory into the disk "
                   "image first (GUEST defaults to /BASENAME; without "
                   "--disk a fresh image holds just these)")
    r.add_argument("--pcache", metavar="SIZE",
                   help="processor cache size (pcache=SIZE[,WAYS])")
    r.add_argument("--strace", action="store_true",
                   help="boot with strace=1 (calls go to the log)")
    r.add_argument("--p2m", action="store_true",
                   help="with --topology all: address spaces on the "
                   "memory role through P2M and the pcache (abi.p2m=1; "
                   "always so with more than one node)")
    r.add_argument("program", nargs=argparse.REMAINDER,
                   help="-- PROGRAM ARGS...")
    r.set_defaults(fn=cmd_run)

    i = sub.add_parser("iso", help="make a GRUB2 ISO with a kernel "
                       "command line")
    i.add_argument("--kernel", default=paths.KERNEL)
    i.add_argument("-o", "--output", default=paths.ISO)
    i.add_argument("cmdline", nargs=argparse.REMAINDER,
                   help="-- KERNEL-CMDLINE...")
    i.set_defaults(fn=cmd_iso)

    m = sub.add_parser("image", help="build an ext2 disk image from a "
                       "directory (mke2fs -t ext2 -d)")
    m.add_argument("dir", help="directory whose tree becomes the root")
    m.add_argument("-o", "--output", required=True, help="image file")
    m.add_argument("--size", help="image size, e.g. 64M (default: twice "
                   "the content plus 16 MiB)")
    m.set_defaults(fn=cmd_image)
    return p


def main(argv=None):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    args = parser().parse_args(argv)
    return args.fn(args)
