import type { ExplorerRequest } from 'nestjs-references/explorer';
import { bearerToken, tokenDigest, tokenMatches } from '../auth/write-token.js';
import { QUEUE_DASHBOARD_COOKIE, dashboardSession, readCookie } from './queue-dashboard.auth.js';

/** Where the catalogue mounts the references explorer. */
export const EXPLORER_ROUTE = '/explorer';

/**
 * The explorer's `authorize`: its actions (POSTs that write) need the write token, as `Authorization: Bearer
 * <token>` (scripts) or as the queue dashboard's cookie (a browser that opened `/admin/queues?token=<token>`).
 */
export function explorerAuthorize(token: string): (request: ExplorerRequest) => boolean {
  const expected = tokenDigest(token);
  const session = tokenDigest(dashboardSession(token));
  return (request) => {
    const header = (name: string) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    return tokenMatches(bearerToken(header('authorization')), expected) || tokenMatches(readCookie(header('cookie'), QUEUE_DASHBOARD_COOKIE), session);
  };
}
