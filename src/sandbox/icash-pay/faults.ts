import { FaultBook, FaultInputError, type FaultFields, parseFaultFields } from '../faults.js';
import { OPERATION_NAMES, type OperationName } from './operation.js';

/** The icash fault kinds, and a fault as `POST /sandbox/faults {"MerchantID", ...}` sets it. */

export const FAULT_KINDS = ['delay', 'http500', 'drop', 'bad_signature', 'non_json'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface Fault extends FaultFields<FaultKind, OperationName> {
  MerchantID: string;
}

/** The body field that names an icash account in the fault controls. */
export const FAULT_OWNER_FIELD = 'MerchantID';

/** Checks a `POST /sandbox/faults` body naming a MerchantID. */
export function parseFault(input: Record<string, unknown>): Fault {
  const { MerchantID } = input;
  if (typeof MerchantID !== 'string' || !/^\d{8}$/.test(MerchantID)) {
    throw new FaultInputError('MerchantID must be an 8-digit string');
  }
  return { MerchantID, ...parseFaultFields(input, FAULT_KINDS, OPERATION_NAMES) };
}

export const newFaultBook = (checkOwner: (value: string) => string): FaultBook<Fault> =>
  new FaultBook<Fault>({
    ownerField: FAULT_OWNER_FIELD,
    ownerOf: (f) => f.MerchantID,
    parse: parseFault,
    checkOwner,
  });
