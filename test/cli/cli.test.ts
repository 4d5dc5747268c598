// `hvdbg run` end to end: spawns dist/cli.js on the committed example guests and on broken inputs,
// and checks the guest output, the summary, the --json line and the exit status a user sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildElf, multibootHeader, withHeader } from '../boot/elf-fixture.js';
import { jsonSummary, runCli, stderrLines } from './cli-process.js';

const HELLO = 'guests/hello/kernel.elf';

test('hello: greets on serial, prints its command line and memory, says Goodbye., halts with status 0', async () => {
  const r = await runCli(['run', HELLO, '--append', 'foo bar']);
  const out = r.stdout.toString('latin1');
  assert.ok(out.startsWith('Hello from hvdbg guest!\n'), `stdout starts with the greeting; got ${JSON.stringify(out.slice(0, 200))}\nstderr: ${r.stderr}`);
  assert.ok(out.includes(`cmdline: ${HELLO} foo bar\n`), 'the kernel sees "<kernel> <append>"');
  assert.ok(out.includes('memory: lower=639 KiB upper=64512 KiB\n'), 'mem_lower/mem_upper for 64 MiB');
  assert.ok(out.includes('  base=0x0000000000100000 length=0x0000000003f00000 type=1\n'), 'extended memory in the map');
  assert.ok(out.endsWith('Goodbye.\n'), `stdout ends with Goodbye.; got ${JSON.stringify(out.slice(-200))}`);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^hvdbg: guest halted with interrupts disabled at EIP 0x[0-9a-f]+$/m);
  assert.match(r.stderr, /^ +30 +I\/O instruction +\d+$/m, 'the exit table lists I/O instruction exits');
  assert.match(r.stderr, /^ +12 +HLT +1$/m, 'the exit table lists the HLT exit');
  assert.match(r.stderr, /^ +instructions +\d+$/m);
  assert.match(r.stderr, /^ +wall time +\d+\.\d{3} s \(\d+\.\d\d MIPS\)$/m);
});

test('hello --json: the last stderr line is the documented JSON summary', async () => {
  const r = await runCli(['run', HELLO, '--json', '--mem', '32M']);
  assert.equal(r.status, 0, r.stderr);
  const s = jsonSummary(r);
  assert.equal(s.kernel, HELLO);
  assert.equal(s.memoryBytes, 32 * 1024 * 1024);
  assert.equal(s.commandLine, HELLO);
  assert.equal(s.stop.kind, 'halted');
  assert.match(s.stop.message, /^guest halted/);
  assert.equal(s.exitStatus, 0);
  assert.ok(Number.isInteger(s.instructions) && s.instructions > 1000);
  assert.equal(typeof s.wallSeconds, 'number');
  assert.equal(typeof s.mips, 'number');
  assert.ok(s.exits.io > 0, 'I/O exits counted');
  assert.equal(s.exits.hlt, 1);
  assert.equal(s.exitsTotal, Object.values(s.exits as Record<string, number>).reduce((a, b) => a + b, 0));
  assert.equal(s.output.serial, r.stdout.length);
});

test('hello --stats: memory, entry point, loaded segments, symbols and exit rates', async () => {
  const r = await runCli(['run', HELLO, '--stats']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /^ +guest RAM +64 MiB$/m);
  assert.match(r.stderr, /^ +entry point +0x0010000c$/m);
  assert.match(r.stderr, /^ +loaded +0x00009000-0x000092ff +multiboot information$/m);
  assert.match(r.stderr, /^ +0x00100000-0x00[0-9a-f]{6} +segment 0 \(R-E\)$/m, 'the code segment at 1 MiB');
  assert.match(r.stderr, /^ +symbols +\d+$/m);
  assert.match(r.stderr, /per second +per M instr +share$/m);
});

