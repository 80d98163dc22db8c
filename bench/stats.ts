/** Small statistics helpers for the benchmark (no dependencies). */

export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN
  const sorted = [...values].sort((a, b) => a - b)
  const pos = (sorted.length - 1) * q
  const lo = Math.floor(pos)
  const hi = Math.ceil(pos)
  return sorted[lo]! + (sorted[hi]! - sorted[lo]!) * (pos - lo)
}

export function median(values: readonly number[]): number {
  return quantile(values, 0.5)
}

/** Relative spread of per-process values: (max - min) / median. */
export function spread(values: readonly number[]): { min: number; max: number; relative: number } {
  const min = Math.min(...values)
  const max = Math.max(...values)
  const m = median(values)
  return { min, max, relative: m === 0 ? 0 : (max - min) / m }
}
