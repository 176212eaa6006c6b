import { DataFileError } from './dataFileError.ts';

/** The column read from a multi-column file when none is named (the banana data's name for it). */
export const DEFAULT_COLUMN = 'y';

const NON_FINITE = /^[+-]?(nan|inf|infinity)$/i;

/**
 * One numeric series from CSV-like text: either one number per line (an optional first line of
 * text is a header and is skipped), or one column of a comma-separated table with a header line
 * (`column`, else the only column, else the column named `y`). Blank lines and lines starting
 * with `#` are skipped; fields may be double-quoted. Every problem is a `DataFileError` naming
 * `name` and the 1-based line.
 *
 * @param name how to call the text in messages (the file's path)
 * @returns the values, in file order
 * @example
 *   parseCsvSeries('t,y\n0,1.5\n1,2.5\n', 'data.csv');   // Float64Array [1.5, 2.5]
 */
export function parseCsvSeries(text: string, name: string, column?: string): Float64Array {
  const fail = (problem: string): never => { throw new DataFileError(name, problem); };
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  const rows: { line: number; fields: string[] }[] = [];
  lines.forEach((raw, i) => {
    const trimmed = raw.trim();
    if (trimmed !== '' && !trimmed.startsWith('#')) rows.push({ line: i + 1, fields: trimmed.split(',').map(unquote) });
  });
  if (rows.length === 0) fail('contains no values');

  const first = rows[0].fields;
  const hasHeader = first.some((f) => !isNumberLike(f));
  let index = 0;
  let width = first.length;
  if (hasHeader) {
    if (column != null) {
      index = first.indexOf(column);
      if (index < 0) fail(`no column "${column}" (columns: ${first.join(', ')})`);
    } else if (first.length > 1) {
      index = first.indexOf(DEFAULT_COLUMN);
      if (index < 0) fail(`${first.length} columns (${first.join(', ')}) and none named "${DEFAULT_COLUMN}"; name one with the column option`);
    }
  } else {
    if (column != null) fail(`has no header line, so no column "${column}"`);
    if (width > 1) fail(`line ${rows[0].line} has ${width} fields; without a header line the file must hold one number per line`);
    width = 1;
  }
  const body = hasHeader ? rows.slice(1) : rows;
  if (body.length === 0) fail('contains no values (only a header line)');
  const label = hasHeader ? ` (column ${first[index]})` : '';
  const out = new Float64Array(body.length);
  body.forEach(({ line, fields }, r) => {
    if (fields.length !== width) {
      fail(hasHeader ? `line ${line} has ${fields.length} fields, the header has ${width}` : `line ${line} has ${fields.length} fields; expected one number per line`);
    }
    const field = fields[index];
    if (field === '') fail(`empty value at line ${line}${label}`);
    const v = Number(field);
    if (Number.isNaN(v) && !NON_FINITE.test(field)) fail(`not a number at line ${line}${label}: "${field}"`);
    const value = Number.isNaN(v) ? parseNonFinite(field) : v;
    if (!Number.isFinite(value)) fail(`non-finite value ${field} at line ${line}${label}; every value must be finite`);
    out[r] = value;
  });
  return out;
}

function isNumberLike(field: string): boolean {
  return (field !== '' && !Number.isNaN(Number(field))) || NON_FINITE.test(field);
}

function parseNonFinite(field: string): number {
  if (/nan/i.test(field)) return NaN;
  return field.startsWith('-') ? -Infinity : Infinity;
}

function unquote(field: string): string {
  const f = field.trim();
  return f.length >= 2 && f.startsWith('"') && f.endsWith('"') ? f.slice(1, -1).replace(/""/g, '"').trim() : f;
}
