/**
 * Every operation this producer serves, in one list: it drives routing, the
 * start-up listing of addresses, and the conformance tests' coverage check.
 */
import type { SchedulingService } from '../domain/scheduling-service.ts';
import type { AnyOperation } from './operation.ts';
import { cancelBooking } from './cancel-booking.ts';
import { getAllCareTypes } from './get-all-care-types.ts';
import { getAllHealthcareFacilities } from './get-all-healthcare-facilities.ts';
import { getAllPerformers } from './get-all-performers.ts';
import { getAllTimeTypes } from './get-all-time-types.ts';
import { getAvailableDates } from './get-available-dates.ts';
import { getAvailableTimeslots } from './get-available-timeslots.ts';
import { getBookingDetails } from './get-booking-details.ts';
import { getSubjectOfCareSchedule } from './get-subject-of-care-schedule.ts';
import { makeBooking } from './make-booking.ts';
import { pingForConfiguration, type PingInfo } from './ping-for-configuration.ts';
import { updateBooking } from './update-booking.ts';

export function createOperations(service: SchedulingService, ping: PingInfo): AnyOperation[] {
  return [
    getSubjectOfCareSchedule(service),
    getAvailableDates(service),
    getAvailableTimeslots(service),
    getBookingDetails(service),
    makeBooking(service),
    updateBooking(service),
    cancelBooking(service),
    getAllTimeTypes(service),
    getAllCareTypes(service),
    getAllHealthcareFacilities(service),
    getAllPerformers(service),
    pingForConfiguration(service.store, ping),
  ];
}
