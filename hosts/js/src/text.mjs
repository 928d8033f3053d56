// Text as the contract measures it: in UTF-8 bytes, not JavaScript's UTF-16 units.

const encoder = new TextEncoder();

export function utf8Length(text) {
  return Buffer.byteLength(text, 'utf8');
}

/** Orders strings by their UTF-8 bytes (STO-6), which UTF-16 order is not. */
export function compareUtf8(a, b) {
  return Buffer.compare(encoder.encode(a), encoder.encode(b));
}

/** `text` cut to at most `limit` UTF-8 bytes, on a character boundary. */
export function cutUtf8(text, limit) {
  const bytes = encoder.encode(text);
  if (bytes.length <= limit) return text;
  let end = limit;
  while (end > 0 && (bytes[end] & 0xc0) === 0x80) end -= 1;
  return new TextDecoder().decode(bytes.subarray(0, end));
}
