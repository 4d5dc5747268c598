// Register text the adapter shares with its tests: EFLAGS as hex plus named bits. The Registers scope
// itself is served by the inspection feature (src/adapter/inspect, engine/debug/inspect/registers.ts).
export { describeEflags } from '../../engine/debug/inspect/registers.js';
