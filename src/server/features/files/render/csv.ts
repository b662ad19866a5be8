/** CSV out: RFC 4180, formula cells neutralised, streamed with back-pressure from a row source. */
import { Readable, pipeline } from "node:stream";
import { stringify } from "csv-stringify";

export const CSV_CONTENT_TYPE = "text/csv; charset=utf-8";

/**
 * A cell a spreadsheet would run as a formula (OWASP "CSV Injection"): it starts with = + - @,
 * a tab or a CR, or their full-width forms, which some spreadsheets normalise.
 */
const FORMULA_START = /^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/;
/**
 * A plain number such as "-12.5", "+3" or "-1e6" is left alone: a spreadsheet reads it as the
 * number it is, nothing runs, and a leading quote would turn every negative amount into text.
 */
const PLAIN_NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** The cell with a leading single quote when a spreadsheet would otherwise evaluate it. */
export function neutraliseFormula(cell: string): string {
  return FORMULA_START.test(cell) && !PLAIN_NUMBER.test(cell) ? `'${cell}` : cell;
}

/**
 * The CSV of `header` then `rows`, CRLF line ends, fields holding a comma, a quote, CR or LF
 * quoted with quotes doubled. Rows are pulled only as fast as the reader takes the output
 * (a database export of 100,000 rows never sits in memory); an error of the source fails the
 * stream, and destroying the stream stops the source.
 */
export function csvStream(header: string[], rows: AsyncIterable<string[]> | Iterable<string[]>): Readable {
  async function* records() {
    yield header.map(neutraliseFormula);
    for await (const row of rows) yield row.map(neutraliseFormula);
  }
  const stringifier = stringify({
    record_delimiter: "\r\n",
    // With a custom record delimiter csv-stringify would otherwise quote only on "\r\n" itself,
    // leaving a lone LF or CR bare and the file unreadable.
    quote_record_delimiter: true,
  });
  return pipeline(Readable.from(records()), stringifier, () => undefined);
}
