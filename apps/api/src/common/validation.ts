import { type ArgumentMetadata, ValidationPipe, type ValidationError } from '@nestjs/common';
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

/**
 * How deeply a request's input may nest. Ours is flat (an object of scalars); class-transformer
 * recurses once per level and overflows the stack a few thousand levels down.
 */
export const MAX_INPUT_DEPTH = 32;

/** A UTF-16 surrogate without its other half. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/**
 * Whether PostgreSQL can store the string as it is: a text column refuses NUL ("invalid byte
 * sequence for encoding UTF8: 0x00"), and a lone surrogate has no UTF-8 form (pg would silently
 * write U+FFFD; jsonb refuses its escape).
 */
export function isStorableText(value: string): boolean {
  return !value.includes('\u0000') && !LONE_SURROGATE.test(value);
}

/** A key as a path segment in a message: itself when it is plain, else a placeholder. */
function segment(key: string): string {
  return /^[\w$-]{1,64}$/.test(key) ? key : '(a field)';
}

/**
 * The first reason a request's input (a JSON body, a query, form fields) cannot be taken, or
 * undefined: nested deeper than MAX_INPUT_DEPTH, or text (a value or a key) that is not storable.
 * Walks without recursion, so the check itself cannot overflow.
 */
export function inputProblem(value: unknown, name: string): string | undefined {
  // Paths as class-validator's messages name fields: `title`, `a.b`; the input itself by `name`.
  const pending: { value: unknown; path: string; depth: number }[] = [{ value, path: '', depth: 0 }];
  for (let item = pending.pop(); item; item = pending.pop()) {
    const { value: v, path, depth } = item;
    if (typeof v === 'string') {
      if (!isStorableText(v)) {
        return `${path || name} must not contain a NUL character or an unpaired surrogate`;
      }
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (depth >= MAX_INPUT_DEPTH) return `${name} is nested more than ${MAX_INPUT_DEPTH} levels deep`;
    for (const [key, child] of Object.entries(v)) {
      if (!isStorableText(key)) {
        return `${path || name} has a field name with a NUL character or an unpaired surrogate`;
      }
      pending.push({ value: child, path: path ? `${path}.${segment(key)}` : segment(key), depth: depth + 1 });
    }
  }
  return undefined;
}

/** VALIDATION_FAILED for input `inputProblem` refuses; nothing when it is fine. */
export function assertAcceptableInput(value: unknown, name: string): void {
  const problem = inputProblem(value, name);
  if (problem) throw new AppError('VALIDATION_FAILED', 'Validation failed', { details: [problem] });
}

/**
 * class-validator DTOs behind a first check of the raw body and query (assertAcceptableInput),
 * so that over-deep JSON never reaches class-transformer and no NUL reaches the database.
 */
class InputValidationPipe extends ValidationPipe {
  override transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'body' || metadata.type === 'query') assertAcceptableInput(value, metadata.type);
    return super.transform(value, metadata) as Promise<unknown>;
  }
}

/** class-validator DTOs; unknown fields rejected; failures become VALIDATION_FAILED with field messages. */
export function createValidationPipe(): ValidationPipe {
  return new InputValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) =>
      new AppError('VALIDATION_FAILED', 'Validation failed', { details: flattenValidationErrors(errors) }),
  });
}
