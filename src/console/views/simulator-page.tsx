/**
 * The 1177 simulator page: the citizen's search (personnummer, unit, time
 * type), free dates and times, "my bookings", and the SOAP log of every
 * exchange with its schema verdict. One page, plain forms, no script.
 */
import type { Facility } from '../../domain/types.ts';
import { maskPersonIdsInText, maskSubjectOfCare } from '../../domain/personnummer.ts';
import type { SoapExchange } from '../../soap-client/soap-client.ts';
import { clock, isoDateOf } from '../pages/week.ts';
import type { MvkView } from '../simulator/mvk-calls.ts';
import { prettyXml } from '../simulator/pretty-xml.ts';
import type { SimulatorState } from '../simulator/simulator-state.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import { CsrfField, FacilityPicker, ListOrNone, Section } from './page-parts.tsx';

export interface SimulatorPageProps {
  readonly csrfToken: string;
  readonly state: SimulatorState;
  readonly facilities: readonly Facility[];
  /** This tidbok's own SOAP base URL (the default producer). */
  readonly ownBaseUrl: string;
  /** The date whose free times are shown (yyyyMMdd). */
  readonly date: string | undefined;
  /** The producer's answers; absent until a patient and a unit are chosen. */
  readonly view?: MvkView;
}

const dayLabel = (dt: string) =>
  new Intl.DateTimeFormat('sv-SE', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: 'UTC',
  }).format(new Date(`${isoDateOf(dt)}T12:00:00Z`));

function when(ts: string | undefined): string {
  return ts ? `${isoDateOf(ts)} ${clock(ts)}` : 'Ingen tid bestämd';
}

function SearchForm(props: SimulatorPageProps) {
  const { state } = props;
  return (
    <form method="post" action="/simulator/search" class="filters" aria-label="Sök tider">
      <CsrfField token={props.csrfToken} />
      <div>
        <label for="personnummer">Personnummer</label>
        <input
          id="personnummer"
          name="subjectOfCare"
          data-testid="personnummer"
          inputMode="numeric"
          autoComplete="off"
          placeholder={
            state.subjectOfCare ? maskSubjectOfCare(state.subjectOfCare) : 'ååååmmddnnnn'
          }
          aria-describedby="personnummer-help"
        />
        <small id="personnummer-help">
          {state.subjectOfCare
            ? 'Lämna tomt för att behålla patienten.'
            : '12 siffror. Sparas bara i din session.'}
        </small>
      </div>
      <FacilityPicker
        facilities={props.facilities}
        selected={state.facility}
        id="sim-facility"
        label="Mottagning"
      />
      <div>
        <label for="time-type">Tidtyp</label>
        <select id="time-type" name="timeType" data-testid="time-type">
          <option value="">Alla tidtyper</option>
          {(props.view?.timeTypes ?? []).map((t) => (
            <option value={t.id} selected={t.id === state.timeType}>
              {t.name}
            </option>
          ))}
        </select>
      </div>
      <details class="producer">
        <summary>Producent</summary>
        <label for="base-url">Producentens bas-URL</label>
        <input
          id="base-url"
          name="baseUrl"
          value={state.baseUrl ?? ''}
          placeholder={props.ownBaseUrl}
        />
        <label for="logical-address">LogicalAddress</label>
        <input
          id="logical-address"
          name="logicalAddress"
          value={state.logicalAddress ?? ''}
          placeholder="Mottagningens HSA-id"
        />
      </details>
      <button type="submit" data-testid="search">
        Sök
      </button>
    </form>
  );
}

function TargetNote({ props }: { props: SimulatorPageProps }) {
  const target = props.state.target;
  if (!target) return null;
  return (
    <form method="post" action="/simulator/target" class="notice">
      <CsrfField token={props.csrfToken} />
      <p>
        {target.mode === 'rebook'
          ? `Välj en ny tid för bokning ${target.bookingId}.`
          : `Välj en tid för kallelse ${target.bookingId}.`}{' '}
        <button type="submit" class="link" name="bookingId" value="">
          Avbryt
        </button>
      </p>
    </form>
  );
}

/** A free date: a link that shows its free times. */
function DateEntry({ date: d, current }: { date: string; current: string | undefined }) {
  return (
    <li>
      <a
        href={`/simulator/?date=${d}`}
        data-testid="date"
        data-date={d}
        aria-current={d === current ? 'date' : undefined}
        class={d === current ? 'button' : 'button secondary'}
      >
        {dayLabel(d)}
      </a>
    </li>
  );
}

function FreeTimes({ props, view }: { props: SimulatorPageProps; view: MvkView }) {
  return (
    <Section id="free-heading" heading="Lediga tider">
      <ListOrNone
        items={view.dates}
        none="Inga lediga dagar de närmaste fyra veckorna."
        class="dates"
        item={(d) => <DateEntry date={d} current={props.date} />}
      />
      {view.slots.length > 0 && (
        <form method="post" action="/simulator/book">
          <CsrfField token={props.csrfToken} />
          <fieldset>
            <legend>Tider {props.date ? dayLabel(props.date) : ''}</legend>
            {view.slots.map((s, i) => (
              <label class="timeslot" data-testid="timeslot" data-start={s.startTimeInclusive}>
                <input type="radio" name="slot" value={String(i)} required checked={i === 0} />{' '}
                {clock(s.startTimeInclusive ?? '')}–{clock(s.endTimeExclusive ?? '')}{' '}
                {s.timeTypeName ?? s.timeTypeID} {s.performerName ?? s.resourceName ?? ''}
              </label>
            ))}
          </fieldset>
          <button type="submit" data-testid="book">
            Boka
          </button>
        </form>
      )}
    </Section>
  );
}

