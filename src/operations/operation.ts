/**
 * What a SOAP operation is to the HTTP binding: its contract description,
 * how its LogicalAddress is checked, and a typed handler. The request is
 * already decoded and checked against the description; the handler's answer
 * is encoded by the same description.
 */
import type { Interaction, RequestOf, ResponseOf } from '../contracts/model.ts';
import type { Actor } from '../soap/envelope.ts';
import type { CalendarView } from '../store/calendar-store.ts';

export interface OperationContext {
  /** The LogicalAddress header, already checked. */
  readonly logicalAddress: string;
  readonly actor: Actor | undefined;
  readonly nowUtcMs: number;
  readonly correlationId: string;
  /**
   * What the request reads the calendar through: the store's view for this
   * request, which the LogicalAddress check has used already, so the
   * calendar version is read once per request.
   */
  readonly calendar: CalendarView;
}

export interface Operation<I extends Interaction = Interaction> {
  readonly interaction: I;
  /**
   * How the LogicalAddress is checked: `facility` (it must name a facility
   * we serve and be one of {@link facilitiesOf}, case-insensitively) or `producer`
   * (a facility or this producer's own HSA-id; PingForConfiguration).
   */
  readonly addressing: 'facility' | 'producer';
  /**
   * The facilities the LogicalAddress may name for this request: its own
   * `healthcare_facility`, and for a move also the booking's current one.
   * The first is the one a refusal names.
   */
  facilitiesOf?(request: RequestOf<I>): readonly string[] | Promise<readonly string[]>;
  handle(request: RequestOf<I>, context: OperationContext): Promise<ResponseOf<I>>;
}

/**
 * An operation whose interaction type is known only to itself, as the
 * registry and binding hold them. {@link AnyOperation.withTypes} hands the
 * operation, at its own type, to code written for any interaction, so the
 * request decoded by its description reaches its handler without a cast.
 */
export interface AnyOperation {
  readonly interaction: Interaction;
  readonly addressing: Operation['addressing'];
  withTypes<R>(use: <I extends Interaction>(operation: Operation<I>) => R): R;
}

/** What an operation adds to its interaction; addressing is `facility` unless said. */
export type OperationParts<I extends Interaction> = Omit<
  Operation<I>,
  'interaction' | 'addressing'
> & {
  readonly addressing?: Operation['addressing'];
};

/** Declares an operation: keeps the interaction's literal type for the handler. */
export function defineOperation<I extends Interaction>(
  interaction: I,
  parts: OperationParts<I>,
): Operation<I> & AnyOperation {
  const operation: Operation<I> = {
    ...parts,
    interaction,
    addressing: parts.addressing ?? 'facility',
  };
  return Object.assign(operation, {
    withTypes: <R>(use: <J extends Interaction>(o: Operation<J>) => R) => use(operation),
  });
}

/** The LogicalAddress of a request that names its facility in `healthcare_facility`. */
export const requestFacility = (request: { readonly healthcare_facility: string }) => [
  request.healthcare_facility,
];
