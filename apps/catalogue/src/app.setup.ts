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
          // Markdown: in backticks, <token> is shown as written instead of being taken for an HTML tag.
          'Writes need `Authorization: Bearer <token>`, the token being the catalogue\'s `CATALOGUE_TOKEN`.',
      )
      .setVersion('0.1.0')
      // The token is an opaque shared secret, not a JWT (addBearerAuth() would say JWT).
      .addSecurity('bearer', { type: 'http', scheme: 'bearer', description: 'The write token, CATALOGUE_TOKEN' })
      .build(),
  );
  SwaggerModule.setup('docs', app, document);
  return app;
}
