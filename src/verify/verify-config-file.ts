/**
 * The `--config` file of `tidbok verify`: where each contract is served
 * when the addresses do not follow `<base>/crm/scheduling/<Op>/1/rivtabp21`
 * (a platform with one URL per contract), and the TLS files. JSON:
 *
 * ```json
 * { "baseUrl": "https://producer.example:8443",
 *   "endpoints": { "MakeBooking": "https://producer.example:8443/booking/make" },
 *   "tls": { "cert": "client.pem", "key": "client.key", "ca": "platform-ca.pem" } }
 * ```
 *
 * Relative file names are read from the config file's folder.
 */
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { z } from 'zod';
import { schedulingInteractions } from '../contracts/scheduling.ts';
import { CliError } from '../cli/command.ts';

const operationNames = schedulingInteractions.map((i) => i.name) as [string, ...string[]];

const configSchema = z
  .object({
    baseUrl: z.url().optional(),
    endpoints: z.partialRecord(z.enum(operationNames), z.url()).optional(),
    tls: z
      .object({
        cert: z.string().optional(),
        key: z.string().optional(),
        ca: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export type VerifyConfigFile = z.infer<typeof configSchema>;

/** Reads and checks a config file; throws a CliError naming what is wrong. */
export function readVerifyConfigFile(path: string): VerifyConfigFile & { readonly folder: string } {
  let data: unknown;
  try {
    data = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CliError(`cannot read the config file ${path}: ${(err as Error).message}`);
  }
  const parsed = configSchema.safeParse(data);
  if (!parsed.success)
    throw new CliError(
      `the config file ${path} is not valid: ${parsed.error.issues
        .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
        .join('; ')}`,
    );
  return { ...parsed.data, folder: dirname(resolve(path)) };
}
