import { ValidateBy, buildMessage, type ValidationOptions } from 'class-validator';
import { REFERENCE_FIELD_METADATA, REFERENCE_FIELDS_METADATA } from '../references.constants.js';
import type { ReferenceFieldMetadata } from '../interfaces/reference-options.interface.js';

/**
 * Records one reference property on its schema class: the property's own metadata, and the
 * class-level list of reference properties (copied, so that a subclass never writes into its parent's list).
 */
export function ReferenceField(meta: ReferenceFieldMetadata): PropertyDecorator {
  return (target, propertyKey) => {
    Reflect.defineMetadata(REFERENCE_FIELD_METADATA, meta, target, propertyKey);
    const inherited: string[] = Reflect.getMetadata(REFERENCE_FIELDS_METADATA, target) ?? [];
    if (!inherited.includes(meta.propertyKey)) {
      Reflect.defineMetadata(REFERENCE_FIELDS_METADATA, [...inherited, meta.propertyKey], target);
    }
  };
}

/**
 * The class-validator rule of a reference property (of each element, for an array; of each element of
 * each inner array, for an array of arrays), with a message that names the property: `${property} ${requirement}`.
 * `requirement` may depend on the value, to name a part of it (`agent.links.self must be …`).
 */
export function ReferenceRule(
  name: string,
  each: boolean,
  validate: (value: unknown) => boolean,
  requirement: string | ((value: unknown) => string),
): PropertyDecorator {
  const validation: ValidationOptions = { each };
  const validateDeep = (value: unknown): boolean => (each && Array.isArray(value) ? value.every(validateDeep) : validate(value));
  const describe = typeof requirement === 'string' ? () => ` ${requirement}` : requirement;
  return ValidateBy(
    {
      name,
      validator: {
        validate: validateDeep,
        defaultMessage: buildMessage((eachPrefix, args) => `${eachPrefix}$property${describe(args?.value)}`, validation),
      },
    },
    validation,
  );
}

/** Whether a decorated property is declared as an array (by its TypeScript type or an explicit option). */
export function isArrayProperty(target: object, propertyKey: string | symbol, each?: boolean): boolean {
  return each ?? Reflect.getMetadata('design:type', target, propertyKey) === Array;
}
