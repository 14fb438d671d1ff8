import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppError } from './app-error.ts';

export function flattenValidationErrors(errors: ValidationError[], prefix = ''): string[] {
  return errors.flatMap((e) => {
    const path = prefix ? `${prefix}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((m) =>
      prefix && m.startsWith(e.property) ? `${prefix}.${m}` : m,
    );
    return [...own, ...flattenValidationErrors(e.children ?? [], path)];
  });
}

/** class-validator DTOs; unknown fields rejected; failures become VALIDATION_FAILED with field messages. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new AppError('VALIDATION_FAILED', 'Validation failed', { details: flattenValidationErrors(errors) }),
  });
}
