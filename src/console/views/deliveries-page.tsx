/**
 * Deliveries: per enabled channel the outbox's pending and in-flight counts,
 * the oldest waiting message's age, and the dead letters with their reason
 * and a retry button.
 */
import type { OutboxStatus } from '../../outbox/outbox-store.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import { CsrfField, Messages, Section } from './page-parts.tsx';

export interface DeliveriesPageProps {
  readonly csrfToken: string;
  readonly channels: readonly { readonly name: string; readonly status: OutboxStatus }[];
  readonly notice?: string;
}

function age(ms: number | undefined): string {
  if (ms === undefined) return '–';
  if (ms < 60_000) return `${Math.round(ms / 1000)} s`;
  if (ms < 3600_000) return `${Math.round(ms / 60_000)} min`;
  return `${(ms / 3600_000).toFixed(1)} h`;
}

export function DeliveriesPage(props: DeliveriesPageProps) {
  return (
    <Layout
      title="Leveranser"
      nav={<ConsoleNav current="deliveries" csrfToken={props.csrfToken} />}
    >
      <Messages notice={props.notice} />
      {props.channels.map(({ name, status }) => (
        <Section id={`ch-${name}`} heading={name} data-testid="channel" data-channel={name}>
          <dl class="facts">
            <dt>Väntar</dt>
            <dd data-testid="pending">{status.pending}</dd>
            <dt>Under leverans</dt>
            <dd data-testid="in-flight">{status.inFlight}</dd>
            <dt>Äldsta väntande</dt>
            <dd data-testid="oldest-age">{age(status.oldestPendingAgeMs)}</dd>
            <dt>Misslyckade</dt>
            <dd data-testid="dead-count">{status.dead.length}</dd>
          </dl>
          {status.dead.length > 0 && (
            <table>
              <caption>Misslyckade leveranser</caption>
              <thead>
                <tr>
                  <th scope="col">Id</th>
                  <th scope="col">Nyckel</th>
                  <th scope="col">Orsak</th>
                  <th scope="col">Försök</th>
                  <th scope="col">Åtgärd</th>
                </tr>
              </thead>
              <tbody>
                {status.dead.map((d) => (
                  <tr data-testid="dead-letter" data-id={d.id}>
                    <td>{d.id}</td>
                    <td>{d.key}</td>
                    <td>{d.error}</td>
                    <td>{d.attempts}</td>
                    <td>
                      <form
                        method="post"
                        action={`/console/deliveries/${d.id}/retry`}
                        class="inline"
                      >
                        <CsrfField token={props.csrfToken} />
                        <button type="submit" data-testid="retry">
                          Försök igen
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </Section>
      ))}
    </Layout>
  );
}
