/** Where FOCUS exports are dropped in AWS (an S3 bucket). */
export interface FocusObjects {
  /**
   * The bytes of one object. Refuses (PayloadTooLargeError) an object larger than `maxBytes`
   * before reading it; throws DependencyError when it cannot be read.
   */
  read(bucket: string, key: string, maxBytes: number): Promise<Uint8Array>;
}
