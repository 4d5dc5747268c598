// The two engine pairs the bench compares, each at its own ITERS: the JIT pair (hvdbg translator vs
// v86 JIT, QEMU TCG, the trace run) and the interpreter pair (hvdbg --no-translate vs v86 --no-jit).

/**
 * Groups the engines (from defineEngines) into pairs. A pair's reference is the engine whose window
 * sizes it (v86; the JIT pair falls back to hvdbg's translator when v86 JIT is left out); members are
 * in the order of the first round, reference first, so a size the calibration got wrong shows at
 * once. calibrationIters: the size of the one reference run that estimates ITERS.
 */
export function definePairs(engines) {
  const byId = new Map(engines.map((e) => [e.id, e]));
  const pick = (ids) => ids.map((id) => byId.get(id)).filter(Boolean);
  const pairs = [
    {
      id: 'jit', label: 'JIT pair', members: pick(['v86-jit', 'hvdbg', 'qemu-tcg', 'hvdbg-trace']),
      reference: byId.get('v86-jit') ?? byId.get('hvdbg'),
      // At 100000 iterations the second half of v86's window is still warming up (805–1000 MIPS seen,
      // against ~1,100 warm), which would underestimate its speed and pick too small a size.
      calibrationIters: 200_000,
    },
    {
      id: 'interp', label: 'interpreter pair', members: pick(['v86', 'hvdbg-interp']),
      reference: byId.get('v86') ?? byId.get('hvdbg-interp'),
      calibrationIters: 50_000,
    },
  ];
  return pairs.filter((p) => p.members.length > 0 && p.reference);
}

/** The members of pair in the order of round (0-based): rotated by one each round. */
export function roundOrder(pair, round) {
  const n = pair.members.length;
  return pair.members.map((_, i) => pair.members[(i + round) % n]);
}
