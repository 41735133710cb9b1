import { Injectable, type ArgumentMetadata, type PipeTransform, type Type } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { UnknownKeyError } from './request.errors.js';

/**
 * Refuses a body or query holding a key that its DTO does not declare (`UnknownKeyError`, 400 naming each key).
 *
 * `ValidationPipe({ forbidNonWhitelisted })` does the same, except for keys that name a member of
 * `Object.prototype` (`hasOwnProperty`, `isPrototypeOf`, `__defineGetter__`, …): class-validator looks a key up
 * in a plain object, finds the inherited function and takes the key as declared, and class-transformer then
 * drops it without a word. Runs before the `ValidationPipe`.
 */
@Injectable()
export class KnownKeysPipe implements PipeTransform {
  private readonly declared = new WeakMap<Type, ReadonlySet<string>>();

  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type !== 'body' && metadata.type !== 'query') return value;
    if (value === null || typeof value !== 'object' || Array.isArray(value) || !metadata.metatype) return value;
    const declared = this.declaredKeys(metadata.metatype);
    if (declared.size === 0) return value;
    const unknown = Object.keys(value).filter((key) => !declared.has(key));
    if (unknown.length > 0) throw new UnknownKeyError(unknown);
    return value;
  }

  /** The properties that carry a class-validator rule, inherited ones included: what the whitelist keeps. */
  private declaredKeys(metatype: Type): ReadonlySet<string> {
    let keys = this.declared.get(metatype);
    if (!keys) {
      keys = new Set(getMetadataStorage().getTargetValidationMetadatas(metatype, '', true, false).map((m) => m.propertyName));
      this.declared.set(metatype, keys);
    }
    return keys;
  }
}
