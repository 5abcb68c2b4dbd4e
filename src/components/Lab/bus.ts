/**
 * How command blocks elsewhere on the page reach a running lab's terminal: DOM events, so no
 * module-level state and no coupling between the page's components.
 */
const runEvent = 'ssh-lab:run';
const activeEvent = 'ssh-lab:active';

export function announceActive(active: boolean): void {
  window.dispatchEvent(new CustomEvent(activeEvent, { detail: active }));
}

export function onActiveChange(listener: (active: boolean) => void): () => void {
  const handler = (event: Event) => listener(Boolean((event as CustomEvent<boolean>).detail));
  window.addEventListener(activeEvent, handler);
  return () => window.removeEventListener(activeEvent, handler);
}

export function isAnyLabRunning(): boolean {
  return Boolean(document.querySelector('[data-lab-running="true"]'));
}

export function requestRun(command: string): void {
  window.dispatchEvent(new CustomEvent(runEvent, { detail: command }));
}

export function onRunRequest(listener: (command: string) => void): () => void {
  const handler = (event: Event) => listener(String((event as CustomEvent<string>).detail));
  window.addEventListener(runEvent, handler);
  return () => window.removeEventListener(runEvent, handler);
}
