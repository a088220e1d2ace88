// Seeded mutations of a valid input file, shared by the fuzz tests: bit flips, truncation, duplicated or
// deleted byte ranges, huge length fields and stray delimiters.
import type { Random } from './assertions.js';

const HUGE = [0x7fffffff, 0xffffffff, 0x80000000, 0x10000000, 0xfffffff8];
const STRAY = [0x22, 0x2c, 0x0a, 0x0d, 0x00, 0xff, 0xfe, 0x09];

/** One mutation of `bytes`, and its name (to reproduce a finding). */
export function mutate(bytes: Buffer, random: Random): { bytes: Buffer; how: string } {
  const at = (): number => random.int(bytes.length + 1);
  switch (random.int(6)) {
    case 0: {
      const copy = Buffer.from(bytes);
      const flips = 1 + random.int(8);
      for (let k = 0; k < flips; k++) {
        const i = random.int(copy.length);
        copy[i] = (copy[i] as number) ^ (1 << random.int(8));
      }
      return { bytes: copy, how: `${flips} bit flips` };
    }
    case 1: {
      const end = at();
      return { bytes: bytes.subarray(0, end), how: `truncated at ${end}` };
    }
    case 2: {
      const [a, b] = [at(), at()].sort((x, y) => x - y) as [number, number];
      const c = at();
      return { bytes: Buffer.concat([bytes.subarray(0, c), bytes.subarray(a, b), bytes.subarray(c)]), how: `[${a},${b}) copied to ${c}` };
    }
    case 3: {
      const [a, b] = [at(), at()].sort((x, y) => x - y) as [number, number];
      return { bytes: Buffer.concat([bytes.subarray(0, a), bytes.subarray(b)]), how: `[${a},${b}) deleted` };
    }
    case 4: {
      const copy = Buffer.from(bytes);
      const offset = random.int(Math.max(1, copy.length - 4)) & ~3;
      const value = random.pick(HUGE);
      if (offset + 4 <= copy.length) copy.writeUInt32LE(value, offset);
      return { bytes: copy, how: `0x${value.toString(16)} at ${offset}` };
    }
    default: {
      const i = at();
      const byte = random.pick(STRAY);
      return { bytes: Buffer.concat([bytes.subarray(0, i), Buffer.from([byte]), bytes.subarray(i)]), how: `byte 0x${byte.toString(16)} inserted at ${i}` };
    }
  }
}

