import { createGunzip } from 'node:zlib';
import { PayloadTooLargeError, ValidationError } from '../core/errors';

/** The largest FOCUS file text (after decompression) an import reads. */
export const MAX_FOCUS_TEXT_BYTES = 64 * 1024 * 1024;
/**
 * The largest upload body (`POST /api/costs/imports`), compressed or not. In AWS a binary body
 * reaches Lambda base64-encoded and a synchronous invocation carries at most 6 MB: 4 MiB is 5.3 MiB
 * encoded. Larger exports go through the FOCUS bucket.
 */
export const MAX_FOCUS_UPLOAD_BYTES = 4 * 1024 * 1024;

/**
 * A FOCUS file's text from its bytes: gunzipped when it starts with the gzip magic bytes, then UTF-8.
 * Decompression is streamed and stopped as soon as the output passes `maxBytes`, so a gzip bomb
 * (a small body that inflates to gigabytes) costs at most `maxBytes` of memory.
 * @throws PayloadTooLargeError past `maxBytes`; ValidationError for broken gzip or invalid UTF-8 (field `body`).
 */
export async function focusText(bytes: Uint8Array, maxBytes: number = MAX_FOCUS_TEXT_BYTES): Promise<string> {
  let data: Buffer;
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    data = await new Promise<Buffer>((resolve, reject) => {
      const gunzip = createGunzip();
      const parts: Buffer[] = [];
      let size = 0;
      let done = false;
      const fail = (error: Error) => {
        if (done) return;
        done = true;
        gunzip.destroy();
        reject(error);
      };
      gunzip.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > maxBytes) return fail(new PayloadTooLargeError(`the file is larger than ${maxBytes} bytes once decompressed`, maxBytes));
        parts.push(chunk);
      });
      gunzip.on('error', (error) => fail(new ValidationError(`the body is not valid gzip: ${error.message}`, 'body', 'invalid_gzip')));
      gunzip.on('end', () => {
        if (done) return;
        done = true;
        resolve(Buffer.concat(parts));
      });
      gunzip.end(bytes);
    });
  } else {
    if (bytes.length > maxBytes) throw new PayloadTooLargeError(`the file is larger than ${maxBytes} bytes`, maxBytes);
    data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(data);
  } catch {
    throw new ValidationError('the file is not valid UTF-8', 'body', 'invalid_encoding');
  }
}
