/**
 * The parts of FHIR R4 Appointment and Communication this channel writes,
 * as plain JSON types. Optional elements are left out rather than empty:
 * FHIR forbids empty strings, arrays and `null` (ele-1).
 *
 * @module
 */

export interface FhirCoding {
  readonly system: string;
  readonly code: string;
  readonly display?: string;
}

export interface FhirCodeableConcept {
  readonly coding: readonly FhirCoding[];
}

export interface FhirIdentifier {
  readonly system: string;
  readonly value: string;
}

export interface FhirReference {
  readonly reference?: string;
  readonly identifier?: FhirIdentifier;
  readonly display?: string;
}

export interface FhirAppointment {
  readonly resourceType: 'Appointment';
  readonly id: string;
  readonly status: 'booked' | 'cancelled';
  readonly serviceCategory: readonly FhirCodeableConcept[];
  readonly appointmentType: FhirCodeableConcept;
  /** FHIR instant with the Europe/Stockholm offset. */
  readonly start: string;
  readonly end: string;
  readonly comment?: string;
  readonly participant: readonly {
    readonly actor: FhirReference;
    readonly status: 'accepted';
  }[];
}

export interface FhirPatient {
  readonly resourceType: 'Patient';
  readonly id: string;
  readonly identifier: readonly FhirIdentifier[];
}

export interface FhirCommunication {
  readonly resourceType: 'Communication';
  readonly status: 'completed';
  readonly contained: readonly FhirPatient[];
  readonly category: readonly FhirCodeableConcept[];
  readonly topic: { readonly text: string };
  readonly recipient: readonly FhirReference[];
  readonly payload: readonly { readonly contentString: string }[];
}

/** A FHIR `OperationOutcome`, as far as we read one. */
export interface FhirOperationOutcome {
  readonly resourceType: 'OperationOutcome';
  readonly issue: readonly {
    readonly severity: string;
    readonly code: string;
    readonly diagnostics?: string;
    readonly details?: { readonly text?: string };
    readonly expression?: readonly string[];
  }[];
}
