import { h } from './dom.js';

/**
 * Asks before an action that starts or stops runs: a modal dialog (keyboard:
 * Tab between the buttons, Escape cancels; Cancel has the focus). Resolves
 * to whether confirmed.
 */
function confirmAction(title: string, detail: string, confirmLabel: string): Promise<boolean> {
  return new Promise((resolve) => {
    const dialog = h('dialog', { 'aria-labelledby': 'confirm-title', class: 'confirm' });
    const finish = (answer: boolean): void => {
      dialog.close();
      dialog.remove();
      resolve(answer);
    };
    const cancel = h('button', { type: 'button', onclick: () => finish(false) }, 'Cancel');
    dialog.append(
      h('h2', { id: 'confirm-title' }, title),
      h('p', {}, detail),
      h('div', { class: 'buttons' }, h('button', { type: 'button', class: 'primary', onclick: () => finish(true) }, confirmLabel), cancel),
    );
    dialog.addEventListener('cancel', (event) => {
      event.preventDefault();
      finish(false);
    });
    document.body.append(dialog);
    dialog.showModal();
    // The safe choice has the focus: one Enter never stops or starts runs by itself.
    cancel.focus();
  });
}

export { confirmAction };
