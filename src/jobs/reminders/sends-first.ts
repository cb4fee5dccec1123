/**
 * Within one worker process, sending comes before stepping: the conversation steps that
 * follow a sent batch wait while any batch is still sending, and run a few at a time. When
 * a hundred batches fall due in the same second, the first batch's steps would otherwise
 * share the CPU with every later batch's sending, and make it late.
 */
export class SendsFirst {
  private sending = 0;
  private stepping = 0;
  private readonly idle: (() => void)[] = [];
  private readonly lanes: (() => void)[] = [];
  private readonly maxSteps: number;

  constructor(maxSteps: number) {
    this.maxSteps = maxSteps;
  }

  async send<T>(work: () => Promise<T>): Promise<T> {
    this.sending++;
    try {
      return await work();
    } finally {
      if (--this.sending === 0) for (const resume of this.idle.splice(0)) resume();
    }
  }

  /** Runs `work` once no batch is sending and fewer than `maxSteps` steps run. */
  async step<T>(work: () => Promise<T>): Promise<T> {
    while (this.sending > 0 || this.stepping >= this.maxSteps) {
      await new Promise<void>((resume) => (this.sending > 0 ? this.idle : this.lanes).push(resume));
    }
    this.stepping++;
    try {
      return await work();
    } finally {
      this.stepping--;
      this.lanes.shift()?.();
    }
  }
}
