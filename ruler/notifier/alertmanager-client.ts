/**
 * One Alertmanager as the notifier sees it: the URL alerts are POSTed to (`<base>/api/v2/alerts`),
 * basic auth taken out of the base URL, and one delivery of a batch with bounded retries.
 *
 * Retries (Prometheus sends once; Cortex users expect a few): a network error, 429 or 5xx is
 * retried after 100 ms, then 200 ms, at most RETRY_ATTEMPTS attempts in all, and never past the
 * batch's deadline (-ruler.notification-timeout, which also aborts a request in flight). Other
 * statuses (400: Alertmanager refused some alert) are not retried. An Alertmanager whose last
 * batch failed gets a single attempt per batch until one succeeds, so an Alertmanager that is
 * down costs each batch one failed connection, not the whole timeout.
 */

import { type Dispatcher, request } from 'undici';

export const RETRY_ATTEMPTS = 3;
export const FIRST_BACKOFF_MS = 100;
/** Longest part of an error answer kept for the log. */
const MAX_ERROR_BODY = 512;

export type DeliveryResult = { readonly ok: true; readonly attempts: number } | { readonly ok: false; readonly attempts: number; readonly error: string };

/** `<base>/api/v2/alerts` for a base URL with any path prefix (trailing slashes ignored). */
export function alertsURL(base: string): { url: string; authorization: string | null } {
  const u = new URL(base);
  let authorization: string | null = null;
  if (u.username !== '' || u.password !== '') {
    const user = decodeURIComponent(u.username);
    const pass = decodeURIComponent(u.password);
    authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    u.username = '';
    u.password = '';
  }
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/api/v2/alerts`;
  u.search = '';
  u.hash = '';
  return { url: u.toString(), authorization };
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = (): void => {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const t = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

function retryable(status: number): boolean {
  return status === 429 || status >= 500;
}

export class AlertmanagerEndpoint {
  /** The alerts URL without credentials: the `alertmanager` label of the metrics. */
  readonly url: string;
  private readonly authorization: string | null;
  /** False after a batch failed to reach it; true again after a success. */
  private healthy = true;

  constructor(
    base: string,
    private readonly dispatcher: Dispatcher,
    private readonly userAgent: string,
  ) {
    const { url, authorization } = alertsURL(base);
    this.url = url;
    this.authorization = authorization;
  }

  /**
   * POSTs `body` for `tenant` until it is accepted (any 2xx), a non-retryable answer comes, the
   * attempts are used up, or `timeoutMs` has passed; `stop` aborts at once.
   */
  async deliver(tenant: string, body: string, timeoutMs: number, stop: AbortSignal): Promise<DeliveryResult> {
    const deadline = Date.now() + timeoutMs;
    const ac = new AbortController();
    const onStop = (): void => ac.abort(new Error('notifier stopped'));
    if (stop.aborted) onStop();
    else stop.addEventListener('abort', onStop, { once: true });
    const timer = setTimeout(() => ac.abort(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs);
    const maxAttempts = this.healthy ? RETRY_ATTEMPTS : 1;
    let attempts = 0;
    let error = '';
    try {
      for (let backoff = FIRST_BACKOFF_MS; ; backoff *= 2) {
        attempts++;
        const r = await this.attempt(tenant, body, ac.signal);
        if (r === null) {
          this.healthy = true;
          return { ok: true, attempts };
        }
        error = r.error;
        if (!r.retry || ac.signal.aborted || attempts >= maxAttempts || Date.now() + backoff >= deadline) break;
        await sleep(backoff, ac.signal);
        if (ac.signal.aborted) {
          error = `${error}; then ${String((ac.signal.reason as Error | undefined)?.message ?? 'aborted')}`;
          break;
        }
      }
    } finally {
      clearTimeout(timer);
      stop.removeEventListener('abort', onStop);
    }
    this.healthy = false;
    return { ok: false, attempts, error };
  }

  /** One POST; null when accepted, else why not and whether to try again. */
  private async attempt(tenant: string, body: string, signal: AbortSignal): Promise<{ error: string; retry: boolean } | null> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      'user-agent': this.userAgent,
      'x-scope-orgid': tenant,
    };
    if (this.authorization !== null) headers.authorization = this.authorization;
    try {
      const res = await request(this.url, { method: 'POST', headers, body, signal, dispatcher: this.dispatcher });
      if (res.statusCode >= 200 && res.statusCode < 300) {
        await res.body.dump();
        return null;
      }
      const text = (await res.body.text()).slice(0, MAX_ERROR_BODY).trim();
      return { error: `bad response status ${res.statusCode}${text === '' ? '' : `: ${text}`}`, retry: retryable(res.statusCode) };
    } catch (e) {
      if (signal.aborted) {
        const reason = signal.reason instanceof Error ? signal.reason.message : 'aborted';
        return { error: reason, retry: false };
      }
      const err = e as Error & { code?: string; cause?: { code?: string } };
      const code = err.code ?? err.cause?.code;
      return { error: `${err.message}${code !== undefined && !err.message.includes(code) ? ` (${code})` : ''}`, retry: true };
    }
  }
}
