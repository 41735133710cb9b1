// `nestjs-references/terminus`: the health indicator, for apps that use @nestjs/terminus (an optional peer).
export { ReferencesHealthIndicator } from './references-health.indicator.js';
export type { ReferencesHealthCheckOptions } from './references-health-options.interface.js';
