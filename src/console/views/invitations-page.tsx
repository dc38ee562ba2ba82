/**
 * Invitations (kallelser): the open ones of a unit, a form to create an open
 * or timed one (plain text or DocBook purpose), and withdraw.
 */
import type { Booking, TimeType } from '../../domain/types.ts';
import { maskSubjectOfCare } from '../../domain/personnummer.ts';
import { clock, isoDateOf } from '../pages/week.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import {
  CsrfField,
  FacilityPicker,
  ListOrNone,
  Messages,
  Section,
  type UnitPageProps,
} from './page-parts.tsx';

export interface InvitationsPageProps extends UnitPageProps {
  readonly timeTypes: readonly TimeType[];
  readonly invitations: readonly Booking[];
  readonly notice?: string;
  readonly error?: string;
}

export function InvitationsPage(props: InvitationsPageProps) {
  const csrf = <CsrfField token={props.csrfToken} />;
  return (
    <Layout
      title="Kallelser"
      nav={<ConsoleNav current="invitations" csrfToken={props.csrfToken} />}
    >
      <Messages notice={props.notice} error={props.error} />
      <form method="get" action="/console/invitations" class="filters">
        <FacilityPicker facilities={props.facilities} selected={props.facility} />
        <button type="submit">Visa</button>
      </form>
      <Section id="open-heading" heading="Öppna kallelser">
        <ListOrNone
          items={props.invitations}
          none="Inga öppna kallelser."
          item={(b) => (
            <li data-testid="invitation" data-booking-id={b.id}>
              <strong>{b.id}</strong> {maskSubjectOfCare(b.subjectOfCare)} ·{' '}
              {b.start ? `${isoDateOf(b.start.ts)} ${clock(b.start.ts)}` : 'öppen'}
              {b.expiresOn ? ` · gäller till ${isoDateOf(b.expiresOn)}` : ''}
              <form
                method="post"
                action={`/console/invitations/${encodeURIComponent(b.id)}/withdraw`}
                class="inline"
              >
                {csrf}
                <button type="submit" class="danger" data-testid="withdraw">
                  Dra tillbaka
                </button>
              </form>
            </li>
          )}
        />
      </Section>
      <Section id="new-heading" heading="Ny kallelse">
        <form
          method="post"
          action="/console/invitations"
          class="stack"
          data-testid="new-invitation"
        >
          {csrf}
          <input type="hidden" name="facility" value={props.facility} />
          <label for="inv-pnr">Personnummer</label>
          <input
            id="inv-pnr"
            name="subjectOfCare"
            required
            autoComplete="off"
            inputMode="numeric"
          />
          <label for="inv-first">Förnamn</label>
          <input id="inv-first" name="firstName" required />
          <label for="inv-last">Efternamn</label>
          <input id="inv-last" name="lastName" required />
          <label for="inv-type">Tidtyp</label>
          <select id="inv-type" name="timeTypeId">
            {props.timeTypes.map((t) => (
              <option value={t.id}>{t.name}</option>
            ))}
          </select>
          <label for="inv-slot">Tid (tomt = öppen kallelse; annars tidens id från kalendern)</label>
          <input id="inv-slot" name="slotId" />
          <label for="inv-expires">Sista dag att boka (öppen kallelse, ååååmmdd)</label>
          <input id="inv-expires" name="expiresOn" inputMode="numeric" />
          <label for="inv-purpose">Kallelsetext (vanlig text eller DocBook &lt;article&gt;)</label>
          <textarea id="inv-purpose" name="purpose" rows={5} required />
          <button type="submit" data-testid="create-invitation">
            Skapa kallelse
          </button>
        </form>
      </Section>
    </Layout>
  );
}
