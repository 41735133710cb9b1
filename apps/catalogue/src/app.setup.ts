import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';

/** What the catalogue needs beyond its module: the OpenAPI documentation at `/docs` (and `/docs-json`). */
export function setupCatalogue(app: INestApplication): INestApplication {
  const document = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Catalogue')
      .setDescription(
        'A museum catalogue built on nestjs-references: artworks inline taxonomy terms and link each other. ' +
          'Writes need Authorization: Bearer <token>.',
      )
      .setVersion('0.1.0')
      .addBearerAuth()
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
