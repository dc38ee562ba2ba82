/**
 * Calendar import: upload a calendar file, see what importing it would do
 * (per kind: new, changed, unchanged), then confirm. Nothing is written
 * before the confirmation.
 */
import { changedRows, type ImportReport } from '../../calendar/import-calendar.ts';
import { DEFAULT_HORIZON_DAYS, MAX_HORIZON_DAYS } from '../../calendar/expand-calendar.ts';
import { isoDateOf } from '../pages/week.ts';
import { ConsoleNav } from './console-nav.tsx';
import { Layout } from './layout.tsx';
import { CsrfField, Messages, Section } from './page-parts.tsx';

/** A report on the page: a preview waiting for confirmation, or an import done. */
export interface ShownReport {
  readonly stage: 'preview' | 'done';
  readonly fileName: string;
  readonly report: ImportReport;
  /** The local date templates were expanded from and for how many days (previews). */
  readonly todayDt?: string;
  readonly horizonDays?: number;
  /** The preview's id, sent back by the confirm form. */
  readonly previewId?: string;
}

export interface ImportPageProps {
  readonly csrfToken: string;
  readonly shown?: ShownReport;
  /** Why the file cannot be imported: one line per problem. */
  readonly problems?: readonly string[];
  readonly notice?: string;
  readonly error?: string;
}

const KIND_LABELS: readonly (readonly [Exclude<keyof ImportReport, 'webBooking'>, string])[] = [
  ['facilities', 'Enheter'],
  ['careTypes', 'Vårdtyper'],
  ['timeTypes', 'Tidstyper'],
  ['performers', 'Utförare'],
  ['resources', 'Resurser'],
  ['timeslots', 'Tider'],
  ['invitations', 'Kallelser'],
  ['patientIdentifiers', 'Patientidentiteter'],
];

function ReportTable({ shown }: { shown: ShownReport }) {
  const caption =
    shown.stage === 'preview'
      ? `Så här skulle ${shown.fileName} ändra kalendern`
      : `Importerat från ${shown.fileName}`;
  return (
    <table class="report" data-testid="import-report" data-stage={shown.stage}>
      <caption>{caption}</caption>
      <thead>
        <tr>
          <th scope="col">Slag</th>
          <th scope="col">{shown.stage === 'preview' ? 'Nya' : 'Skapade'}</th>
          <th scope="col">Ändrade</th>
          <th scope="col">Oförändrade</th>
        </tr>
      </thead>
      <tbody>
        {KIND_LABELS.map(([kind, label]) => {
          const c = shown.report[kind];
          return (
            <tr
              data-kind={kind}
              data-created={c.created}
              data-changed={c.changed}
              data-unchanged={c.unchanged}
            >
              <th scope="row">{label}</th>
              <td>{c.created}</td>
              <td>{c.changed}</td>
              <td>{c.unchanged}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** Units whose web booking the import turns on or off, and what that sends. */
function WebBookingSwitches({ report }: { report: ImportReport }) {
  const { switchedOn, switchedOff, queued } = report.webBooking;
  if (switchedOn.length + switchedOff.length === 0) return null;
  const messages = Object.entries(queued).map(([channel, n]) => `${n} till ${channel}`);
  return (
    <ul data-testid="web-booking-switches">
      {switchedOn.length > 0 && (
        <li>Webbokning slås på för {switchedOn.join(', ')}: dagens bokningar visas på 1177.</li>
      )}
      {switchedOff.length > 0 && (
        <li>
          Webbokning slås av för {switchedOff.join(', ')}: dagens bokningar tas bort från 1177.
        </li>
      )}
      <li>Meddelanden för det: {messages.length > 0 ? messages.join(', ') : 'inga'}.</li>
    </ul>
  );
}

function Preview({ shown, csrfToken }: { shown: ShownReport; csrfToken: string }) {
  const { report } = shown;
  const changes = changedRows(report);
  return (
    <Section
      id="preview-heading"
      heading={shown.stage === 'preview' ? 'Förhandsgranskning' : 'Importen är klar'}
      class="card"
      data-testid="import-preview-report"
    >
      {shown.stage === 'preview' && shown.todayDt && (
        <p class="muted">
          Mallarna täcker {shown.horizonDays} dagar från {isoDateOf(shown.todayDt)}. Inget är ändrat
          än.
        </p>
      )}
      <ReportTable shown={shown} />
      <WebBookingSwitches report={report} />
      <p>
        {changes === 0
          ? 'Inga ändringar: kalendern innehåller redan allt i filen.'
          : 'En import lägger bara till och ändrar; den tar aldrig bort något.'}
      </p>
      {shown.stage === 'preview' && shown.previewId && (
        <form method="post" action="/console/import/confirm" class="actions">
          <CsrfField token={csrfToken} />
          <input type="hidden" name="previewId" value={shown.previewId} />
          <button type="submit" data-testid="confirm">
            Importera
          </button>
          <a class="button secondary" href="/console/import">
            Avbryt
          </a>
        </form>
      )}
    </Section>
  );
}

function UploadForm({ csrfToken }: { csrfToken: string }) {
  return (
    <form
      method="post"
      action="/console/import/preview"
      encType="multipart/form-data"
      class="card stack"
      aria-labelledby="upload-heading"
    >
      <h2 id="upload-heading">Välj kalenderfil</h2>
      <CsrfField token={csrfToken} />
      <label for="calendar-file">Kalenderfil (JSON)</label>
      <input
        id="calendar-file"
        name="calendarFile"
        type="file"
        accept=".json,application/json"
        required
        data-testid="import-file"
        aria-describedby="calendar-file-help"
      />
      <small id="calendar-file-help">
        Formatet beskrivs i docs/calendar-format.md. Du ser vad importen skulle göra innan något
        ändras.
      </small>
      <label for="horizon">Antal dagar som veckomallarna täcker</label>
      <input
        id="horizon"
        name="horizonDays"
        type="number"
        min={1}
        max={MAX_HORIZON_DAYS}
        value={String(DEFAULT_HORIZON_DAYS)}
        required
      />
      <button type="submit" data-testid="import-preview">
        Förhandsgranska
      </button>
    </form>
  );
}

export function ImportPage(props: ImportPageProps) {
  return (
    <Layout
      title="Importera kalender"
      nav={<ConsoleNav current="import" csrfToken={props.csrfToken} />}
    >
      <Messages notice={props.notice} error={props.error} />
      {props.problems && props.problems.length > 0 && (
        <section class="card" aria-labelledby="problems-heading" data-testid="import-errors">
          <h2 id="problems-heading" class="error">
            Filen kan inte importeras. Inget har ändrats.
          </h2>
          <ul>
            {props.problems.map((p) => (
              <li>{p}</li>
            ))}
          </ul>
        </section>
      )}
      {props.shown && <Preview shown={props.shown} csrfToken={props.csrfToken} />}
      {props.shown?.stage !== 'preview' && <UploadForm csrfToken={props.csrfToken} />}
    </Layout>
  );
}
