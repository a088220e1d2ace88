// Sources: the text fields of one CSV column of a record batch as codes into a small dictionary,
// for columns with few distinct values (labels, groups, categories).
import type { ScannedRecords } from './csv-scan.js';

/** Distinct values a dictionary takes before the column is read as plain text instead. */
const MAX_ENTRIES = 512;
/** Hash slots: a power of two, four times MAX_ENTRIES, so probe chains stay short. */
const SLOTS = 2048;
/** The code of an empty field (or one a short record lacks): a missing value. */
export const MISSING_CODE = -1;
/** What `codeOf` returns once the dictionary is full. */
export const DICTIONARY_FULL = -2;

/**
 * Gives each distinct field text of a batch a code, looking fields up by their bytes: a repeated
 * value costs a hash of its bytes and one comparison, where decoding it costs a new string per row
 * (and each string then hashed again wherever it is counted). Codes index `texts`; every row with
 * a code shares that one string. A field's text is a function of its bytes alone (a field holds a
 * quote byte exactly when it has doubled quotes to undo), so equal bytes mean equal text.
 */
export class FieldDictionary {
  /** The text of each code; null where it decodes to '' (a missing value, as for plain text). */
  readonly texts: (string | null)[] = [];
  /** Slot -> code + 1 (0: free). */
  private readonly slots = new Int32Array(SLOTS);
  /** Where each code's first field lies in the batch's bytes, to compare later fields with. */
  private readonly starts = new Int32Array(MAX_ENTRIES);
  private readonly ends = new Int32Array(MAX_ENTRIES);

  /** `decode` gives a field's text (once per distinct value). */
  constructor(private readonly decode: (batch: ScannedRecords, field: number) => string) {}

  /** The code of a field of `batch` (the same batch every call), MISSING_CODE, or DICTIONARY_FULL. */
  codeOf(batch: ScannedRecords, field: number): number {
    const bytes = batch.bytes;
    const start = batch.fieldStart[field] as number;
    const end = batch.fieldEnd[field] as number;
    if (start === end) return MISSING_CODE;
    // FNV-1a over the field's bytes.
    let hash = 0x811c9dc5;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ (bytes[i] as number), 0x01000193);
    const slots = this.slots;
    for (let slot = hash & (SLOTS - 1); ; slot = (slot + 1) & (SLOTS - 1)) {
      const entry = slots[slot] as number;
      if (entry === 0) return this.add(batch, field, slot, start, end);
      const code = entry - 1;
      if (sameBytes(bytes, this.starts[code] as number, this.ends[code] as number, start, end)) return code;
    }
  }

  private add(batch: ScannedRecords, field: number, slot: number, start: number, end: number): number {
    const code = this.texts.length;
    if (code >= MAX_ENTRIES) return DICTIONARY_FULL;
    const text = this.decode(batch, field);
    this.texts.push(text === '' ? null : text);
    this.starts[code] = start;
    this.ends[code] = end;
    this.slots[slot] = code + 1;
    return code;
  }
}

function sameBytes(bytes: Uint8Array, startA: number, endA: number, startB: number, endB: number): boolean {
  if (endA - startA !== endB - startB) return false;
  for (let i = 0; i < endA - startA; i++) if (bytes[startA + i] !== bytes[startB + i]) return false;
  return true;
}

/** Writes rows [from, to) of a dictionary column into `into` from index `at`: shared strings, no copies. */
export function decodeCodes(codes: Int32Array, texts: readonly (string | null)[], from: number, to: number, into: (string | null)[], at: number): void {
  for (let r = from; r < to; r++) {
    const code = codes[r] as number;
    into[at + r - from] = code < 0 ? null : (texts[code] ?? null);
  }
}
