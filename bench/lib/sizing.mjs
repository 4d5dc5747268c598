// How many iterations each engine pair runs: the size ladder, the guest's instructions per iteration
// (from two small hvdbg runs), and the extrapolation from one calibration run of the pair's reference.

/** The sizes a pair may run, smallest first (100000 and 1000000 have published checksums). */
export const ITERS_LADDER = [50_000, 100_000, 200_000, 500_000, 1_000_000];

/**
 * The guest's instructions per iteration and outside the loop, from two runs that differ only in
 * ITERS: [{ iters, instructions }, { iters, instructions }].
 */
export function instructionsPerIteration([small, large]) {
  const perIteration = (large.instructions - small.instructions) / (large.iters - small.iters);
  return { perIteration, overhead: small.instructions - perIteration * small.iters };
}

/**
 * The window seconds a run of iters would take, extrapolated from a calibration run at
 * calibration.iters that took calibration.seconds: the extra (or missing) iterations at the run's
 * steady rate (v86: the second half of its window, after most of the JIT's warm-up), so the warm-up
 * the calibration run paid is counted once.
 */
export function estimateSeconds(calibration, iters, perIteration) {
  return calibration.seconds + (iters - calibration.iters) * perIteration / (calibration.steadyMips * 1e6);
}

/**
 * The smallest ladder size whose estimated window lasts at least targetSeconds (the largest when
 * none does), with every size's estimate for the printout.
 */
export function chooseIters(calibration, perIteration, targetSeconds) {
  const estimates = ITERS_LADDER.map((iters) => ({ iters, seconds: estimateSeconds(calibration, iters, perIteration) }));
  const chosen = estimates.find((e) => e.seconds >= targetSeconds) ?? estimates[estimates.length - 1];
  return { iters: chosen.iters, estimatedSeconds: chosen.seconds, estimates };
}

/** The next size up the ladder, or null at its top. */
export function nextLadderSize(iters) {
  return ITERS_LADDER.find((n) => n > iters) ?? null;
}
