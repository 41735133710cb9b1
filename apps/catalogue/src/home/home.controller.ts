import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { ReferencesService } from 'nestjs-references';

/** `GET /`: where things are. */
@ApiTags('home')
@Controller()
export class HomeController {
  constructor(private readonly references: ReferencesService) {}

  @Get()
  @ApiOkResponse({ description: 'Links to the collections, the reverse index, the explorer and the documentation' })
  index() {
    const base = this.references.baseUrl;
    return {
      name: 'catalogue',
      description: 'A museum catalogue: artworks inline taxonomy terms and link each other (nestjs-references sample)',
      links: {
        self: `${base}/`,
        terms: `${base}/terms`,
        artworks: `${base}/artworks`,
        references: `${base}/references?target={url}&match={exact|prefix}&limit={limit}&cursor={cursor}`,
        explorer: `${base}/explorer`,
        docs: `${base}/docs`,
        openapi: `${base}/docs-json`,
      },
    };
  }
}
