// Help texts of the hvdbg command and its subcommands (docs/cli.md says the same at more length).

export const MAIN_HELP = `hvdbg — boot and debug 32-bit x86 guest kernels on the hvdbg emulator/hypervisor engine

Usage:
  hvdbg run <kernel> [options]   boot a multiboot kernel headless, print its output and a summary
  hvdbg compare <kernel> [--strategies hw,bt,pv]  run it under each strategy, VM events and cost side by side
  hvdbg dap [--port N]           serve the Debug Adapter Protocol (stdio, or TCP 127.0.0.1:N)
  hvdbg help [command]           show help for hvdbg or a command
  hvdbg --version                print the version

Run "hvdbg run --help" for the options of run. Documentation: docs/cli.md.
`;

export const RUN_HELP = `Usage: hvdbg run <kernel> [options]
       hvdbg run --disk FILE [options]   (no kernel: boot from the first disk, like a PC BIOS)

Boots <kernel>, a multiboot v1 ELF for 32-bit x86, in a new VM (by default the hw strategy: VT-x style VM exits).
The guest's serial (COM1) and debugcon (port 0xE9) output goes to stdout as raw bytes; when the
guest stops, a summary goes to stderr: why it stopped, instructions retired, wall time, MIPS and
VM exits per reason. Without <kernel>, sector 0 of the first --disk (which must end in 55 AA) runs
at 0000:7C00 in real mode with DL = 80h and the hvdbg BIOS services (INT 10h, 13h, 15h, 16h, 1Ah).

Options:
  -m, --mem SIZE             guest RAM: bytes, or a whole number with K, M or G (binary units),
                             e.g. 512K, 64M, 1G; a multiple of 4 KiB from 2M to 3840M (default 64M)
      --append TEXT          kernel command line: a multiboot kernel receives "<kernel> <TEXT>"
                             trimmed (QEMU's -append, minus its trailing space); a bzImage gets TEXT
      --initrd FILE[,...]    for a multiboot kernel, each FILE is a module (QEMU-style: "mod.bin args"
                             gives the module the string "mod.bin args"; ",," is a literal comma);
                             for a Linux bzImage, the initial ramdisk
      --disk FILE[,writable] a raw disk image on the primary IDE channel (first --disk is the master,
                             a second the slave). Read-only by default: the guest's writes stay in
                             memory and FILE is never changed; with ,writable they go to FILE at once
      --cpus N               number of vCPUs, 1 to 8 (default 1): CPU 0 boots the kernel, the others
                             wait for INIT + START-UP IPIs from its local APIC, as on a real PC
      --trace FILE           write every VM event of the run to FILE, one line each, in the .hvtrace
                             text format (docs/trace-format.md; VS Code colours it)
      --timeout SECONDS      stop after this much wall time (e.g. 10 or 2.5), checked between slices
      --max-instructions N   stop after exactly N retired instructions
      --strategy hw|bt|pv    how the guest is virtualized: hw (VT-x VM exits, KVM's controls; the
                             default), bt (binary translation), pv (paravirtual: kernels with Xen notes)
      --no-translate         run every instruction in the interpreter (no translated blocks): for
                             bisecting a translator bug and for the interpreter's benchmark
      --stats                more detail: memory, command line, loaded ranges, symbol count, output
                             bytes, the vCPU registers at the stop, per-reason exit rates, and the VM
                             events per kind/reason with first/last/top sites and modeled cost
      --audit                report each sensitive-unprivileged instruction the guest ran (POPF,
                             SGDT, PUSH CS …) and what trap-and-emulate would have got wrong
      --json                 print the summary as one JSON object on the last line of stderr
      --serial-in            send what is typed on stdin to COM1's receiver (the guest reads it)
      --screen               print the VGA text screen (80×25) on stderr when the run ends
      --clock virtual|realtime  guest timers (PIT, RTC, APIC) follow retired instructions, so runs
                             are reproducible (virtual, the default), or the host's wall clock
  -h, --help                 show this help

Exit status:
  0    the guest halted with interrupts off (cli; hlt) or shut down
  N    the guest wrote V to isa-debug-exit (port 0xF4): N = ((V << 1) | 1) & 0xFF, as in QEMU
  1    the guest triple-faulted
  2    bad input: bad option, unreadable file, a kernel that cannot be loaded, or a missing or
       short disk image
  3    --timeout or --max-instructions reached
  130  interrupted by Ctrl-C (SIGINT); 143 by SIGTERM; 141 when stdout was closed
`;
