// Deterministic pseudo-random numbers (no Math.random), so data and models are the same on every run.

/** The LCG of the reference gen_csv.mjs: uniform in [0, 1). */
export function lcg(seed) {
  let s = seed >>> 0;
  return () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296;
}

/** Normal(mean, sd) draws from a uniform source (Box-Muller). */
export function normal(uniform) {
  return (mean, sd) => {
    const u = 1 - uniform();
    const v = uniform();
    return mean + sd * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  };
}
