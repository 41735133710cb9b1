import { createHmac } from 'node:crypto';
import { bearerToken, tokenDigest, tokenMatches } from '../auth/write-token.js';

/** Where the queue dashboard (Bull Board) is served, in queue mode only. */
export const QUEUE_DASHBOARD_ROUTE = '/admin/queues';

/** The cookie that `?token=` sets, so that a browser can open the dashboard and its API calls. */
export const QUEUE_DASHBOARD_COOKIE = 'catalogue_dashboard';

/** The parts of Express' request and response the middleware uses. */
interface DashboardRequest {
  originalUrl: string;
  headers: { authorization?: string; cookie?: string };
}
interface DashboardResponse {
  setHeader(name: string, value: string): unknown;
  redirect(status: number, url: string): void;
  status(code: number): DashboardResponse;
  json(body: unknown): unknown;
}

/** The value of the dashboard's cookie for `token`: an HMAC derived from it, never the token itself. */
export function dashboardSession(token: string): string {
  return createHmac('sha256', token).update('catalogue queue dashboard').digest('base64url');
}

/**
 * Express middleware in front of the dashboard: lets a request through with the write token, given as
 *
 * - `Authorization: Bearer <token>` (scripts, curl), or
 * - the cookie `catalogue_dashboard`, which a browser gets by opening `/admin/queues?token=<token>` once:
 *   that answers 303 with the cookie (HttpOnly, SameSite=Strict, Path=/: the explorer's actions take it too) and the address
 *   without the token, so that the token does not linger in the address bar.
 *
 * The cookie holds an HMAC derived from the token, never the token itself: it opens the dashboard and the
 * explorer's actions (`/explorer`), not the API's writes.
 * Anything else answers 401.
 */
export function queueDashboardAuth(token: string) {
  const expected = tokenDigest(token);
  const session = dashboardSession(token);
  const sessionDigest = tokenDigest(session);

  return (request: DashboardRequest, response: DashboardResponse, next: () => void): void => {
    if (tokenMatches(bearerToken(request.headers.authorization), expected)) return next();

    const url = new URL(request.originalUrl, 'http://dashboard.invalid');
    const fromQuery = url.searchParams.get('token');
    if (fromQuery !== null && tokenMatches(fromQuery, expected)) {
      url.searchParams.delete('token');
      response.setHeader(
        'Set-Cookie',
        `${QUEUE_DASHBOARD_COOKIE}=${session}; Path=/; HttpOnly; SameSite=Strict`,
      );
      response.redirect(303, url.pathname + url.search);
      return;
    }

    if (tokenMatches(readCookie(request.headers.cookie, QUEUE_DASHBOARD_COOKIE), sessionDigest)) return next();

    response.setHeader('WWW-Authenticate', 'Bearer');
    response.status(401).json({
        statusCode: 401,
        message: `the queue dashboard needs the write token: Authorization: Bearer <token>, or open ${QUEUE_DASHBOARD_ROUTE}?token=<token> once`,
        error: 'Unauthorized',
      });
  };
}

/** The value of cookie `name` in a `Cookie` header. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...value] = part.trim().split('=');
    if (key === name) return value.join('=');
  }
  return undefined;
}
