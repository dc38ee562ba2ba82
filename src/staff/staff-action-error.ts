/** Why a staff or operator action was not done. */
export class StaffActionError extends Error {
  override readonly name = 'StaffActionError';
  constructor(
    /** `invalid`: the request itself is wrong; `not-found`: it names nothing stored; `refused`: the booking rules said no. */
    readonly kind: 'invalid' | 'not-found' | 'refused',
    message: string,
  ) {
    super(message);
  }
}
