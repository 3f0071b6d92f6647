"""Several Tessera nodes, one QEMU each, on one private Ethernet segment.

The segment: QEMU 7.2 on Debian has no vde netdev, so every guest gets one
virtio-net NIC with `-netdev dgram` on a unix socket of its own, and a hub
in this process relays every frame it receives from one node's socket to
all the others (a repeater; the kernel filters by MAC).  Nothing leaves the
host: only unix sockets under build/.  A unix datagram socket holds only
net.unix.max_dgram_qlen (often 10) frames, so the hub keeps a queue per
node (a switch's port buffer, QUEUE_MAX frames) and retries while it is
not empty; the hub never blocks, and a frame that finds the port buffer
full is dropped, as a real switch would, and FIT's transport retransmits.  Optional seeded frame loss (`drop`) tests
exactly that, and `pcap` records every frame the hub relays.

Each node boots with `node=I nodes=N role=R` plus the caller's command
line; its serial console goes to build/logs/<stamp>-<what>-<pid>-nI.log.
A node whose kernel leaves with machine_exit(MACHINE_EXIT_RESTART) (QEMU
status 7) is booted again, same NIC and MAC, with `restarted=K` (K = 1, 2,
...) appended to its command line, at most MAX_RESTARTS times: tests of a
peer that reboots.  Its log continues in the same file.
All QEMUs have one deadline (then each gets a post-mortem NMI and
qemu.NMI_GRACE seconds to print it), and all are stopped on return, on an
exception, on Ctrl-C and on SIGTERM.  The run also ends early when
on_line returns True for a line (that node's Result says `stopped`), or
when the QEMU of the `leader` node ends (`tessera run`: the processor
node's program is done, the other nodes would serve forever).
A @console (run.UserConsole: the program's COM2, its qemu_args() already
in that node's @node_extra) belongs to node @console_node: it is
connected right after the QEMUs start, sees that node's serial lines,
is served by the same select loop, and is drained once every QEMU is
stopped (as qemu.run does for one guest); that node is not restarted
(its program's console would be gone).
"""
import collections
import os
import random
import select
import shutil
import signal
import socket
import struct
import subprocess
import time

from . import paths, qemu

QUEUE_MAX = 4096
RESTART_STATUS = 7      # machine_exit(MACHINE_EXIT_RESTART)
MAX_RESTARTS = 3

ROLES = {"p": "processor", "processor": "processor",
         "m": "memory", "memory": "memory",
         "s": "storage", "storage": "storage", "all": "all"}


def parse_topology(text):
    """'p,m,s' -> ['processor', 'memory', 'storage']; ValueError if bad."""
    roles = []
    for word in text.split(","):
        word = word.strip().lower()
        if word not in ROLES:
            raise ValueError("unknown role %r in topology %r (use p, m, s, "
                             "all or their long names)" % (word, text))
        roles.append(ROLES[word])
    if not roles or len(roles) > 64:
        raise ValueError("a topology has 1 to 64 nodes")
    return roles


