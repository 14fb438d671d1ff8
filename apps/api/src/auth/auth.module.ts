import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { AuthGuard } from './auth.guard.ts';
import { JwtVerifier } from './jwt-verifier.ts';
import { UsersRepository } from './users.repository.ts';

@Module({
  providers: [JwtVerifier, UsersRepository, { provide: APP_GUARD, useClass: AuthGuard }],
})
export class AuthModule {}
