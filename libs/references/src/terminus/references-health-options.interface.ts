/** Options of one `ReferencesHealthIndicator.check()`: which data source, and when its propagation counts as down. */
export interface ReferencesHealthCheckOptions {
  /**
   * The TypeORM data source whose outbox is checked, when the app has several (one check per data source).
   * @default the default data source
   */
  dataSource?: string;
  /**
   * Down once the oldest pending or running change is older than this (workers stopped, or falling behind).
   * @default 300000 (5 minutes)
   */
  maxPendingAgeMs?: number;
  /**
   * Down once more changes than this wait in the outbox (pending).
   * @default no limit
   */
  maxPending?: number;
  /**
   * Down once more changes than this have failed for good.
   * @default 0
   */
  maxFailed?: number;
  /**
   * Down once more running changes than this have lost their worker (stalled; the sweep enqueues them again).
   * @default no limit
   */
  maxStalled?: number;
  /**
   * Down when the outbox cannot be read within this many milliseconds (the database slow or down).
   * @default 2000
   */
  timeoutMs?: number;
}
