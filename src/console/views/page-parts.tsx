/**
 * Pieces every console page repeats: the CSRF field of a form, the notice
 * and error lines after an action, and the unit picker.
 */
import type { ComponentChildren } from 'preact';
import type { Facility } from '../../domain/types.ts';

/** The session's CSRF token, in every POST form (see console-auth). */
export function CsrfField({ token }: { token: string }) {
  return <input type="hidden" name="_csrf" value={token} />;
}

/** What the last action did (a status line) or why it was not done (an alert). */
export function Messages({ notice, error }: { notice?: string | undefined; error?: string }) {
  return (
    <>
      {notice && (
        <p class="notice" role="status">
          {notice}
        </p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </>
  );
}

/** What every page with a unit picker gets. */
/**
 * A section named by its heading (`aria-labelledby`), so screen readers list
 * it as a region; other attributes (`class`, `data-testid`) go on the section.
 */
export function Section({
  id,
  heading,
  children,
  ...attributes
}: {
  id: string;
  heading: ComponentChildren;
  children: ComponentChildren;
  class?: string;
}) {
  return (
    <section aria-labelledby={id} {...attributes}>
      <h2 id={id}>{heading}</h2>
      {children}
    </section>
  );
}

/** A list of `items` (each rendered as an `<li>` by `item`), or a muted line when there are none. */
export function ListOrNone<T>(props: {
  items: readonly T[];
  none: string;
  class?: string;
  item: (item: T, index: number) => ComponentChildren;
}) {
  if (props.items.length === 0) return <p class="muted">{props.none}</p>;
  return <ul class={props.class}>{props.items.map(props.item)}</ul>;
}

export interface UnitPageProps {
  readonly csrfToken: string;
  readonly facilities: readonly Facility[];
  /** The chosen unit's HSA-id ('' when there is none). */
  readonly facility: string;
}

export interface FacilityPickerProps {
  readonly facilities: readonly Facility[];
  readonly selected: string | undefined;
  /** The select's id (unique on the page) and its label; `name` is always `facility`. */
  readonly id?: string;
  readonly label?: string;
}

/** The unit picker (`data-testid="facility"`), a labelled select named `facility`. */
export function FacilityPicker({
  facilities,
  selected,
  id = 'facility',
  label = 'Enhet',
}: FacilityPickerProps) {
  return (
    <div>
      <label for={id}>{label}</label>
      <select id={id} name="facility" data-testid="facility">
        {facilities.map((f) => (
          <option value={f.hsaId} selected={f.hsaId === selected}>
            {f.name}
          </option>
        ))}
      </select>
    </div>
  );
}
