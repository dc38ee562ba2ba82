/** Every `tidbok` subcommand, in the order `tidbok --help` lists them. Add new ones here; a channel's own commands come from its module. */
import type { Command } from '../command.ts';
import { importCommand } from './import.ts';
import { invitationCreateCommand, invitationWithdrawCommand } from './invitation.ts';
import {
  bookingCancelCommand,
  bookingCreateCommand,
  bookingRebookCommand,
  bookingShowCommand,
} from './booking.ts';
import { outboxRetryCommand, outboxStatusCommand } from './outbox.ts';
import { channelCommands } from '../../channels/registry.ts';
import { withServices } from './with-services.ts';
import { migrateCommand } from './migrate.ts';
import { verifyCommand } from '../../verify/verify-command.ts';

export const commands: readonly Command[] = [
  importCommand,
  invitationCreateCommand,
  invitationWithdrawCommand,
  bookingCreateCommand,
  bookingRebookCommand,
  bookingCancelCommand,
  bookingShowCommand,
  outboxStatusCommand,
  outboxRetryCommand,
  ...channelCommands(withServices),
  migrateCommand,
  verifyCommand,
];