type MyBooking = MvkView['bookings'][number];

/** What can be done to one of my bookings: each posts its id to `/simulator/<action>` (also its test id). */
const MY_BOOKING_ACTIONS = [
  {
    action: 'rebook',
    class: 'secondary',
    label: 'Boka om',
    allowed: (b: MyBooking) => b.rebooking_allowed !== false,
  },
  {
    action: 'cancel',
    class: 'danger',
    label: 'Avboka',
    allowed: (b: MyBooking) => b.cancel_booking_allowed !== false,
  },
] as const;

function BookingActions({ csrfToken, booking }: { csrfToken: string; booking: MyBooking }) {
  return MY_BOOKING_ACTIONS.map((a) => (
    <form method="post" action={`/simulator/${a.action}`} class="inline">
      <CsrfField token={csrfToken} />
      <input type="hidden" name="bookingId" value={booking.bookingId ?? ''} />
      <button type="submit" class={a.class} data-testid={a.action} disabled={!a.allowed(booking)}>
        {a.label}
      </button>
    </form>
  ));
}

/** One of my bookings, with its actions. */
function MyBookingEntry({ booking: b, csrfToken }: { booking: MyBooking; csrfToken: string }) {
  return (
    <li data-testid="my-booking" data-booking-id={b.bookingId}>
      <strong>{when(b.startTimeInclusive)}</strong> {b.timeTypeName ?? b.timeTypeID}
      {b.isInvitation ? ' (kallelse)' : ''} <span class="muted">id {b.bookingId}</span>
      <BookingActions csrfToken={csrfToken} booking={b} />
    </li>
  );
}

function MyBookings({ props, view }: { props: SimulatorPageProps; view: MvkView }) {
  return (
    <Section id="mine-heading" heading="Mina bokningar">
      <ListOrNone
        items={view.bookings}
        none="Inga bokningar på mottagningen."
        class="my-bookings"
        item={(b) => <MyBookingEntry booking={b} csrfToken={props.csrfToken} />}
      />
      <form method="post" action="/simulator/target" class="filters">
        <CsrfField token={props.csrfToken} />
        <input type="hidden" name="mode" value="invitation" />
        <div>
          <label for="invitation-id">Kallelsens boknings-id (från inkorgen)</label>
          <input id="invitation-id" name="bookingId" data-testid="invitation-id" required />
        </div>
        <button type="submit" class="secondary" data-testid="open-invitation">
          Boka kallelse
        </button>
      </form>
    </Section>
  );
}

/** One message of an exchange, masked, with the schema verdict. */
function Message({ label, xml }: { label: string; xml: string }) {
  return (
    <div>
      <h4>{label}</h4>
      <pre tabIndex={0}>{maskPersonIdsInText(prettyXml(xml))}</pre>
    </div>
  );
}

function ExchangeEntry({ exchange }: { exchange: SoapExchange }) {
  const invalid = exchange.schemaErrors.length > 0;
  return (
    <details class={invalid ? 'exchange invalid' : 'exchange'} data-operation={exchange.operation}>
      <summary>
        {exchange.operation} · HTTP {exchange.status} · {Math.round(exchange.durationMs)} ms ·{' '}
        {invalid ? (
          <strong class="invalid-mark" data-testid="invalid">
            ✖ Ogiltigt mot schemat
          </strong>
        ) : exchange.transportError ? (
          <strong class="invalid-mark">✖ Inget svar</strong>
        ) : (
          <span class="valid-mark">✔ Giltigt mot schemat</span>
        )}
      </summary>
      {invalid && (
        <ul class="error">
          {exchange.schemaErrors.map((e) => (
            <li>{e}</li>
          ))}
        </ul>
      )}
      <Message label="Begäran" xml={exchange.requestXml} />
      <Message label="Svar" xml={exchange.responseXml || exchange.transportError || ''} />
    </details>
  );
}

export function SimulatorPage(props: SimulatorPageProps) {
  const { state, view } = props;
  const flash = state.flash;
  return (
    <Layout
      title="1177-simulator"
      nav={<ConsoleNav current="simulator" csrfToken={props.csrfToken} />}
    >
      <p class="muted">
        Spelar 1177 (MVK) mot en producents SOAP-tjänster. Producent:{' '}
        <code>{state.baseUrl ?? props.ownBaseUrl}</code>
      </p>
      {flash && (
        <p class={flash.kind} role={flash.kind === 'error' ? 'alert' : 'status'}>
          {flash.text}
        </p>
      )}
      <SearchForm {...props} />
      <TargetNote props={props} />
      {view?.problems.map((p) => (
        <p class="error" role="alert">
          {p}
        </p>
      ))}
      {view && <FreeTimes props={props} view={view} />}
      {view && <MyBookings props={props} view={view} />}
      <Section id="log-heading" heading="SOAP-logg" data-testid="soap-log">
        {state.log.length === 0 ? (
          <p class="muted">Inga anrop än.</p>
        ) : (
          state.log.map((e) => <ExchangeEntry exchange={e} />)
        )}
      </Section>
    </Layout>
  );
}
