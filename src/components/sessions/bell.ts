"use client";
/**
 * A meditation bell, synthesised with WebAudio (no sound files): a few inharmonic partials of a
 * singing bowl, each fading on its own. Browsers only play sound after a click or key press on
 * the page, so `enableSound()` is called from one; until then `ring()` does nothing.
 */

let context: AudioContext | null = null;
const listeners = new Set<() => void>();

function notify() {
  for (const listener of listeners) listener();
}

export function subscribeSound(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function soundEnabled(): boolean {
  return context?.state === "running";
}

/** From a user gesture: creates or resumes the audio context. Resolves to whether sound is on. */
export async function enableSound(): Promise<boolean> {
  if (typeof window === "undefined") return false;
  const Context = window.AudioContext ?? (window as unknown as { webkitAudioContext?: typeof AudioContext }).webkitAudioContext;
  if (!Context) return false;
  try {
    context ??= new Context();
    context.onstatechange = notify;
    if (context.state !== "running") await context.resume();
  } catch {
    return false;
  }
  notify();
  return soundEnabled();
}

export async function disableSound(): Promise<void> {
  if (context?.state === "running") await context.suspend().catch(() => undefined);
  notify();
}

/** Partials of a small bowl: ratio to the fundamental, loudness, seconds to fade. */
const PARTIALS: [number, number, number][] = [
  [1, 0.55, 5.5],
  [2.71, 0.22, 3.6],
  [5.15, 0.1, 2.2],
  [8.52, 0.05, 1.3],
];
const FUNDAMENTAL_HZ = 392;

/** Strikes the bell `strikes` times, 1.6 s apart (three at the end of a meditation). */
export function ring(strikes = 1): void {
  if (!context || context.state !== "running") return;
  const master = context.createGain();
  master.gain.value = 0.32;
  master.connect(context.destination);
  for (let strike = 0; strike < strikes; strike++) {
    const at = context.currentTime + 0.02 + strike * 1.6;
    for (const [ratio, level, fade] of PARTIALS) {
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.type = "sine";
      oscillator.frequency.value = FUNDAMENTAL_HZ * ratio;
      gain.gain.setValueAtTime(0.0001, at);
      gain.gain.exponentialRampToValueAtTime(level, at + 0.008);
      gain.gain.exponentialRampToValueAtTime(0.0001, at + fade);
      oscillator.connect(gain).connect(master);
      oscillator.start(at);
      oscillator.stop(at + fade + 0.05);
    }
  }
}
