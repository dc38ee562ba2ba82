/** Every `tidbok` subcommand, in the order `tidbok --help` lists them. Add new ones here. */
import type { Command } from '../command.ts';
import { importCommand } from './import.ts';
import { migrateCommand } from './migrate.ts';

export const commands: readonly Command[] = [importCommand, migrateCommand];
