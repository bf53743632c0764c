import {
  ValidationError,
  invalidField,
  missingField,
  unknownPaymentType,
  unsupportedField,
} from '../core/errors.js';
import { isIdentifier } from '../core/ids.js';
import type { Operation, PaymentProvider, ProviderOperation } from '../providers/types.js';
import type { ProviderRegistry } from '../providers/registry.js';
import { type CheckedRequest, type CheckedValue, checkField, isAbsent } from './fields.js';

/** A call that passed check_params_process. */
export interface CheckedParams {
  provider: PaymentProvider;
  operation: ProviderOperation;
  request: CheckedRequest;
  storeId: string | undefined;
  /** undefined: the deployment's default environment. */
  isTest: boolean | undefined;
}

const ENVELOPE_FIELDS = new Set(['type', 'request', 'store_id', 'is_test']);

const isObject = (v: unknown): v is Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v);

function parseIsTest(value: unknown): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  throw invalidField('is_test');
}

/**
 * check_params_process, in the contract's order: body shape, required fields
 * (`{field} 不可為空`), payment type (`無此付款方式 {type}`), formats, unknown fields.
 */
export function checkParams(
  registry: ProviderRegistry,
  operationName: Operation,
  body: unknown,
): CheckedParams {
  if (!isObject(body)) throw new ValidationError('malformed_body', '請求格式錯誤');
  if (isAbsent(body.type)) throw missingField('type');
  if (isAbsent(body.request)) throw missingField('request');
  // The contract's order: a missing required field is reported before an unknown type.
  if (isObject(body.request)) {
    for (const name of registry.requiredByAll(operationName)) {
      if (isAbsent(body.request[name])) throw missingField(name);
    }
  }
  const provider = typeof body.type === 'string' ? registry.get(body.type) : undefined;
  const operation = provider?.operations[operationName];
  if (!provider || !operation) throw unknownPaymentType(body.type);
  const request = body.request;
  if (!isObject(request)) throw invalidField('request');

  for (const spec of operation.fields) {
    if (spec.required && isAbsent(request[spec.name])) throw missingField(spec.name);
  }
  const credentialFields = provider.credentials.requestFields;
  const given = credentialFields.filter((f) => !isAbsent(request[f]));
  if (given.length > 0 && given.length < credentialFields.length) {
    throw missingField(credentialFields.find((f) => isAbsent(request[f]))!);
  }
  const vendorScenario = given.length > 0;
  if (!vendorScenario && isAbsent(body.store_id)) throw missingField('store_id');

  const checked: Record<string, CheckedValue> = {};
  for (const spec of operation.fields) {
    const value = request[spec.name];
    if (isAbsent(value)) continue;
    checked[spec.name] = checkField(spec, value);
  }
  let storeId: string | undefined;
  // In the vendor scenario store_id is ignored (the seed's own example sends "0").
  if (!vendorScenario) {
    if (!isIdentifier(body.store_id)) {
      throw invalidField('store_id');
    }
    storeId = body.store_id;
  }
  const isTest = parseIsTest(body.is_test);

  for (const key of Object.keys(body)) if (!ENVELOPE_FIELDS.has(key)) throw unsupportedField(key);
  const known = new Set(operation.fields.map((f) => f.name));
  for (const key of Object.keys(request)) if (!known.has(key)) throw unsupportedField(key);

  const crossError = operation.crossCheck?.(checked);
  if (crossError) throw crossError;
  return { provider, operation, request: checked, storeId, isTest };
}
