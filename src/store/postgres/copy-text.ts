/**
 * PostgreSQL's COPY text format: one line per row, cells separated by tabs, NULL as \N,
 * and a backslash, newline, carriage return or tab inside a value escaped with a backslash
 * (https://www.postgresql.org/docs/current/sql-copy.html, "Text Format"). Values that need
 * none of it, nearly all of them, are written as they are.
 */
const SPECIAL = /[\\\n\r\t]/;
const SPECIALS = /[\\\n\r\t]/g;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** One cell: a number as its decimal text, a string escaped, null as \N. */
export function copyCell(v: string | number | null): string {
  if (v === null) return '\\N';
  if (typeof v === 'number') return String(v);
  return SPECIAL.test(v) ? v.replace(SPECIALS, (ch) => ESCAPES[ch]!) : v;
}
