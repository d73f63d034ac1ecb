/**
 * The errors Vigil answers with. Each has a stable id and an HTTP status; `httpStatusOf` is the
 * only place an error becomes a status code. Messages name the series, the rule broken and, for a
 * limit, the option that raises it.
 */

export type ErrorId =
  | 'no-org-id'
  | 'invalid-tenant'
  | 'unsupported-media-type'
  | 'message-too-large'
  | 'bad-request-body'
  | 'validation'
  | 'rate-limited'
  | 'ingester-failed'
  | 'ring-unavailable'
  | 'bad-query-param'
  | 'query-limit'
  | 'not-ready'
  | 'internal';

const STATUS: Readonly<Record<ErrorId, number>> = {
  'no-org-id': 401,
  'invalid-tenant': 400,
  'unsupported-media-type': 415,
  'message-too-large': 400,
  'bad-request-body': 400,
  validation: 400,
  'rate-limited': 429,
  'ingester-failed': 500,
  'ring-unavailable': 500,
  'bad-query-param': 400,
  'query-limit': 422,
  'not-ready': 503,
  internal: 500,
};

export class VigilError extends Error {
  constructor(
    readonly id: ErrorId,
    message: string,
    /** Overrides the id's status, e.g. an ingester's own 4xx passed through. */
    readonly statusOverride?: number,
  ) {
    super(message);
    this.name = 'VigilError';
  }
}

export function httpStatusOf(err: unknown): number {
  if (err instanceof VigilError) return err.statusOverride ?? STATUS[err.id];
  return 500;
}

export function errorCatalogue(): readonly { id: ErrorId; status: number }[] {
  return (Object.keys(STATUS) as ErrorId[]).map((id) => ({ id, status: STATUS[id] }));
}
