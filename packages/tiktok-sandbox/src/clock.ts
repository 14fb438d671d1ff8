/**
 * The sandbox's notion of "now": real time plus an offset that tests move forward with
 * POST /_sandbox/clock. Token expiry, upload URL expiry, rate-limit windows, daily caps and
 * processing all read this clock, never Date.now().
 */
export class SandboxClock {
  private offsetMs = 0;

  now(): number {
    return Date.now() + this.offsetMs;
  }

  advance(seconds: number): void {
    this.offsetMs += seconds * 1000;
  }

  reset(): void {
    this.offsetMs = 0;
  }

  get offset(): number {
    return this.offsetMs;
  }

  set offset(ms: number) {
    this.offsetMs = ms;
  }
}
