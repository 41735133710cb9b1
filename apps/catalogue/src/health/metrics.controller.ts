import { Controller, Get, Header } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import { register } from 'prom-client';

/**
 * `/metrics`: Prometheus' text format, from prom-client's global registry, where the library registers its
 * metrics (`ReferencesModule.forRoot({ metrics: true })`): the outbox backlog, propagation durations and
 * referrers updated, labelled by data source.
 */
@ApiTags('health')
@Controller('metrics')
export class MetricsController {
  @Get()
  @Header('Content-Type', register.contentType)
  @ApiProduces(register.contentType)
  @ApiOkResponse({
    description: 'Prometheus metrics: references_outbox_*, references_propagation_duration_seconds, references_referrers_updated_total',
    schema: { type: 'string', example: 'references_outbox_pending{data_source="default"} 0' },
  })
  metrics(): Promise<string> {
    return register.metrics();
  }
}
