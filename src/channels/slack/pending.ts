/** Work that runs after Slack got its ack; `idle()` lets shutdown and tests wait for it. */
export class PendingWork {
  private readonly tasks = new Set<Promise<unknown>>();

  track(work: Promise<unknown>): void {
    const task: Promise<unknown> = work.catch(() => undefined).finally(() => this.tasks.delete(task));
    this.tasks.add(task);
  }

  /** Resolves once nothing is running, including work started while waiting. */
  async idle(): Promise<void> {
    while (this.tasks.size) await Promise.all([...this.tasks]);
  }
}
