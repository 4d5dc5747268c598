// Typed event emitter used between engine layers (no string-named events).

/** A function that stops a listener from receiving further events. */
export type Unsubscribe = () => void;

/** A subscribable, typed event source. */
export interface Event<T> {
  /** Registers a listener; returns the function that removes it. */
  (listener: (value: T) => void): Unsubscribe;
}

/** Owns an Event<T> and fires it. */
/** Hooks an emitter calls when it gains its first listener and loses its last one. */
export interface ListenerHooks {
  onFirstListener?(): void;
  onLastListenerRemoved?(): void;
}

export class Emitter<T> {
  private listeners: Array<(value: T) => void> = [];

  constructor(private readonly hooks: ListenerHooks = {}) {}

  /** The subscribable side, handed out to consumers. */
  readonly event: Event<T> = (listener) => {
    this.listeners.push(listener);
    if (this.listeners.length === 1) this.hooks.onFirstListener?.();
    return () => {
      const before = this.listeners.length;
      this.listeners = this.listeners.filter((l) => l !== listener);
      if (before > 0 && this.listeners.length === 0) this.hooks.onLastListenerRemoved?.();
    };
  };

  /** True when at least one listener is registered (lets hot paths skip building payloads). */
  get hasListeners(): boolean { return this.listeners.length > 0; }

  /** Delivers value to every listener, in registration order. */
  fire(value: T): void {
    for (const l of this.listeners) l(value);
  }
}
