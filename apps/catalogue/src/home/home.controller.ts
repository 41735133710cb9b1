import { Controller, Get, Inject } from '@nestjs/common';
import { ApiOkResponse, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { ReferencesService } from 'nestjs-references';
import { QUEUE_DASHBOARD_ROUTE } from '../admin/queue-dashboard.auth.js';
import { CATALOGUE_CONFIG, type CatalogueConfig } from '../config/catalogue.config.js';

/** `links` of `GET /`: every route the catalogue serves, as a URL or a URL template. */
export class HomeLinks {
  @ApiProperty({ format: 'uri' }) self: string;
  @ApiProperty({ format: 'uri' }) terms: string;
  @ApiProperty({ format: 'uri' }) agents: string;
  @ApiProperty({ format: 'uri' }) artworks: string;
  @ApiProperty({ description: 'A URL template: a page of the referrers of a URL, or of the URLs it starts' }) references: string;
  @ApiProperty({ description: 'A URL template: a page of the referrers of one record (terms, agents or artworks)' }) referrers: string;
  @ApiProperty({ format: 'uri', description: 'The references explorer: a record, its copies, its referrers, propagation live' }) explorer: string;
  @ApiProperty({ format: 'uri' }) health: string;
  @ApiProperty({ format: 'uri', description: 'The API documentation' }) docs: string;
  @ApiProperty({ format: 'uri', description: 'The OpenAPI document' }) openapi: string;
  @ApiPropertyOptional({ format: 'uri', description: 'Bull Board, behind the write token; in queue mode only' }) queues?: string;
}

/** What `GET /` answers. */
export class Home {
  @ApiProperty({ example: 'catalogue' }) name: string;
  @ApiProperty() description: string;
  @ApiProperty({ type: () => HomeLinks }) links: HomeLinks;
}

/** `GET /`: where things are. */
@ApiTags('home')
@Controller()
export class HomeController {
  constructor(
    private readonly references: ReferencesService,
    @Inject(CATALOGUE_CONFIG) private readonly config: CatalogueConfig,
  ) {}

  @Get()
  @ApiOkResponse({ description: 'Links to the collections, the reverse index, the explorer, the health check and the documentation', type: Home })
  index(): Home {
    const base = this.references.baseUrl;
    const page = 'limit={limit}&cursor={cursor}';
    return {
      name: 'catalogue',
      description: 'A museum catalogue: artworks inline taxonomy terms and agents, and link each other (nestjs-references sample)',
      links: {
        self: `${base}/`,
        terms: `${base}/terms`,
        agents: `${base}/agents`,
        artworks: `${base}/artworks`,
        references: `${base}/references?target={url}&match={exact|prefix}&${page}`,
        referrers: `${base}/{terms|agents|artworks}/{id}/referrers?${page}`,
        explorer: `${base}/explorer`,
        health: `${base}/health`,
        docs: `${base}/docs`,
        openapi: `${base}/docs-json`,
        // NOTE: the dashboard is served in queue mode, by the processes that answer HTTP.
        ...(this.config.redisUrl && { queues: `${base}${QUEUE_DASHBOARD_ROUTE}` }),
      },
    };
  }
}
