/**
 * Staff commands that answer with a booking or invitation (`tidbok booking …`,
 * `tidbok invitation …`): the options they share, and the view printed as a
 * readable summary or, with `--json`, as JSON.
 */
import type { BookingView } from '../../staff/booking-view.ts';
import type { CliIo, Command } from '../command.ts';
import { dbOption, jsonOption, printAnswer } from '../common-options.ts';
import {
  defineCommand,
  onlyPositional,
  type CommandSpec,
  type OptionSpecs,
  type OptionValues,
} from '../define-command.ts';
import { maskPersonIdsInText } from '../../domain/personnummer.ts';

function printBooking(io: CliIo, what: string, view: BookingView, json: boolean | undefined): void {
  printAnswer(io, json, view, describeBooking(what));
}

const describeBooking = (what: string) =>
  function* (view: BookingView) {
    yield `${what}: ${maskPersonIdsInText(view.id)}`;
    yield `  kind       ${view.kind} (${view.status})`;
    yield `  facility   ${view.facility}`;
    yield `  patient    ${view.subjectOfCare} ${view.patient.firstName} ${view.patient.lastName}`;
    yield `  time       ${view.start && view.end ? `${view.start}–${view.end}` : 'none yet'}`;
    yield `  time type  ${view.timeTypeId}`;
    if (view.expiresOn) yield `  expires    ${view.expiresOn}`;
    if (view.info) yield `  tell the patient: ${view.info}`;
  };

type BookingCommandSpec<O extends OptionSpecs, Args> = Omit<
  CommandSpec<O>,
  'options' | 'run' | 'positionals'
> & {
  readonly options: O;
  /** The JSON option's noun, and the heading of the printed view. */
  readonly shown: readonly [json: string, heading: string];
  act(args: Args, io: CliIo): Promise<BookingView>;
};

/** What a booking command's action gets: its options, `--json` and `--db` among them. */
type Parsed<O extends OptionSpecs> = { readonly values: OptionValues<O & Tail> };

/**
 * A staff command that answers with a booking or invitation: its own options,
 * then `--json` and `--db`; prints the view its action resolves to.
 */
export function bookingCommand<const O extends OptionSpecs>(
  spec: BookingCommandSpec<O, Parsed<O> & { readonly positionals: readonly string[] }> & {
    readonly positionals?: boolean;
  },
): Command {
  const [noun, heading] = spec.shown;
  const options = { ...spec.options, ...jsonOption(noun), ...dbOption };
  return defineCommand({
    ...spec,
    options: options as O & Tail,
    async run(args, io) {
      // TypeScript cannot look into the generic options; the json option is always among them.
      const { json } = args.values as OptionValues<Tail>;
      printBooking(io, heading, await spec.act(args, io), json);
      return 0;
    },
  });
}

/** A {@link bookingCommand} on one booking or invitation, named by its id: `<id>`. */
export function bookingIdCommand<const O extends OptionSpecs>(
  spec: BookingCommandSpec<O, Parsed<O> & { readonly id: string }> & {
    /** The usage error when the id is missing: `give the booking id`. */
    readonly missingId: string;
  },
): Command {
  return bookingCommand({
    ...spec,
    positionals: true,
    act: ({ values, positionals }, io) =>
      spec.act({ id: onlyPositional(positionals, spec.missingId), values }, io),
  });
}

/** The options every booking command ends with. */
type Tail = ReturnType<typeof jsonOption> & typeof dbOption;

/** `--message`: why a booking is cancelled or an invitation withdrawn. */
export const messageOption = {
  message: { type: 'string', arg: 'text', help: 'why, kept when the time type allows messages' },
} as const;
