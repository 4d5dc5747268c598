// Turns a block into a JavaScript function with new Function: the source from block-source.ts, the
// block's Instr objects, their handlers, its code page and the codegen helpers bound as closure values.
import { HELPERS } from '../codegen/handler-codegen.js';
import { blockSource, factorySource } from './block-source.js';
import type { Block, BlockFunction } from './block.js';

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