test('exit-code: isa-debug-exit value 0x21 gives QEMU\'s exit status 67', async () => {
  const r = await runCli(['run', 'guests/exit-code/kernel.elf', '--json']);
  assert.ok(r.stdout.toString('latin1').startsWith('exit-code guest'), `stdout: ${JSON.stringify(r.stdout.toString('latin1'))}\nstderr: ${r.stderr}`);
  assert.equal(r.status, 67, r.stderr);
  const s = jsonSummary(r);
  assert.deepEqual({ kind: s.stop.kind, value: s.stop.value, status: s.stop.status }, { kind: 'debug-exit', value: 0x21, status: 67 });
  assert.equal(s.exitStatus, 67);
});

test('triple-fault: exit status 1 and the summary says triple fault', async () => {
  const r = await runCli(['run', 'guests/triple-fault/kernel.elf']);
  assert.ok(r.stdout.toString('latin1').startsWith('about to triple fault'), `stdout: ${JSON.stringify(r.stdout.toString('latin1'))}`);
  assert.equal(r.status, 1, r.stderr);
  assert.match(stderrLines(r)[0], /^hvdbg: guest crashed: .*triple fault/);
  assert.match(r.stderr, /^ +2 +triple fault +1$/m);
});

test('spin --max-instructions 100000: exit status 3 after exactly 100000 instructions', async () => {
  const r = await runCli(['run', 'guests/spin/kernel.elf', '--max-instructions', '100000', '--json']);
  assert.equal(r.status, 3, r.stderr);
  const s = jsonSummary(r);
  assert.deepEqual(s.stop, { kind: 'instruction-limit', limit: 100000, message: 'instruction limit of 100000 reached' });
  assert.equal(s.instructions, 100000);
  assert.ok(r.stdout.toString('latin1').startsWith('spinning'), `stdout: ${JSON.stringify(r.stdout.toString('latin1'))}`);
});

test('spin --timeout 1: exit status 3 after about one second', async () => {
  const r = await runCli(['run', 'guests/spin/kernel.elf', '--timeout', '1', '--json']);
  assert.equal(r.status, 3, r.stderr);
  const s = jsonSummary(r);
  assert.deepEqual(s.stop, { kind: 'timeout', seconds: 1, message: 'timeout after 1 s' });
  assert.ok(s.wallSeconds >= 1 && s.wallSeconds < 5, `wallSeconds ${s.wallSeconds}`);
  assert.ok(s.instructions > 100000, 'the guest kept running until the timeout');
});

/** A scratch directory with broken kernels. */
function badInputs(): Record<string, string> {
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-cli-'));
  const hello = readFileSync(HELLO);
  const write = (name: string, bytes: Uint8Array) => { const p = join(dir, name); writeFileSync(p, bytes); return p; };
  const elf64 = Buffer.from(hello); elf64[4] = 2;
  const arm = Buffer.from(hello); arm.writeUInt16LE(40, 18);
  const badSum = Buffer.from(hello); badSum.writeUInt32LE(0, 0x1008); // checksum of the header at file offset 0x1000
  const noHeader = Buffer.from(hello); noHeader.writeUInt32LE(0, 0x1000);
  mkdirSync(join(dir, 'a-directory'));
  return {
    dir,
    notElf: write('kernel.bin', Buffer.from([0x4D, 0x5A, 0x90, 0x00, 3, 0, 0, 0])),
    truncated: write('truncated.elf', hello.subarray(0, 0x60)),
    elf64: write('elf64.elf', elf64),
    arm: write('arm.elf', arm),
    badSum: write('badsum.elf', badSum),
    noHeader: write('noheader.elf', noHeader),
    directory: join(dir, 'a-directory'),
    missing: join(dir, 'missing.elf'),
  };
}

