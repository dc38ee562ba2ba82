import { maskPersonIdsInText } from '../domain/personnummer.ts';

/**
 * Why a staff or operator action was not done. The message is shown to
 * staff (admin API, CLI, console), so person ids in it are masked here, once
 * for all of them (an id given where a booking id belongs, say).
 */
export class StaffActionError extends Error {
  override readonly name = 'StaffActionError';
  constructor(
    /** `invalid`: the request itself is wrong; `not-found`: it names nothing stored; `refused`: the booking rules said no. */
    readonly kind: 'invalid' | 'not-found' | 'refused',
    message: string,
  ) {
    super(maskPersonIdsInText(message));
  }
}
