import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { assertNoForbiddenKeys } from '../extraction/reference-extractor.js';

/**
 * Rejects a request body holding `__proto__`, `constructor` or `prototype` as a key, with a
 * `ForbiddenKeyError` (400 through `ReferencesExceptionFilter`). Register it before `ValidationPipe`:
 * that pipe and class-transformer drop such keys silently, so the client would never learn why.
 */
@Injectable()
export class ForbiddenKeysPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body') assertNoForbiddenKeys(value);
    return value;
  }
}
