// Turns a block (block-source.ts) or a region (region-source.ts) into a JavaScript function with new
// Function, binding its Instr objects, their handlers, its code page and the helpers as closure values.
import { HELPERS } from '../codegen/handler-codegen.js';
import { blockSource, factorySource } from './block-source.js';
import type { Block, BlockFunction } from './block.js';
import type { Region, RegionFunction } from './region.js';
import { regionFactorySource, regionSource } from './region-source.js';
import { carryOf, overflowOf, PARITY } from '../flags.js';

/** Helpers region code calls (H): the block helpers and the flag functions over values. */
const REGION_HELPERS = { ...HELPERS, carryOf, overflowOf, PARITY };

/** Statistics of compiled code (for the bench and docs). */
export const compileStats = { blocks: 0, instructions: 0, inlined: 0, deadFlags: 0 };

/** Observers of generated source (the safety fuzz test, dumps); empty in normal runs. */
export const sourceObservers: Array<(source: string) => void> = [];

type BlockFactory = (I: unknown[], X: unknown[], P: unknown, H: typeof HELPERS) => BlockFunction;

/** Compiles block and returns its function (also stored in block.run). */
export function compileBlock(block: Block): BlockFunction {
  const source = blockSource(block);
  const text = factorySource(block, source.body);
  for (const observe of sourceObservers) observe(text);
  // eslint-disable-next-line no-new-func
  const factory = new Function('I', 'X', 'P', 'H', text) as BlockFactory;
  const run = factory(block.instrs, block.instrs.map((i) => i.exec), block.page, HELPERS);
  block.run = run;
  compileStats.blocks++;
  compileStats.instructions += block.count;
  compileStats.inlined += source.inlined;
  compileStats.deadFlags += source.deadFlags;
  return run;
}

/** Statistics of compiled regions. */
export const regionStats = { regions: 0, blocks: 0, inlined: 0 };

type RegionFactory = (I: unknown[], X: unknown[], P: unknown, H: unknown, BL: unknown[], IX: Int16Array, CPU: unknown, T0: unknown) => RegionFunction;

/**
 * Longest region source, in characters. V8 does not optimise functions past a bytecode size (about
 * 60 KB), and a region left to its bytecode interpreter runs slower than blocks; measured: regions of
 * 80 K characters optimise, 190 K do not.
 */
const MAX_REGION_SOURCE = 40_000;

/** Compiles region for cpu (its direct-access helpers bind the CPU's memory) and returns the region
 *  compiled: region itself, or a smaller one (its first blocks) when its source was too long. */
export function compileRegion(region: Region, cpu: unknown, translator: unknown): Region {
  let source = regionSource(region);
  let text = regionFactorySource(region, source);
  while (text.length > MAX_REGION_SOURCE && region.blocks.length > 1) {
    region = region.withBlocks(Math.max(1, Math.floor(region.blocks.length * Math.min(0.9, MAX_REGION_SOURCE / text.length))));
    source = regionSource(region);
    text = regionFactorySource(region, source);
  }
  for (const observe of sourceObservers) observe(text);
  // eslint-disable-next-line no-new-func
  const factory = new Function('I', 'X', 'P', 'H', 'BL', 'IX', 'CPU', 'T0', text) as RegionFactory;
  region.run = factory(source.instrs, source.instrs.map((i) => i.exec), region.page, REGION_HELPERS,
    region.blocks, region.indexAt, cpu, translator);
  region.segments = source.segments;
  region.stack = source.stack;
  regionStats.regions++;
  regionStats.blocks += region.blocks.length;
  regionStats.inlined += source.inlined;
  return region;
}
