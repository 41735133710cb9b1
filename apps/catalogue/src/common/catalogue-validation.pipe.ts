import { ValidationPipe } from '@nestjs/common';
import { InvalidFieldsError } from './request.errors.js';

/**
 * The `ValidationPipe` of the catalogue: DTOs are whitelisted and transformed, and broken rules answer an
 * `InvalidFieldsError` (400) whose message names each field, as `ValidationPipe` words it.
 */
export class CatalogueValidationPipe extends ValidationPipe {
  constructor() {
    super({ whitelist: true, forbidNonWhitelisted: true, transform: true });
    this.exceptionFactory = (errors) => new InvalidFieldsError(this.flattenValidationErrors(errors));
  }
}
