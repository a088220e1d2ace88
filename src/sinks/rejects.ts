// Sink: the rejects file, one CSV row per input row that could not be scored, committed atomically.
import { openAtomicFile } from '../shared/atomic-file.js';
import { quoteField } from './csv.js';

/** One rejected row, as written. */
export interface RejectRow {
  readonly source: string;
  readonly line: number | undefined;
  readonly row: number;
  readonly column: string | undefined;
  readonly reason: string;
  /** The row as read: the CSV record's text, or a JSON object for other formats. */
  readonly record: string;
}

export interface RejectsSink {
  write(rows: readonly RejectRow[]): Promise<void>;
  commit(): Promise<{ readonly path: string; readonly rows: number }>;
  abort(): Promise<void>;
}

const HEADER = 'source,line,row,column,reason,record\n';

/** Opens the rejects file (header `source,line,row,column,reason,record`). */
export async function openRejectsSink(path: string): Promise<RejectsSink> {
  const file = await openAtomicFile(path);
  await file.write(HEADER);
  let rows = 0;
  return {
    write: async (rejects) => {
      let text = '';
      for (const reject of rejects) {
        const fields = [reject.source, reject.line === undefined ? '' : String(reject.line), String(reject.row), reject.column ?? '', reject.reason, reject.record];
        text += `${fields.map(quoteField).join(',')}\n`;
      }
      rows += rejects.length;
      await file.write(text);
    },
    commit: async () => {
      await file.commit();
      return { path, rows };
    },
    abort: () => file.abort(),
  };
}
