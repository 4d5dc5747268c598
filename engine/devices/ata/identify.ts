// The 256-word IDENTIFY DEVICE block of an hvdbg disk (ATA/ATAPI-6 layout): geometry, model string,
// PIO capabilities, LBA28 and LBA48 capacities and the command sets the controller implements.

export const ATA_MODEL = 'hvdbg disk';
export const ATA_SERIAL = 'HVDBG0000000000';
export const ATA_FIRMWARE = '0.1';
/** Largest READ/WRITE MULTIPLE block (IDENTIFY word 47). */
export const MAX_MULTIPLE = 16;
/** Highest LBA28 sector count (words 60–61 saturate here for larger disks). */
export const LBA28_LIMIT = 0x0FFF_FFFF;

/** CHS geometry the drive reports and translates. */
export interface Geometry { cylinders: number; heads: number; sectors: number }

/** The default geometry of a disk of sectorCount sectors (16 heads, 63 sectors per track). */
export function defaultGeometry(sectorCount: number): Geometry {
  return { cylinders: Math.max(1, Math.min(16383, Math.floor(sectorCount / (16 * 63)))), heads: 16, sectors: 63 };
}

/** Writes text into words [first, first+words) as ATA strings do: space-padded, two chars a word, first char high. */
function putString(id: Uint16Array, first: number, words: number, text: string): void {
  const padded = text.padEnd(words * 2, ' ');
  for (let k = 0; k < words; k++) id[first + k] = (padded.charCodeAt(2 * k) << 8) | padded.charCodeAt(2 * k + 1);
}

/** Builds IDENTIFY DEVICE data as 512 little-endian bytes. */
export function identifyDevice(sectorCount: number, current: Geometry, multiple: number): Uint8Array {
  const id = new Uint16Array(256);
  const def = defaultGeometry(sectorCount);
  id[0] = 0x0040;                               // ATA device, fixed (not removable)
  id[1] = def.cylinders; id[3] = def.heads; id[6] = def.sectors;
  putString(id, 10, 10, ATA_SERIAL);
  putString(id, 23, 4, ATA_FIRMWARE);
  putString(id, 27, 20, ATA_MODEL);
  id[47] = 0x8000 | MAX_MULTIPLE;               // READ/WRITE MULTIPLE: up to 16 sectors per DRQ block
  id[49] = 0x0200;                              // LBA supported (no DMA)
  id[50] = 0x4000;
  id[51] = 0x0200;                              // PIO timing mode 2 (obsolete word)
  id[53] = 0x0003;                              // words 54–58 and 64–70 valid
  const chsCapacity = Math.min(current.cylinders * current.heads * current.sectors, sectorCount);
  id[54] = current.cylinders; id[55] = current.heads; id[56] = current.sectors;
  id[57] = chsCapacity & 0xFFFF; id[58] = (chsCapacity >>> 16) & 0xFFFF;
  id[59] = multiple ? 0x0100 | multiple : 0;    // current multiple setting valid
  const lba28 = Math.min(sectorCount, LBA28_LIMIT);
  id[60] = lba28 & 0xFFFF; id[61] = (lba28 >>> 16) & 0xFFFF;
  id[64] = 0x0003;                              // PIO modes 3 and 4
  id[65] = id[66] = id[67] = id[68] = 120;      // cycle times (ns)
  id[80] = 0x007E;                              // ATA-1 … ATA-6
  id[82] = 0x0000;
  id[83] = 0x4000 | 0x2000 | 0x1000 | 0x0400;   // FLUSH CACHE EXT, FLUSH CACHE, 48-bit address
  id[84] = 0x4000;
  id[85] = 0x0000;
  id[86] = 0x2000 | 0x1000 | 0x0400;            // the same, enabled
  id[87] = 0x4000;
  let rest = sectorCount;                       // words 100–103: LBA48 sector count
  for (let w = 100; w <= 103; w++) { id[w] = rest % 0x10000; rest = Math.floor(rest / 0x10000); }
  const bytes = new Uint8Array(512);
  for (let w = 0; w < 256; w++) { bytes[2 * w] = id[w] & 0xFF; bytes[2 * w + 1] = id[w] >>> 8; }
  return bytes;
}
