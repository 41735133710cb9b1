/**
 * A prom-client `Registry`, as the library needs it. Typed structurally, so that the library's types do not
 * require prom-client (an optional peer) in an app that does not use metrics.
 */
export interface ReferencesMetricsRegistry {
  registerMetric(metric: any): void;
  getSingleMetric(name: string): any;
}

/** Options of the Prometheus metrics (`ReferencesModule.forRoot({ metrics })`); they need prom-client installed. */
export interface ReferencesMetricsOptions {
  /**
   * Where the metrics are registered. Every data source of the app shares one set of metrics per registry,
   * told apart by the `data_source` label.
   * @default prom-client's global `register`
   */
  registry?: ReferencesMetricsRegistry;
  /**
   * Upper bounds, in seconds, of the buckets of `references_propagation_duration_seconds`.
   * @default [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600]
   */
  buckets?: number[];
}
