/**
 * A small facility as a calendar file gives it (JSON, before parsing), for
 * the calendar module's tests: one care type, one time type, one performer
 * and one resource. Tests add schedules, slots and invitations, or change a
 * field, through the overrides.
 */

export const FIXTURE_FACILITY = 'SE2321000016-1hz5';
export const FIXTURE_PERFORMER = 'SE2321000016-p001';

/** Time type `prov` (Provtagning, care type `lab`), cancellable and movable online. */
export function aTimeTypeJson(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 'prov',
    name: 'Provtagning',
    careTypeIds: ['lab'],
    cancelAllowed: true,
    rebookAllowed: true,
    messageAllowed: false,
    ...fields,
  };
}

/** The facility with {@link aTimeTypeJson}, performer Anna Berg and room `rum1`. */
export function aFacilityJson(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    hsaId: FIXTURE_FACILITY,
    name: 'Vårdcentralen Kungsholmen',
    webBookingEnabled: true,
    careTypes: [{ id: 'lab', name: 'Laboratorium' }],
    timeTypes: [aTimeTypeJson()],
    performers: [{ hsaId: FIXTURE_PERFORMER, firstName: 'Anna', lastName: 'Berg' }],
    resources: [{ id: 'rum1', name: 'Provrum 1' }],
    ...fields,
  };
}
