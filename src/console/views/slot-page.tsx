import type { Timeslot } from '../../domain/types.ts';
import { clock, isoDateOf } from '../pages/week.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import { CsrfField, Messages } from './page-parts.tsx';

export interface SlotPageProps {
  readonly csrfToken: string;
  readonly slot: Timeslot;
  readonly facilityName: string;
  readonly timeTypeName: string;
  readonly who: string | undefined;
  readonly error?: string;
}

/** A free slot, with the form that books it for a patient. */
export function SlotPage({
  csrfToken,
  slot,
  facilityName,
  timeTypeName,
  who,
  error,
}: SlotPageProps) {
  return (
    <Layout title="Ledig tid" nav={<ConsoleNav current="calendar" csrfToken={csrfToken} />}>
      <section class="card" data-testid="slot-panel" data-start={slot.start.ts}>
        <dl class="facts">
          <dt>Enhet</dt>
          <dd>{facilityName}</dd>
          <dt>Tid</dt>
          <dd>{`${isoDateOf(slot.start.ts)} ${clock(slot.start.ts)}–${clock(slot.end.ts)}`}</dd>
          <dt>Tidstyp</dt>
          <dd>{timeTypeName}</dd>
          {who && (
            <>
              <dt>Utförare/resurs</dt>
              <dd>{who}</dd>
            </>
          )}
        </dl>
        <form
          method="post"
          action={`/console/slots/${encodeURIComponent(slot.id)}/book`}
          class="card"
        >
          <h2>Boka åt en patient</h2>
          <Messages error={error} />
          <CsrfField token={csrfToken} />
          <label for="subjectOfCare">Personnummer (ååååmmddnnnn)</label>
          <input
            id="subjectOfCare"
            name="subjectOfCare"
            inputMode="numeric"
            autocomplete="off"
            required
            data-testid="patient-personnummer"
          />
          <label for="firstName">Förnamn</label>
          <input id="firstName" name="firstName" required data-testid="patient-first-name" />
          <label for="lastName">Efternamn</label>
          <input id="lastName" name="lastName" required data-testid="patient-last-name" />
          <label for="reason">Anledning (valfritt, syns inte i aviseringar)</label>
          <textarea id="reason" name="reason" maxLength={1000} rows={2} />
          <button type="submit" data-testid="book-for-patient">
            Boka
          </button>
        </form>
      </section>
    </Layout>
  );
}
