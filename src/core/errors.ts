/**
 * The gateway's own errors: one flat hierarchy, each class one HTTP status and
 * one stable machine code. `message` is the text the API contract prescribes.
 */
export abstract class GatewayError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
}

/** 400: the call itself is wrong (check_params_process and friends). */
export class ValidationError extends GatewayError {
  override readonly name = 'ValidationError';
  readonly status = 400;
  constructor(
    readonly code:
      | 'malformed_body'
      | 'missing_field'
      | 'unknown_payment_type'
      | 'invalid_field'
      | 'unsupported_field',
    message: string,
  ) {
    super(message);
  }
}

export const missingField = (field: string): ValidationError =>
  new ValidationError('missing_field', `${field} 不可為空`);
export const invalidField = (field: string): ValidationError =>
  new ValidationError('invalid_field', `${field} 格式錯誤`);
export const unsupportedField = (field: string): ValidationError =>
  new ValidationError('unsupported_field', `不支援的欄位 ${field}`);
export const unknownPaymentType = (type: unknown): ValidationError =>
  new ValidationError('unknown_payment_type', `無此付款方式 ${describeValue(type).slice(0, 100)}`);

/**
 * A caller's value as text for an error message. Never throws: `String()` on
 * a parsed JSON object such as `{"toString": ""}` does, so anything that is
 * not a string, number or boolean is shown as JSON.
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  try {
    return JSON.stringify(value) ?? typeof value;
  } catch {
    return typeof value;
  }
}

/** 400: the company has not configured what the call needs. */
export class NotConfiguredError extends GatewayError {
  override readonly name = 'NotConfiguredError';
  readonly status = 400;
  constructor(
    readonly code: 'key_set_not_configured' | 'store_not_configured',
    message: string,
  ) {
    super(message);
  }
}

/** 404: the store does not exist for this company (another company's looks the same). */
export class StoreNotFoundError extends GatewayError {
  override readonly name = 'StoreNotFoundError';
  readonly status = 404;
  readonly code = 'store_not_found';
  constructor(storeId: string) {
    super(`門市 ${storeId} 不存在`);
  }
}

export class NotFoundError extends GatewayError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly code = 'not_found';
}

/** 401: bearer authentication failed. */
export class AuthenticationError extends GatewayError {
  override readonly name = 'AuthenticationError';
  readonly status = 401;
  constructor(
    readonly code: 'missing_token' | 'invalid_token' | 'no_session' | 'invalid_credentials',
    message: string,
  ) {
    super(message);
  }
}

/** 409: the action does not apply to the resource in its current state. */
export class ConflictError extends GatewayError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  constructor(
    readonly code:
      | 'not_unknown'
      | 'not_refundable'
      | 'not_cancellable'
      | 'credentials_not_stored'
      | 'action_not_supported'
      | 'client_revoked',
    message: string,
  ) {
    super(message);
  }
}

/** 403: authenticated, but this role may not, or the CSRF token is missing or wrong. */
export class ForbiddenError extends GatewayError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  constructor(
    readonly code: 'forbidden' | 'csrf_failed',
    message: string,
  ) {
    super(message);
  }
}

/** 504: the request may have reached the wallet (named by `wallet`); its outcome is unknown. */
export class UpstreamTimeoutError extends GatewayError {
  override readonly name = 'UpstreamTimeoutError';
  readonly status = 504;
  readonly code = 'upstream_timeout';
  constructor(wallet: string) {
    super(`${wallet} 未在時限內回應，交易結果未知，請以查詢確認`);
  }
}

/** 502: the request certainly did not reach the wallet. */
export class UpstreamUnavailableError extends GatewayError {
  override readonly name = 'UpstreamUnavailableError';
  readonly status = 502;
  readonly code = 'upstream_unavailable';
  constructor(wallet: string) {
    super(`無法連線至 ${wallet}，請求未送出`);
  }
}

/** 502: the wallet answered with something that cannot be trusted; the outcome is unknown. */
export class UpstreamInvalidError extends GatewayError {
  override readonly name = 'UpstreamInvalidError';
  readonly status = 502;
  readonly code = 'upstream_invalid';
  constructor(wallet: string) {
    super(`${wallet} 回應無法驗證，交易結果未知，請以查詢確認`);
  }
}

/** 429: an abuse limit was reached; `retryAfterSeconds` goes into `Retry-After`. */
export class RateLimitedError extends GatewayError {
  override readonly name = 'RateLimitedError';
  readonly status = 429;
  readonly code = 'rate_limited';
  constructor(readonly retryAfterSeconds: number) {
    super('請求過於頻繁，請稍後再試');
  }
}

/**
 * 503: the gateway's own database cannot serve now (connection lost, server
 * restarting, disk full, file read-only). Nothing was sent upstream; retry
 * after `retryAfterSeconds`.
 */
export class DatabaseUnavailableError extends GatewayError {
  override readonly name = 'DatabaseUnavailableError';
  readonly status = 503;
  readonly code = 'database_unavailable';
  readonly retryAfterSeconds = 2;
  constructor(options?: { cause?: unknown }) {
    super('系統暫時無法使用，請稍後再試', options);
  }
}
