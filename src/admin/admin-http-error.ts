/** An error answer of the admin API, with its HTTP status; thrown by route handlers. */
export class AdminHttpError extends Error {
  override readonly name = 'AdminHttpError';
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}
