/**
 * Handler work in flight: everything a request started, including what runs after its ack
 * (placements, uploads, posts). A graceful stop closes the gate to new work and waits for this to end.
 */
export interface InFlight {
  /** False once a stop began: new requests are turned away. */
  readonly accepting: boolean;
  readonly count: number;
  track<T>(work: Promise<T>): Promise<T>;
  /** Stops accepting, then waits until the work in flight ends or `timeoutMs` passes. */
  drain(timeoutMs: number): Promise<{ unfinished: number }>;
  /** Waits until nothing is in flight, still accepting (a test's end: its requests' follow-ups done). */
  settled(): Promise<void>;
}

export function createInFlight(): InFlight {
  const running = new Set<Promise<unknown>>();
  let accepting = true;
  return {
    get accepting() {
      return accepting;
    },
    get count() {
      return running.size;
    },
    track(work) {
      const settled = work.then(
        () => undefined,
        () => undefined,
      );
      running.add(settled);
      void settled.then(() => running.delete(settled));
      return work;
    },
    async settled() {
      while (running.size > 0) await Promise.all([...running]);
    },
    async drain(timeoutMs) {
      accepting = false;
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), timeoutMs);
        timer.unref();
      });
      // Work started while draining (a listener's own follow-up) is waited for too.
      while (running.size > 0) {
        const outcome = await Promise.race([Promise.all([...running]), timedOut]);
        if (outcome === "timeout") break;
      }
      clearTimeout(timer);
      return { unfinished: running.size };
    },
  };
}
