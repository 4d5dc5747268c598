// Builds the strategy object a vCPU runs under, by name. Each strategy lives in its own module; this
// is the one place that knows them all.
import { HwStrategy } from './hw-strategy.js';
import { BtStrategy } from './bt/bt-strategy.js';
import { PvStrategy } from './pv/pv-strategy.js';
import type { StrategyDeps, StrategyName, VmStrategy } from './strategy.js';

/** The strategy named name for one vCPU; throws a clear error for a strategy this build lacks. */
export function createStrategy(name: StrategyName, deps: StrategyDeps): VmStrategy {
  switch (name) {
    case 'hw': return new HwStrategy(deps);
    case 'bt': return new BtStrategy(deps);
    case 'pv': return new PvStrategy(deps);
    default: throw new Error(`strategy "${name}" is not available in this build (available: hw)`);
  }
}
