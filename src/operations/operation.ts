/**
 * What a SOAP operation is to the HTTP binding: its contract description,
 * how its LogicalAddress is checked, and a typed handler. The request is
 * already decoded and checked against the description; the handler's answer
 * is encoded by the same description.
 */
import type { Interaction, RequestOf, ResponseOf } from '../contracts/model.ts';
import type { Actor } from '../soap/envelope.ts';

export interface OperationContext {
  /** The LogicalAddress header, already checked. */
  readonly logicalAddress: string;
  readonly actor: Actor | undefined;
  readonly nowUtcMs: number;
  readonly correlationId: string;
}

export interface Operation<I extends Interaction = Interaction> {
  readonly interaction: I;
  /**
   * How the LogicalAddress is checked: `facility` (it must name a facility
   * we serve and equal {@link facilityOf}, case-insensitively) or `producer`
   * (a facility or this producer's own HSA-id; PingForConfiguration).
   */
  readonly addressing: 'facility' | 'producer';
  /** The request's own facility, which must match the LogicalAddress. */
  facilityOf?(request: RequestOf<I>): string | undefined;
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

/** Declares an operation: keeps the interaction's literal type for the handler. */
export function defineOperation<I extends Interaction>(
  operation: Operation<I>,
): Operation<I> & AnyOperation {
  return Object.assign(operation, {
    withTypes: <R>(use: <J extends Interaction>(o: Operation<J>) => R) => use(operation),
  });
}
