import { ApiProperty, type ApiPropertyOptions } from '@nestjs/swagger';
import { IS_OPTIONAL, ValidationTypes, getMetadataStorage } from 'class-validator';

/**
 * The OpenAPI description of a reference property, as `@ApiProperty()` would give it.
 * `required` follows class-validator: a property with `@IsOptional()` is optional in the document as it is in the
 * API. TypeScript applies a property's decorators from the last to the first, so `@IsOptional()` must be written
 * after the reference decorator (as in every example) to be seen here; an `@ApiProperty()` written before it
 * overrides anything.
 */
export function ReferenceApiProperty(options: ApiPropertyOptions): PropertyDecorator {
  return (target, propertyKey) => {
    ApiProperty({ ...options, required: !hasIsOptional(target, propertyKey) } as ApiPropertyOptions)(target, propertyKey);
  };
}

function hasIsOptional(target: object, propertyKey: string | symbol): boolean {
  return getMetadataStorage()
    .getTargetValidationMetadatas(target.constructor, '', true, false)
    .some(
      (rule) => rule.propertyName === propertyKey && rule.type === ValidationTypes.CONDITIONAL_VALIDATION && rule.name === IS_OPTIONAL,
    );
}
