/** Every `tidbok` subcommand, in the order `tidbok --help` lists them. Add new ones here. */
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
import { eiReloadCommand, eiSimCommand } from './ei.ts';
import { migrateCommand } from './migrate.ts';
import { kivraPreviewCommand, kivraSimCommand } from './kivra.ts';

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
  eiReloadCommand,
  eiSimCommand,
  kivraPreviewCommand,
  kivraSimCommand,
  migrateCommand,
];
