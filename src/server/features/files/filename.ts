/** A user-given file name made safe for a Content-Disposition header (RFC 6266, RFC 8187). */

const NAME_MAX_CHARS = 150;
const FALLBACK = "download";

/**
 * What we never pass on, in either form: quotes and backslashes (they end or escape the quoted
 * string), CR and LF (header injection), path separators (a saved name must stay a name), and
 * control characters.
 */
const UNSAFE = /["\\/\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;

function cleaned(name: string): string {
  const safe = name.replace(UNSAFE, "_").replace(/\s+/g, " ").trim().replace(/^\.+/, "");
  return [...safe].slice(0, NAME_MAX_CHARS).join("") || FALLBACK;
}

/** The same name in printable ASCII, for clients that ignore `filename*`: accents dropped, others "_". */
export function asciiFilename(name: string): string {
  const ascii = cleaned(name)
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .replace(/[^\x20-\x7e]/g, "_");
  return ascii.replace(UNSAFE, "_") || FALLBACK;
}

/** RFC 8187's attr-char: encodeURIComponent leaves ' ( ) * as they are, which it does not allow. */
function percentEncode(value: string): string {
  return encodeURIComponent(value).replace(/['()*]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** `attachment` (save it) by default; `inline` shows it in the browser (previews of our own PNGs and PDFs). */
export function contentDisposition(name: string, disposition: "attachment" | "inline" = "attachment"): string {
  return `${disposition}; filename="${asciiFilename(name)}"; filename*=UTF-8''${percentEncode(cleaned(name))}`;
}
