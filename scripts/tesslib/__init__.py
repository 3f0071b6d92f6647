"""tesslib — the Python side of scripts/tessera.

Modules:
  paths    where the tree, build outputs and logs live
  qemu     build a QEMU command line, run it with a timeout, tee the serial
           console to the terminal and to build/logs/, map exit statuses
  kvm      decide TCG or KVM with a cached memory-touching timing probe
  iso      make GRUB2 (multiboot2) ISOs with grub-mkrescue
  selftest parse the kernel's selftest lines and judge a run
  cli      the argparse front end (subcommands boot, selftest, kvm-probe)

Standard library only; Python 3.9+.
"""
