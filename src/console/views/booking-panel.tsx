import type { Booking, CareType, TimeType } from '../../domain/types.ts';
import type { CalendarSlot } from '../pages/calendar-data.ts';
import { clock, isoDateOf } from '../pages/week.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import { CsrfField, Messages } from './page-parts.tsx';

export interface BookingPanelProps {
  readonly csrfToken: string;
  readonly booking: Booking;
  readonly facilityName: string;
  readonly timeType: TimeType | undefined;
  readonly careType: CareType | undefined;
  /** The personnummer in clear, only after a logged reveal. */
  readonly revealed: string | undefined;
  readonly masked: string;
  /** Free slots the booking can move to (same unit and time type). */
  readonly rebookOptions: readonly CalendarSlot[];
  readonly error?: string;
  readonly notice?: string;
}

const when = (ts: string | undefined) => (ts ? `${isoDateOf(ts)} ${clock(ts)}` : '–');
const yesNo = (value: boolean | undefined) => (value ? 'ja' : 'nej');

export function BookingPanel(props: BookingPanelProps) {
  const { booking: b, timeType } = props;
  const kind = !b.isInvitation ? 'Bokning' : b.slotId ? 'Tidsatt kallelse' : 'Öppen kallelse';
  const active = b.status === 'active';
  const base = `/console/bookings/${encodeURIComponent(b.id)}`;
  return (
    <Layout
      title={`${kind} ${b.id}`}
      nav={<ConsoleNav current="calendar" csrfToken={props.csrfToken} />}
    >
      <section class="card" data-testid="booking" data-booking-id={b.id} data-status={b.status}>
        <Messages notice={props.notice} error={props.error} />
        <dl class="facts">
          <dt>Status</dt>
          <dd>{active ? 'Aktiv' : 'Avbokad'}</dd>
          <dt>Patient</dt>
          <dd>
            {`${b.patient.firstName} ${b.patient.lastName}`},{' '}
            <span data-testid="personnummer-shown">{props.revealed ?? props.masked}</span>
            {!props.revealed && (
              <form method="post" action={`${base}/reveal`} class="inline">
                <CsrfField token={props.csrfToken} />{' '}
                <button type="submit" class="link">
                  Visa personnummer
                </button>
              </form>
            )}
          </dd>
          <dt>Enhet</dt>
          <dd>{props.facilityName}</dd>
          <dt>Tid</dt>
          <dd>
            {when(b.start?.ts)}–{b.end ? clock(b.end.ts) : ''}
          </dd>
          <dt>Tidstyp</dt>
          <dd>{timeType?.name ?? b.timeTypeId}</dd>
          <dt>Vårdtyp</dt>
          <dd>{props.careType?.name ?? b.careTypeId ?? '–'}</dd>
          <dt>Får avbokas / ombokas av patienten</dt>
          <dd>
            {yesNo(timeType?.cancelAllowed)} / {yesNo(timeType?.rebookAllowed)}
          </dd>
          {b.purpose && (
            <>
              <dt>Syfte</dt>
              <dd>{b.purpose}</dd>
            </>
          )}
          {b.cancelMessage && (
            <>
              <dt>Meddelande vid avbokning</dt>
              <dd>{b.cancelMessage}</dd>
            </>
          )}
          <dt>Historik</dt>
          <dd>
            Skapad {new Date(b.createdAt).toISOString().slice(0, 16).replace('T', ' ')} UTC, senast
            ändrad {new Date(b.updatedAt).toISOString().slice(0, 16).replace('T', ' ')} UTC, version{' '}
            {b.version}
          </dd>
        </dl>
        {active && b.slotId && (
          <form method="post" action={`${base}/rebook`} class="card">
            <CsrfField token={props.csrfToken} />
            <h2>Omboka</h2>
            {props.rebookOptions.length === 0 ? (
              <p class="muted">Inga lediga tider med samma tidstyp de närmaste veckorna.</p>
            ) : (
              <>
                <label for="slotId">Ny tid</label>
                <select id="slotId" name="slotId" data-testid="rebook-slot" required>
                  {props.rebookOptions.map((s) => (
                    <option value={s.slotId} data-start={s.start.ts}>
                      {`${when(s.start.ts)}–${clock(s.end.ts)}${s.who ? `, ${s.who}` : ''}`}
                    </option>
                  ))}
                </select>
                <button type="submit" data-testid="rebook-booking">
                  Omboka
                </button>
              </>
            )}
          </form>
        )}
        {active && (
          <form method="post" action={`${base}/cancel`} class="card">
            <CsrfField token={props.csrfToken} />
            <h2>{b.isInvitation ? 'Återkalla kallelsen' : 'Avboka'}</h2>
            <label for="message">Meddelande till patienten (valfritt)</label>
            <textarea id="message" name="message" maxLength={1000} rows={3} />
            <button type="submit" class="danger" data-testid="cancel-booking">
              {b.isInvitation ? 'Återkalla' : 'Avboka'}
            </button>
          </form>
        )}
      </section>
    </Layout>
  );
}
