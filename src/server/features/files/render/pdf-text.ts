/**
 * pdfkit's standard fonts (Helvetica and friends) are encoded in WinAnsi: a character outside it
 * is not refused but silently written as a wrong glyph. We replace each such character (one per
 * code point, so an emoji is one "?") with "?" instead, which a reader can at least see. Using
 * an embedded Unicode font would lift this; the standard fonts keep files small and need no
 * font file on the server.
 */

/** The characters of WinAnsi's 0x80–0x9F row, which are not the Latin-1 code points. */
const WIN_ANSI_EXTRAS = new Set("€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ");

function encodable(char: string): boolean {
  const code = char.codePointAt(0) ?? 0;
  return (code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRAS.has(char);
}

/** One line of text: line breaks and tabs become spaces. */
export function winAnsiLine(text: string): string {
  return winAnsi(text.replace(/\s/g, " "));
}

/** Text that may keep its line breaks (CR LF and CR become LF); tabs become spaces. */
export function winAnsi(text: string): string {
  let out = "";
  for (const char of text.replace(/\r\n?/g, "\n").replace(/\t/g, " ")) out += char === "\n" || encodable(char) ? char : "?";
  return out;
}