class Hub:
    """The shared segment: unix datagram sockets and a repeater."""

    def __init__(self, nodes, drop=0.0, seed=1, pcap=None):
        self.dir = os.path.join(paths.BUILD, "cluster-%d" % os.getpid())
        shutil.rmtree(self.dir, ignore_errors=True)
        os.makedirs(self.dir)
        self.path = os.path.join(self.dir, "hub.sock")
        self.node_paths = [os.path.join(self.dir, "n%d.sock" % i)
                           for i in range(nodes)]
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.setblocking(False)
        for opt in (socket.SO_RCVBUF, socket.SO_SNDBUF):
            self.sock.setsockopt(socket.SOL_SOCKET, opt, 4 << 20)
        self.queues = {p: collections.deque() for p in self.node_paths}
        self.drop = drop
        self.rng = random.Random(seed)
        self.frames = self.dropped = 0
        self.pcap = None
        if pcap:
            self.pcap = open(pcap, "wb")
            # pcap global header: magic, v2.4, tz 0, sigfigs 0, snaplen, Ethernet
            self.pcap.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0,
                                        65535, 1))

    def netdev_args(self, i):
        """QEMU arguments for node @i's NIC."""
        return ["-netdev", "dgram,id=seg,local.type=unix,local.path=%s,"
                "remote.type=unix,remote.path=%s" % (self.node_paths[i],
                                                     self.path),
                "-device", "virtio-net-pci,netdev=seg,romfile=,host_mtu=9000,"
                "mac=52:54:00:12:34:%02x" % (0x10 + i)]

    def relay(self):
        """Move every frame waiting at the hub socket."""
        while True:
            try:
                frame, src = self.sock.recvfrom(65536)
            except BlockingIOError:
                return
            self.frames += 1
            if self.pcap:
                t = time.time()
                self.pcap.write(struct.pack("<IIII", int(t),
                                            int((t % 1) * 1e6), len(frame),
                                            len(frame)) + frame)
            if self.drop and self.rng.random() < self.drop:
                self.dropped += 1
                continue
            for dst in self.node_paths:
                if dst == src:
                    continue
                if len(self.queues[dst]) >= QUEUE_MAX:
                    self.dropped += 1
                else:
                    self.queues[dst].append(frame)
        self.flush()

    def flush(self):
        """Send what the nodes' sockets take now; True if frames wait."""
        waiting = False
        for dst, q in self.queues.items():
            while q:
                try:
                    self.sock.sendto(q[0], socket.MSG_DONTWAIT, dst)
                except BlockingIOError:
                    waiting = True
                    break
                except (FileNotFoundError, ConnectionRefusedError):
                    self.dropped += len(q)      # not up yet, or gone
                    q.clear()
                    break
                q.popleft()
        return waiting

    def close(self):
        self.sock.close()
        if self.pcap:
            self.pcap.close()
        shutil.rmtree(self.dir, ignore_errors=True)


class Node:
    """One guest: its QEMU process, serial log and parsed lines."""

    def __init__(self, index, role, argv, log_path):
        self.index, self.role, self.argv = index, role, argv
        self.result = qemu.Result()
        self.result.log = log_path
        self.log = open(log_path, "wb")
        self.log.write(("# %s\n" % " ".join(argv)).encode())
        self.proc = None
        self.pending = b""
        self.restarts = 0
        self.console = None     # run.UserConsole fed with our lines

    def restart(self):
        """Boot again with restarted=K appended to the kernel command line."""
        self.restarts += 1
        i = self.argv.index("-append")
        self.argv = (self.argv[:i + 1] +
                     ["%s restarted=%d" % (self.argv[i + 1], self.restarts)] +
                     self.argv[i + 2:])
        self.log.write(("# restart %d: %s\n" % (self.restarts,
                                                " ".join(self.argv))).encode())
        for arg in self.argv:           # the old QEMU's socket: bind anew
            for part in arg.split(","):
                if part.startswith("local.path="):
                    try:
                        os.unlink(part[len("local.path="):])
                    except FileNotFoundError:
                        pass
        qemu.remove_monitor(self.argv)
        self.pending = b""
        self.start()

    def start(self):
        self.proc = subprocess.Popen(
            self.argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, start_new_session=True)

    def read(self, echo, on_line):
        """Take what the guest printed; False at end of output."""
        chunk = os.read(self.proc.stdout.fileno(), 65536)
        if not chunk:
            if self.pending:
                self._line(self.pending, echo, on_line)
            return False
        self.log.write(chunk)
        self.log.flush()
        self.pending += chunk
        *done, self.pending = self.pending.split(b"\n")
        for raw in done:
            self._line(raw, echo, on_line)
        return True

    def _line(self, raw, echo, on_line):
        text = qemu.clean_line(raw.decode("utf-8", "replace"))
        self.result.lines.append(text)
        if self.console:
            self.console.log_line(text)
        if echo:
            print("n%d| %s" % (self.index, text), flush=True)
        if on_line and on_line(self.index, text):
            self.result.stopped = True

    def stop(self):
        if self.proc:
            qemu._stop(self.proc)
        qemu.remove_monitor(self.argv)
        self.log.close()


def node_cmdline(i, roles, extra):
    words = ["node=%d" % i, "nodes=%d" % len(roles), "role=%s" % roles[i]]
    return " ".join(words + ([extra] if extra else []))


