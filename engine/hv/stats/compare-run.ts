// Runs one guest under each strategy with statistics and output capture attached, and builds the
// comparison model. The host supplies how a VM is made and run (the CLI: its boot loaders and slice loop).
import { buildComparison, type ComparisonInput, type StrategyComparison } from './compare.js';
import { VmStatistics, type EventSource } from './vm-statistics.js';

/** What a comparison needs of a VM (an engine Vm satisfies it). */
export interface ComparableVm extends EventSource {
  readonly instructions: number;
  onOutput: { event(listener: (o: { bytes: Uint8Array }) => void): () => void };
}

export interface CompareHost<V extends ComparableVm> {
  /** A VM with the kernel loaded under the strategy, or why the strategy refuses the kernel. */
  prepare(strategy: string): V | { refused: string };
  /** Runs it to its stop (the host enforces the instruction bound and time limit); the stop in words. */
  run(vm: V): Promise<string>;
}

/** Runs the kernel under every strategy in order, each on a fresh VM; never stops at a refusal. */
export async function compareStrategies<V extends ComparableVm>(kernel: string, strategies: readonly string[], host: CompareHost<V>,
  maxInstructions?: number): Promise<{ model: StrategyComparison; results: ComparisonInput[] }> {
  const results: ComparisonInput[] = [];
  for (const strategy of strategies) {
    const vm = host.prepare(strategy);
    if ('refused' in vm) { results.push({ ok: false, strategy, why: vm.refused }); continue; }
    const stats = new VmStatistics(strategy);
    const stopStats = stats.observe(vm);
    let output = '';
    const stopOutput = vm.onOutput.event((o) => { for (const b of o.bytes) output += String.fromCharCode(b); });
    try {
      const stop = await host.run(vm);
      results.push({ ok: true, run: { strategy, stats, instructions: vm.instructions, stop, output } });
    } finally {
      stopStats();
      stopOutput();
    }
  }
  return { model: buildComparison(kernel, results, maxInstructions), results };
}