test('bad inputs: exit status 2 and one stderr line naming the file and the problem', async () => {
  const f = badInputs();
  const cases: Array<[string[], string]> = [
    [['run', f.notElf], `hvdbg: ${f.notElf}: not an ELF file (magic at offset 0 is 4d 5a 90 00)`],
    [['run', f.truncated], `hvdbg: ${f.truncated}: truncated ELF: program header 1 at offset 0x54 extends past end of file (size 0x60)`],
    [['run', f.elf64], `hvdbg: ${f.elf64}: 64-bit ELF (EI_CLASS=2) is not supported; build the kernel for 32-bit x86 (-m32)`],
    [['run', f.arm], `hvdbg: ${f.arm}: ELF machine 40 (ARM) is not x86 (EM_386 = 3)`],
    [['run', f.badSum], `hvdbg: ${f.badSum}: multiboot header at offset 0x1000 has a bad checksum: magic 0x1badb002 + flags 0x3 + checksum 0x0 = 0x1badb005, must be 0 (checksum should be 0xe4524ffb)`],
    [['run', f.noHeader], `hvdbg: ${f.noHeader}: no multiboot header (magic 0x1badb002 on a 4-byte boundary in the first 8192 bytes); is this a multiboot kernel?`],
    [['run', f.missing], `hvdbg: cannot read ${f.missing}: no such file or directory`],
    [['run', f.directory], `hvdbg: cannot read ${f.directory}: is a directory`],
    [['run', HELLO, '--mem', '12X'], "hvdbg run: --mem: '12X' is not a size (write bytes, or a whole number with K, M or G, e.g. 64M)"],
    [['run', HELLO, '--mem', '1M'], 'hvdbg run: --mem: 1M is too small (at least 2 MiB)'],
    [['run', HELLO, '--timeout', 'never'], "hvdbg run: --timeout: 'never' is not a number of seconds"],
    [['run', HELLO, '--max-instructions', '-5'], "hvdbg run: --max-instructions: '-5' is not a whole number"],
    [['run', HELLO, '--frobnicate'], "hvdbg run: unknown option '--frobnicate' (see hvdbg run --help)"],
    [['run'], 'hvdbg run: missing the kernel file (see hvdbg run --help)'],
    [['launch'], "hvdbg: unknown command 'launch' (see hvdbg --help)"],
  ];
  for (const [args, message] of cases) {
    const r = await runCli(args);
    assert.equal(r.status, 2, `${args.join(' ')}: status\n${r.stderr}`);
    assert.deepEqual(stderrLines(r), [message], args.join(' '));
    assert.equal(r.stdout.length, 0, `${args.join(' ')}: nothing on stdout`);
  }
});

test('a kernel that does not fit in guest RAM is refused with the RAM size', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'hvdbg-cli-'));
  const high = join(dir, 'high.elf');
  writeFileSync(high, buildElf({ segments: [{ paddr: 0x10000000, bytes: withHeader(multibootHeader(3)), memsz: 0x1000 }] }));
  const r = await runCli(['run', high, '--mem', '64M']);
  assert.equal(r.status, 2);
  assert.deepEqual(stderrLines(r), [`hvdbg: ${high}: segment 0 (p_paddr 0x10000000, p_memsz 0x1000) does not fit in guest RAM (64 MiB)`]);
});

test('help: hvdbg --help lists the commands, hvdbg run --help explains every option and exit status', async () => {
  const main = await runCli(['--help']);
  assert.equal(main.status, 0);
  for (const word of ['hvdbg run <kernel>', 'hvdbg dap', '--port', 'hvdbg help', '--version']) assert.ok(main.stdout.includes(word), word);
  const run = await runCli(['run', '--help']);
  assert.equal(run.status, 0);
  const text = run.stdout.toString();
  for (const word of ['--mem', '--append', '--timeout', '--max-instructions', '--stats', '--json', '--help']) assert.ok(text.includes(word), word);
  for (const status of ['\n  0 ', '\n  1 ', '\n  2 ', '\n  3 ', '\n  N ']) assert.ok(text.includes(status), `exit status ${status.trim()}`);
  assert.equal((await runCli(['help', 'run'])).stdout.toString(), text);
  const none = await runCli([]);
  assert.equal(none.status, 2, 'no command is a usage error');
  assert.match(none.stderr, /Usage:/);
});

test('hvdbg --version prints the package version', async () => {
  const r = await runCli(['--version']);
  assert.equal(r.status, 0);
  assert.equal(r.stdout.toString(), `hvdbg ${JSON.parse(readFileSync('package.json', 'utf8')).version}\n`);
});

test('hvdbg dap --help reaches the debug adapter', async () => {
  const r = await runCli(['dap', '--help'], 20_000);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.toString(), /--port/);
});
