import { Global, Inject, Module } from '@nestjs/common';
import type { DatabaseHandle } from './database.ts';

export const DATABASE = Symbol('DATABASE');
export const DB_HANDLE = Symbol('DB_HANDLE');

/** Injects the drizzle database (for repositories). */
export const InjectDb = (): PropertyDecorator & ParameterDecorator => Inject(DATABASE);

/** Provides the already-open, migrated database to every module. */
@Global()
@Module({})
export class DatabaseModule {
  static forRoot(handle: DatabaseHandle) {
    return {
      module: DatabaseModule,
      providers: [
        { provide: DB_HANDLE, useValue: handle },
        { provide: DATABASE, useValue: handle.db },
      ],
      exports: [DB_HANDLE, DATABASE],
    };
  }
}
