/** A person's initials for their avatar: first and last word ("Ada Lovelace" → "AL"), or one word's first two letters. */
export function initials(name: string): string {
  // By code point, so that a name starting with an emoji or a letter outside the BMP stays whole.
  const parts = name.trim().split(/\s+/).filter(Boolean).map((part) => [...part]);
  const letters = parts.length > 1 ? [parts[0]![0], parts[parts.length - 1]![0]] : [parts[0]?.[0], parts[0]?.[1]];
  return letters.filter(Boolean).join("").toUpperCase() || "?";
}
