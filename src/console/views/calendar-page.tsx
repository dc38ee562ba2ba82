import type { Performer, Resource } from '../../domain/types.ts';
import type { CalendarSlot } from '../pages/calendar-data.ts';
import { clock, isoDateOf, type Week } from '../pages/week.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import { FacilityPicker, ListOrNone, type UnitPageProps } from './page-parts.tsx';

export interface CalendarPageProps extends UnitPageProps {
  readonly performers: readonly Performer[];
  readonly resources: readonly Resource[];
  /** The picker's value: '' (everyone), `p:<hsa-id>` or `r:<id>`. */
  readonly who: string;
  readonly week: Week;
  readonly slots: readonly CalendarSlot[];
}

const STATE_LABEL: Record<CalendarSlot['state'], string> = {
  free: 'Ledig',
  booked: 'Bokad',
  invited: 'Kallad',
  past: 'Passerad',
};

function weekLink(props: CalendarPageProps, date: string): string {
  const q = new URLSearchParams({ facility: props.facility, week: date });
  if (props.who) q.set('who', props.who);
  return `/console/?${q.toString()}`;
}

function SlotEntry({ slot }: { slot: CalendarSlot }) {
  const href = slot.bookingId
    ? `/console/bookings/${encodeURIComponent(slot.bookingId)}`
    : `/console/slots/${encodeURIComponent(slot.slotId)}`;
  return (
    <li>
      <a
        class={`slot ${slot.state}`}
        href={href}
        data-testid="slot"
        data-start={slot.start.ts}
        data-state={slot.state}
        data-booking-id={slot.bookingId}
      >
        <span class="time">
          {clock(slot.start.ts)}–{clock(slot.end.ts)}
        </span>{' '}
        <span class="state">{STATE_LABEL[slot.state]}</span>
        <span class="what">{slot.timeTypeName}</span>
        {slot.who && <span class="who">{slot.who}</span>}
      </a>
    </li>
  );
}

export function CalendarPage(props: CalendarPageProps) {
  const { week } = props;
  return (
    <Layout title="Kalender" nav={<ConsoleNav current="calendar" csrfToken={props.csrfToken} />}>
      <form method="get" action="/console/" class="filters">
        <FacilityPicker facilities={props.facilities} selected={props.facility} />
        <div>
          <label for="who">Utförare eller resurs</label>
          <select id="who" name="who" data-testid="performer">
            <option value="" selected={props.who === ''}>
              Alla utförare och resurser
            </option>
            {props.performers.map((p) => (
              <option value={`p:${p.hsaId}`} selected={props.who === `p:${p.hsaId}`}>
                {`${p.firstName} ${p.lastName}`}
              </option>
            ))}
            {props.resources.map((r) => (
              <option value={`r:${r.id}`} selected={props.who === `r:${r.id}`}>
                {r.name}
              </option>
            ))}
          </select>
        </div>
        <input type="hidden" name="week" value={week.monday} />
        <button type="submit">Visa</button>
      </form>
      <nav class="week-nav" aria-label="Vecka">
        <a class="button secondary" href={weekLink(props, week.previous)} data-testid="prev-week">
          ← Föregående vecka
        </a>
        <h2>{week.label}</h2>
        <a class="button secondary" href={weekLink(props, week.next)} data-testid="next-week">
          Nästa vecka →
        </a>
      </nav>
      <div class="week" data-testid="calendar" data-week={week.monday}>
        {week.days.map((day) => {
          const slots = props.slots.filter((s) => isoDateOf(s.start.ts) === day.date);
          return (
            <section
              class={day.isToday ? 'day today' : 'day'}
              aria-label={day.label}
              data-date={day.date}
            >
              <h3>
                {day.label}
                {day.isToday && <span class="today-mark"> (idag)</span>}
              </h3>
              <ListOrNone items={slots} none="Inga tider" item={(s) => <SlotEntry slot={s} />} />
            </section>
          );
        })}
      </div>
    </Layout>
  );
}
