import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DependencyError, PayloadTooLargeError } from '../../core/errors';
import type { FocusObjects } from '../../core/ports/focus-objects';

/** `FocusObjects` on S3: one GetObject, refused by its Content-Length before the body is read. */
export class S3FocusObjects implements FocusObjects {
  constructor(private readonly s3: Pick<S3Client, 'send'>) {}

  async read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array> {
    let out;
    try {
      out = await this.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    } catch (error) {
      throw new DependencyError(`cannot read s3://${bucket}/${key}: ${(error as Error).message}`, null, { cause: error });
    }
    if ((out.ContentLength ?? 0) > maxBytes) {
      (out.Body as { destroy?: () => void } | undefined)?.destroy?.();
      throw new PayloadTooLargeError(`s3://${bucket}/${key} is larger than ${maxBytes} bytes`, maxBytes);
    }
    if (!out.Body) throw new DependencyError(`s3://${bucket}/${key} has no body`);
    return out.Body.transformToByteArray();
  }
}
