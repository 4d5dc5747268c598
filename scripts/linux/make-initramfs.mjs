// Builds the Linux test initramfs (a gzip'd newc cpio archive) without a cpio tool: a static busybox
// and an /init script that prints the sentinel on /dev/console and reboots (which ends an hvdbg run).
// Usage: node scripts/linux/make-initramfs.mjs --busybox <busybox-static binary> --out <initramfs.cpio.gz>
import { readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const SENTINEL = 'HVDBG-LINUX-SENTINEL';

// `reboot -f` rather than `poweroff -f`: without an ACPI power-off method the kernel's power-off
// returns and init exits (a panic that never ends the run); a reboot reaches the 8042/0xCF9 reset.
export const INIT_SCRIPT = `#!/bin/busybox sh
echo ${SENTINEL} > /dev/console
/bin/busybox reboot -f
/bin/busybox poweroff -f
`;

const S_IFDIR = 0o040000, S_IFREG = 0o100000, S_IFLNK = 0o120000, S_IFCHR = 0o020000;

/** One archive member: a path without a leading slash, its mode (type and permissions), contents. */
function entry(name, mode, data = new Uint8Array(0), rdev = [0, 0]) {
  return { name, mode, data: typeof data === 'string' ? new TextEncoder().encode(data) : data, rdev };
}

/** The newc ("070701") archive of entries, with the TRAILER!!! record, padded to 4 bytes throughout. */
export function newcArchive(entries) {
  const chunks = [];
  let size = 0;
  const push = (bytes) => { chunks.push(bytes); size += bytes.length; };
  const pad = () => { if (size % 4) push(new Uint8Array(4 - (size % 4))); };
  const all = [...entries, entry('TRAILER!!!', 0)];
  all.forEach((e, index) => {
    const name = new TextEncoder().encode(e.name + '\0');
    const fields = [
      index + 1,                                  // c_ino
      e.mode, 0, 0,                               // c_mode, c_uid, c_gid
      (e.mode & 0o170000) === S_IFDIR ? 2 : 1,    // c_nlink
      0,                                          // c_mtime: fixed, so the archive is reproducible
      e.data.length,                              // c_filesize
      0, 0,                                       // c_devmajor, c_devminor
      e.rdev[0], e.rdev[1],                       // c_rdevmajor, c_rdevminor
      name.length,                                // c_namesize, NUL included
      0,                                          // c_check
    ];
    push(new TextEncoder().encode('070701' + fields.map((f) => f.toString(16).padStart(8, '0')).join('')));
    push(name);
    pad();
    push(e.data);
    pad();
  });
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) { out.set(c, at); at += c.length; }
  return out;
}

/** The members of the test initramfs around busybox. */
export function initramfsEntries(busybox) {
  return [
    entry('bin', S_IFDIR | 0o755),
    entry('bin/busybox', S_IFREG | 0o755, busybox),
    entry('bin/sh', S_IFLNK | 0o777, 'busybox'),
    entry('dev', S_IFDIR | 0o755),
    entry('dev/console', S_IFCHR | 0o600, new Uint8Array(0), [5, 1]),
    entry('proc', S_IFDIR | 0o755),
    entry('sys', S_IFDIR | 0o755),
    entry('init', S_IFREG | 0o755, INIT_SCRIPT),
  ];
}

function main(argv) {
  const value = (flag) => {
    const k = argv.indexOf(flag);
    if (k < 0 || k + 1 >= argv.length) throw new Error(`make-initramfs: missing ${flag} <path>`);
    return argv[k + 1];
  };
  const busybox = readFileSync(value('--busybox'));
  const archive = newcArchive(initramfsEntries(busybox));
  writeFileSync(value('--out'), gzipSync(archive, { level: 9 }));
}

if (import.meta.url === `file://${process.argv[1]}`) main(process.argv.slice(2));
