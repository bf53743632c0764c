/**
 * When an unknown call is checked: the delays between attempts, the last one
 * repeating, until the call is `maxAgeMs` old.
 */
export class CheckSchedule {
  constructor(
    readonly delaysMs: readonly number[],
    readonly maxAgeMs: number,
  ) {
    if (delaysMs.length === 0) throw new Error('a schedule needs at least one delay');
  }

  get firstDelayMs(): number {
    return this.delaysMs[0]!;
  }

  /** When to check after attempt `attempt` (1-based), or null when the call is too old. */
  nextAfter(attempt: number, createdAt: number, now: number): number | null {
    const delay = this.delaysMs[Math.min(attempt, this.delaysMs.length - 1)]!;
    const at = now + delay;
    return at - createdAt > this.maxAgeMs ? null : at;
  }
}
