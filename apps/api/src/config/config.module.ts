import { Global, Inject, Module } from '@nestjs/common';
import type { AppConfig } from './config.ts';

export const APP_CONFIG = Symbol('APP_CONFIG');
export const InjectConfig = (): PropertyDecorator & ParameterDecorator => Inject(APP_CONFIG);

@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig) {
    return {
      module: ConfigModule,
      providers: [{ provide: APP_CONFIG, useValue: config }],
      exports: [APP_CONFIG],
    };
  }
}
