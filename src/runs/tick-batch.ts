// Batching of concurrent calls: what callers ask for in the same turn of the event loop goes to
// Redis together (one pipeline or one MULTI per group) instead of one round trip each. Under load,
// many POST /runs are parsed in one turn; each still gets its own answer, in order. A group may also
// go out as soon as it is big enough (`sendAt`), so the far end works while the rest is parsed.

export interface TickBatchOptions<I, O> {
  /** Items of one group go out together (e.g. the Redis hash slot they live in). */
  groupOf: (item: I) => string | number;
  /** Sends one group; answers one result per item, in order (an Error for an item that failed alone). */
  send: (items: I[]) => Promise<(O | Error)[]>;
  /** At most this many items in one send. */
  maxBatch?: number;
  /**
   * A group is sent as soon as it holds this many items, without waiting for the end of the turn: the
   * far end starts on them while this process still parses the rest (default: only at the end of the turn).
   */
  sendAt?: number;
}

interface Waiting<I, O> {
  item: I;
  resolve: (value: O) => void;
  reject: (error: unknown) => void;
}

export class TickBatch<I, O> {
  private pending = new Map<string | number, Waiting<I, O>[]>();
  private scheduled = false;
  private readonly maxBatch: number;
  private readonly sendAt: number;

  constructor(private readonly options: TickBatchOptions<I, O>) {
    this.maxBatch = options.maxBatch ?? 100;
    this.sendAt = Math.min(options.sendAt ?? Infinity, this.maxBatch);
  }

  submit(item: I): Promise<O> {
    return new Promise<O>((resolve, reject) => {
      const group = this.options.groupOf(item);
      let list = this.pending.get(group);
      if (list) list.push({ item, resolve, reject });
      else this.pending.set(group, (list = [{ item, resolve, reject }]));
      if (list.length >= this.sendAt) {
        this.pending.delete(group);
        void this.sendGroup(list);
        return;
      }
      if (!this.scheduled) {
        this.scheduled = true;
        // After the I/O callbacks of this turn: every request parsed in it joins the batch.
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    const groups = [...this.pending.values()];
    this.pending = new Map();
    for (const list of groups) {
      for (let start = 0; start < list.length; start += this.maxBatch) void this.sendGroup(list.slice(start, start + this.maxBatch));
    }
  }

  private async sendGroup(list: Waiting<I, O>[]): Promise<void> {
    let results: (O | Error)[];
    try {
      results = await this.options.send(list.map((w) => w.item));
    } catch (err) {
      for (const waiting of list) waiting.reject(err);
      return;
    }
    list.forEach((waiting, i) => {
      const result = results[i];
      if (result instanceof Error) waiting.reject(result);
      else waiting.resolve(result);
    });
  }
}
