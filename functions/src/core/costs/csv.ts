/**
 * An RFC 4180 CSV reader: comma separated, `"` quoted fields that may hold commas, line breaks and
 * doubled quotes, CRLF or LF record ends, an optional UTF-8 BOM. It yields records one by one (the
 * caller aggregates as it goes, so a large file is never held twice) with the line each starts on.
 */

export type CsvItem =
  | { readonly kind: 'record'; readonly line: number; readonly fields: string[] }
  | { readonly kind: 'problem'; readonly line: number; readonly message: string };

/**
 * Records of `text`. A malformed record (a quote inside an unquoted field, text after a closing
 * quote, a quoted field never closed) yields one problem and reading goes on at the next line. A
 * blank line (also the usual final line break) is skipped.
 */
export function* readCsv(text: string): Generator<CsvItem> {
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  let line = 1;
  const n = text.length;
  while (i < n) {
    const startLine = line;
    const fields: string[] = [];
    let problem: string | null = null;
    // One record: fields until an unquoted line break or the end.
    for (;;) {
      let value = '';
      if (text[i] === '"') {
        i++;
        let closed = false;
        while (i < n) {
          const c = text[i]!;
          if (c === '"') {
            if (text[i + 1] === '"') {
              value += '"';
              i += 2;
              continue;
            }
            i++;
            closed = true;
            break;
          }
          if (c === '\n') line++;
          value += c;
          i++;
        }
        if (!closed) {
          problem = 'quoted field is never closed';
          break;
        }
        if (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          problem = 'unexpected text after a closing quote';
          break;
        }
      } else {
        const start = i;
        while (i < n && text[i] !== ',' && text[i] !== '\n' && !(text[i] === '\r' && text[i + 1] === '\n')) {
          if (text[i] === '"') problem ??= 'a quote inside an unquoted field';
          i++;
        }
        value = text.slice(start, i);
        if (problem) break;
      }
      fields.push(value);
      if (i >= n) break;
      if (text[i] === ',') {
        i++;
        continue;
      }
      // Line break ends the record.
      i += text[i] === '\r' ? 2 : 1;
      line++;
      break;
    }
    if (problem) {
      // Skip the rest of the physical line and go on.
      while (i < n && text[i] !== '\n') i++;
      if (i < n) {
        i++;
        line++;
      }
      yield { kind: 'problem', line: startLine, message: problem };
      continue;
    }
    if (fields.length === 1 && fields[0] === '') continue;
    yield { kind: 'record', line: startLine, fields };
  }
}