def run(kernel, roles, smp=2, mem="512M", kvm=False, cpu=None, extra="",
        timeout=120.0, what="cluster", echo=False, on_line=None,
        drop=0.0, seed=1, pcap=None, node_extra=None, on_start=None,
        node_params=None, node_smp=None, leader=None, console=None,
        console_node=None):
    """Boot one QEMU per role, wait until all ended or @timeout; return
    ([qemu.Result per node], hub statistics dict).  @node_extra maps a
    node index to more QEMU arguments (a disk for the storage node),
    @node_params to more kernel parameters, @node_smp to its CPU count
    (default @smp); @on_start(nodes) is called once all QEMUs run (tests
    that kill one); the run ends when node @leader's QEMU ends;
    @console, @console_node: see the module comment."""
    hub = Hub(len(roles), drop=drop, seed=seed, pcap=pcap)
    old_term = signal.signal(signal.SIGTERM, _sigterm)
    stamp = time.strftime("%Y%m%d-%H%M%S")
    os.makedirs(paths.LOGS, exist_ok=True)
    nodes = []
    start = time.monotonic()
    try:
        for i, role in enumerate(roles):
            more = (node_params or {}).get(i)
            words = " ".join(w for w in (extra, more) if w)
            argv = qemu.command(kernel, smp=(node_smp or {}).get(i, smp),
                                mem=mem, kvm=kvm, cpu=cpu,
                                cmdline=node_cmdline(i, roles, words),
                                extra=hub.netdev_args(i) +
                                (node_extra or {}).get(i, []))
            log = os.path.join(paths.LOGS, "%s-%s-%d-n%d.log" % (
                stamp, what, os.getpid(), i))
            nodes.append(Node(i, role, argv, log))
        for n in nodes:
            n.start()
        deadline = time.monotonic() + timeout
        if console:
            nodes[console_node].console = console
            console.connect(nodes[console_node].proc, deadline)
        if on_start:
            on_start(nodes)
        _loop(hub, nodes, deadline, echo, on_line, leader, console)
    except KeyboardInterrupt:
        for n in nodes:
            n.result.interrupted = True
    finally:
        for n in nodes:
            n.stop()
        if console:
            console.drain()
        hub.close()
        signal.signal(signal.SIGTERM, old_term)
    for n in nodes:
        r = n.result
        if n.proc and not (r.timed_out or r.interrupted or r.stopped):
            r.status = n.proc.returncode
        r.seconds = r.seconds or time.monotonic() - start
    return [n.result for n in nodes], {"frames": hub.frames,
                                       "dropped": hub.dropped}


def _sigterm(signum, frame):
    """A TERM to the launcher stops the guests like Ctrl-C does."""
    raise KeyboardInterrupt


def _loop(hub, nodes, deadline, echo, on_line, leader=None, console=None):
    start = time.monotonic()
    live = {n.proc.stdout.fileno(): n for n in nodes}
    post_mortem = False
    while live:
        if any(n.result.stopped for n in nodes) or (
                leader is not None and
                leader not in (n.index for n in live.values())):
            for n in live.values():
                n.result.stopped = True     # ended by us, not by itself
            break
        left = deadline - time.monotonic()
        if left <= 0 and not post_mortem:
            # A hung node prints registers, backtraces and tasks on an NMI.
            post_mortem = True
            for n in live.values():
                n.result.timed_out = True
                n.log.write(b"\n# timed out: post-mortem NMI\n")
                qemu.inject_nmi(qemu._monitor_of(n.argv) or "")
            deadline = time.monotonic() + qemu.NMI_GRACE
            continue
        if left <= 0:
            break
        backlog = hub.flush()
        rd, wr = [hub.sock] + list(live), []
        if console:
            rd += console.read_fds()
            wr += console.write_fds()
        ready, writable, _ = select.select(
            rd, wr, [], min(left, 0.001 if backlog else 0.5))
        if console:
            console.serve(ready, writable)
        for fd in ready:
            if fd not in live and fd is not hub.sock:
                continue        # the console's, served above
            if fd is hub.sock:
                hub.relay()
            elif not live[fd].read(echo, on_line):
                n = live.pop(fd)
                n.proc.wait()
                if (n.proc.returncode == RESTART_STATUS and
                        n.restarts < MAX_RESTARTS and not n.console):
                    n.restart()
                    live[n.proc.stdout.fileno()] = n
                    continue
                n.result.seconds = time.monotonic() - start
