/**
 * Pieces every console page repeats: the CSRF field of a form, the notice
 * and error lines after an action, and the unit picker.
 */
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
