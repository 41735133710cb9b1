import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';

/** One check's part of a health report: `status` and what the check adds (e.g. the outbox's backlog). */
const CHECKS = {
  type: 'object' as const,
  additionalProperties: {
    type: 'object',
    required: ['status'],
    properties: { status: { type: 'string', enum: ['up', 'down'] } },
    additionalProperties: true,
  },
  example: { database: { status: 'up' } },
} satisfies ApiPropertyOptions;

/** What `GET /health` answers, in Terminus' format: each check under `info` (up) or `error` (down), and all under `details`. */
export class HealthReport {
  @ApiProperty({ enum: ['ok', 'error', 'shutting_down'], example: 'ok' })
  status: 'ok' | 'error' | 'shutting_down';

  @ApiProperty({ ...CHECKS, description: 'The checks that are up' })
  info: Record<string, Record<string, unknown>>;

  @ApiProperty({ ...CHECKS, example: {}, description: 'The checks that are down' })
  error: Record<string, Record<string, unknown>>;

  @ApiProperty({ ...CHECKS, description: 'Every check' })
  details: Record<string, Record<string, unknown>>;
}
