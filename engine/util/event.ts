// Typed event emitter used between engine layers (no string-named events).

/** A function that stops a listener from receiving further events. */
export type Unsubscribe = () => void;

/** A subscribable, typed event source. */
export interface Event<T> {
  /** Registers a listener; returns the function that removes it. */
  (listener: (value: T) => void): Unsubscribe;
}

/** Owns an Event<T> and fires it. */
export class Emitter<T> {
  private listeners: Array<(value: T) => void> = [];

  /** The subscribable side, handed out to consumers. */
  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    return () => { this.listeners = this.listeners.filter((l) => l !== listener); };
  };

  /** True when at least one listener is registered (lets hot paths skip building payloads). */
  get hasListeners(): boolean { return this.listeners.length > 0; }

  /** Delivers value to every listener, in registration order. */
  fire(value: T): void {
    for (const l of this.listeners) l(value);
  }
}
