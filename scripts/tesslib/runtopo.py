"""`tessera run --topology ROLES` on more than one node: one QEMU per
node (tesslib.cluster), the program on the processor node, its memory on
the memory node, its files on the storage node.

Roles: exactly one node may run programs (p or all); there must be a
memory node (m or all).  Without a storage node (s or all) the first
memory node also serves files: `p,m` boots node 1 with role
memory,storage.  --disk and --archive go to the node that serves files.

Only the processor node gets the program: `init="PROGRAM ARGS"` plus
abi.p2m=1 (its address spaces live on the memory node, homed through P2M
over the RDMA transport, cached by its pcache).  Its init waits for FIT
discovery and for the memory and storage nodes, then execs PROGRAM
through P2M_EXECVE: the memory node reads the ELF from the storage node.
PROGRAM is a path in the storage node's file system (the kernel's
embedded programs are not used across nodes).  The processor node gets
--smp CPUs; the memory and storage nodes min(--smp, 2).  Every node
boots with fit.timeout_ms=10000: with three guests on a small host a
vCPU can stall for a second, and a FIT call that times out is an error
the program sees (transport loss is retransmitted underneath anyway).

The processor node's QEMU gets the program's console, COM2
(run.UserConsole), relayed exactly as a single-node run relays it: our
stdin to the program (then ^D at its end), the program's bytes to our
stdout, drained after the QEMUs are gone; COM1 keeps the kernel log.
The run ends when the processor node's kernel reports the program's exit
(or its QEMU ends: a panic, a triple fault); the other nodes are then
stopped.  Only the processor node's serial output is relayed (run.Relay);
every node has its log in build/logs/.
"""
import os

from . import cluster, kvm, run

SERVER_SMP_MAX = 2
FIT_TIMEOUT_MS = 10000


def plan(text):
    """(roles, processor index, file server index) for topology @text;
    ValueError if it cannot run a program."""
    roles = cluster.parse_topology(text)
    procs = [i for i, r in enumerate(roles) if r in ("processor", "all")]
    mems = [i for i, r in enumerate(roles) if r in ("memory", "all")]
    stors = [i for i, r in enumerate(roles) if r in ("storage", "all")]
    if len(procs) != 1:
        raise ValueError("topology %r: run needs exactly one node with role "
                         "p or all (it has %d)" % (text, len(procs)))
    if not mems:
        raise ValueError("topology %r has no memory node (m or all)" % text)
    if not stors:
        stors = [mems[0]]
        roles[mems[0]] = "memory,storage"
    return roles, procs[0], stors[0]


def main(args, words, params, storage_args, note):
    """Run PROGRAM (@words) on the cluster of args.topology; @params are
    the processor node's kernel parameters (init=..., strace=1),
    @storage_args the QEMU arguments of --disk/--archive.  Returns the
    exit status for the shell."""
    try:
        roles, proc, stor = plan(args.topology)
    except ValueError as e:
        note("run: %s" % e)
        return 3
    if args.iso:
        note("run: --iso is not supported with --topology")
        return 3
    if not os.path.exists(args.kernel):
        note("%s does not exist: run `make` first" % args.kernel)
        return 3
    use_kvm = False if args.cpu else kvm.decide(args.kernel, args.accel)[0]
    note("run: %s on node %d; %s; logs in build/logs" % (
        words[0], proc, ", ".join("n%d %s" % x for x in enumerate(roles))))
    console = run.UserConsole()
    relay = run.relay_to_stdout(console)

    def on_line(i, text):
        return i == proc and relay.line(text)

    small = min(args.smp, SERVER_SMP_MAX)
    node_extra = {stor: list(storage_args)}
    node_extra[proc] = node_extra.get(proc, []) + console.qemu_args()
    try:
        results, _ = cluster.run(
            args.kernel, roles, smp=small, mem=args.mem, kvm=use_kvm,
            cpu=args.cpu, extra="fit.timeout_ms=%d" % FIT_TIMEOUT_MS,
            timeout=args.timeout, what="run", on_line=on_line,
            node_extra=node_extra,
            node_params={proc: params + " abi.p2m=1"},
            node_smp={proc: args.smp}, leader=proc, console=console,
            console_node=proc)
    finally:
        console.close()
    return outcome(results, proc, relay, words[0], note)


def outcome(results, proc, relay, program, note):
    """The exit status, with a note for anything that went wrong."""
    res = results[proc]
    for i, r in enumerate(results):
        if i != proc and not r.stopped:     # it ended before the program
            note("run: node %d: %s; log %s" % (i, r.verdict,
                                               os.path.relpath(r.log)))
    if relay.failed:
        why = [l for l in res.lines if run.START_FAIL.search(l)]
        note("run: the processor node could not start %s: %s (log %s)" % (
            program, why[-1].split("tessera: ")[-1] if why else "?",
            os.path.relpath(res.log)))
        return 127
    code = relay.exit_code()
    if code is None:
        note("run: no exit status from the processor node: %s (%.1f s); "
             "log %s" % (res.verdict, res.seconds, res.log))
        return 124 if res.timed_out else 130 if res.interrupted else 3
    return code
