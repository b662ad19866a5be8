/** What both renderers need to know of a section's image: its bytes, format and pixel size. */
import { parseImageDataUrl, type DocumentImage } from "@/shared/files/document";

export interface DecodedImage {
  format: "png" | "jpeg";
  bytes: Buffer;
  width: number;
  height: number;
}

/**
 * Decodes the data URL and reads the pixel size from the PNG header or the JPEG frame marker.
 * The schema checked only the URL's shape: bytes that are no PNG or JPEG are refused here with a
 * message the job can keep as its error.
 */
export function decodeImage(image: DocumentImage, where: string): DecodedImage {
  const { format, base64 } = parseImageDataUrl(image.dataUrl);
  const bytes = Buffer.from(base64, "base64");
  const size = format === "png" ? pngSize(bytes) : jpegSize(bytes);
  if (!size || size.width === 0 || size.height === 0) throw new Error(`The image of ${where} is not a readable ${format.toUpperCase()}.`);
  return { format, bytes, ...size };
}

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

function pngSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 24 || !bytes.subarray(0, 8).equals(PNG_SIGNATURE) || bytes.toString("latin1", 12, 16) !== "IHDR") return null;
  return { width: bytes.readUInt32BE(16), height: bytes.readUInt32BE(20) };
}

/** Walks the JPEG's segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC). */
function jpegSize(bytes: Buffer): { width: number; height: number } | null {
  if (bytes.length < 4 || bytes[0] !== 0xff || bytes[1] !== 0xd8) return null;
  let at = 2;
  while (at + 9 < bytes.length) {
    if (bytes[at] !== 0xff) return null;
    const marker = bytes[at + 1] ?? 0;
    if (marker === 0xff) {
      at += 1;
      continue;
    }
    const length = bytes.readUInt16BE(at + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return { height: bytes.readUInt16BE(at + 5), width: bytes.readUInt16BE(at + 7) };
    }
    at += 2 + length;
  }
  return null;
}

/** The size that fits within `maxWidth` × `maxHeight`, never enlarged, aspect kept. */
export function fitWithin(image: { width: number; height: number }, maxWidth: number, maxHeight: number): { width: number; height: number } {
  const scale = Math.min(1, maxWidth / image.width, maxHeight / image.height);
  return { width: image.width * scale, height: image.height * scale };
}
