/**
 * `/admin/patient-identifiers`: staff record, remove and list a patient's
 * other national identifiers (a BSN). Every request names the patient in
 * its JSON body, never in the URL, so the personnummer stays out of access
 * logs. The FHIR portal's contribution to the admin API.
 *
 * @module
 */
import { defineAdminRoute, noQuery, type AdminRouteContribution } from '../../admin/admin-route.ts';
import {
  listPatientIdentifiers,
  patientIdentifierInput,
  patientIdentifiersView,
  patientInput,
  patientSystemInput,
  recordPatientIdentifier,
  removePatientIdentifier,
} from './patient-identifier-actions.ts';

/** The patient-identifier routes as a contribution to the admin API. */
export const patientIdentifierRoutes: AdminRouteContribution = ({ service }) => [
  defineAdminRoute({
    method: 'POST',
    path: '/admin/patient-identifiers',
    summary: "Record a patient's identifier in one system (replacing the one recorded there)",
    body: patientIdentifierInput,
    query: noQuery,
    answer: patientIdentifiersView,
    handle: ({ body }) => recordPatientIdentifier(service, body),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/admin/patient-identifiers/remove',
    summary: "Forget a patient's identifier in one system",
    body: patientSystemInput,
    query: noQuery,
    answer: patientIdentifiersView,
    handle: ({ body }) => removePatientIdentifier(service, body),
  }),
  defineAdminRoute({
    method: 'POST',
    path: '/admin/patient-identifiers/list',
    summary: "List a patient's recorded identifiers (masked)",
    body: patientInput,
    query: noQuery,
    answer: patientIdentifiersView,
    handle: ({ body }) => listPatientIdentifiers(service, body),
  }),
];
