/**
 * Counter-based randomness for the demo feed: every draw is a pure function of its key, so
 * neither call order nor caching can change a value.
 */

function fmix32(x: number): number {
  let h = x >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A 32-bit hash of `s` under `seed` (FNV-1a, then a murmur3 finalizer). */
export function hashString(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return fmix32(h);
}

/** A mulberry32 stream keyed by (seed, index, stream): one key, always the same draws. */
export class Draws {
  private state: number;
  constructor(seed: number, index: number, stream: number) {
    this.state = fmix32(seed ^ fmix32(Math.imul(index, 0x9e3779b1) ^ fmix32(stream + 0x632be5ab)));
  }
  uniform(): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  }
  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }
  between(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }
}
