// Disk images for the engine: the BlockDevice interface, an in-memory disk, a copy-on-write overlay.
export { SECTOR_SIZE, checkRange, sectorsOf, type BlockDevice } from './block-device.js';
export { MemoryDisk } from './memory-disk.js';
export { CowOverlay } from './cow-overlay.js';
