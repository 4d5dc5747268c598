// Seeded pseudo-random numbers for the differential test (xoshiro128**): the same seed gives the same
// instruction stream, so any disagreement can be reproduced with `--seed`.

export class Rng {
  private s0: number; private s1: number; private s2: number; private s3: number; // generator state

  constructor(seed: number) {
    // splitmix32 spreads the seed over the four state words (never all zero).
    let x = seed >>> 0;
    const next = (): number => {
      x = (x + 0x9E3779B9) >>> 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85EBCA6B) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xC2B2AE35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = next(); this.s1 = next(); this.s2 = next(); this.s3 = next() | 1;
  }

  /** A uniformly random unsigned 32-bit integer. */
  u32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0; this.s3 ^= this.s1; this.s1 ^= this.s2; this.s0 ^= this.s3;
    this.s2 ^= t; this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** An integer in [0, n). */
  below(n: number): number { return Math.floor((this.u32() / 0x100000000) * n); }

  /** An integer in [lo, hi] (inclusive). */
  range(lo: number, hi: number): number { return lo + this.below(hi - lo + 1); }

  /** True with probability p. */
  chance(p: number): boolean { return this.u32() / 0x100000000 < p; }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T { return items[this.below(items.length)]; }

  /**
   * A 32-bit operand value biased towards the edges where flags change: small numbers, sign and
   * carry boundaries, all ones; otherwise uniformly random.
   */
  value(): number {
    const r = this.below(100);
    if (r < 12) return this.below(17);
    if (r < 30) return this.pick(EDGE_VALUES);
    if (r < 38) return (this.pick(EDGE_VALUES) + this.range(-2, 2)) >>> 0;
    if (r < 46) return this.below(0x100) * (this.chance(0.5) ? 1 : 0x01010101) >>> 0;
    return this.u32();
  }
}

function rotl(x: number, k: number): number { return ((x << k) | (x >>> (32 - k))) >>> 0; }

/** Values at the byte/word/dword sign and carry boundaries. */
const EDGE_VALUES: readonly number[] = [
  0, 1, 2, 0x0F, 0x10, 0x7F, 0x80, 0xFF, 0x100, 0x7FFF, 0x8000, 0xFFFF, 0x10000, 0x7FFFFFFF, 0x80000000,
  0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFF80, 0xFFFFFF7F, 0xFFFF8000, 0xFFFF7FFF, 0x80008080, 0x99999999, 0x0A0A0A0A,
];
