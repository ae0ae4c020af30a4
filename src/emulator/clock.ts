// Emulated time: every emulated duration is multiplied by the time scale (0.01 → 100× faster).

export class Clock {
  constructor(readonly timeScale: number) {
    if (!(timeScale > 0)) throw new Error('timeScale must be > 0');
  }

  now(): number {
    return Date.now();
  }

  /** Real milliseconds for an emulated duration in seconds. */
  ms(seconds: number): number {
    return seconds * 1000 * this.timeScale;
  }
}

export const iso = (ms: number) => new Date(ms).toISOString();
