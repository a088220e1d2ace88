// Byte sizes as people write them (--max-record-size 64MiB) and as messages show them.

const UNITS: Readonly<Record<string, number>> = { '': 1, b: 1, kb: 1e3, kib: 1 << 10, mb: 1e6, mib: 1 << 20, gb: 1e9, gib: 1 << 30 };

/** A size such as `1048576`, `512KiB`, `64MiB`, `2MB` or `1GiB` (units in any case) in bytes; undefined when it is not one. */
export function parseByteSize(text: string): number | undefined {
  const match = /^\s*(\d+)\s*([a-z]*)\s*$/i.exec(text);
  const unit = UNITS[match?.[2]?.toLowerCase() ?? '-'];
  if (match === null || unit === undefined) return undefined;
  const bytes = Number(match[1]) * unit;
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** `bytes` in the largest binary unit that divides it (64 MiB, 512 KiB, 1000 bytes). */
export function formatByteSize(bytes: number): string {
  for (const [unit, size] of [['GiB', 1 << 30], ['MiB', 1 << 20], ['KiB', 1 << 10]] as const) {
    if (bytes >= size && bytes % size === 0) return `${bytes / size} ${unit}`;
  }
  return `${bytes} bytes`;
}
