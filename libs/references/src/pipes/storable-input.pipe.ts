import { Injectable, type ArgumentMetadata, type PipeTransform } from '@nestjs/common';
import { assertStorableJson } from '../extraction/storable-json.util.js';

/**
 * Refuses a request body or query that no database could store as it is, with a 400 through
 * `ReferencesExceptionFilter` that names the path: nesting deeper than 64 levels (`JsonTooDeepError`),
 * `__proto__`, `constructor` or `prototype` as a key (`ForbiddenKeyError`), a NUL character or a lone
 * surrogate in a string or key (`UnstorableStringError`), a number past a double's range (`UnstorableNumberError`).
 *
 * Register it as the first pipe, before `ValidationPipe`: class-transformer and class-validator walk the
 * input recursively (a deep document overflows their stack) and drop forbidden keys without a word.
 */
@Injectable()
export class StorableInputPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'body' || metadata.type === 'query') assertStorableJson(value);
    return value;
  }
}
