import { h } from './dom.js';

/** The most lines of a log the page holds: a log of megabytes keeps its newest ones, and says how to read the rest. */
const SHOWN_LINES = 10_000;

/** A run's log as its page shows it: lines added a batch at a time, the newest {@link SHOWN_LINES} of them kept. */
interface LogTail {
  /** Adds one line (a frame of the log; an error's stack is one, over several lines). */
  line(text: string): void;
  /** Adds a notice, after the lines added so far. */
  notice(text: string): void;
  /** Shows the lines added so far at once. */
  flush(): void;
}

/**
 * Shows a log in `log`, a batch of lines an animation frame, one text node a
 * batch, so that the tab stays responsive. Past {@link SHOWN_LINES}, the
 * oldest go, and `note` says how many and how to read the whole log
 * (`command`). A followed log keeps to its end while the reader is there.
 */
function logTail(log: HTMLElement, note: HTMLElement, command: string, follow: boolean): LogTail {
  let pending: string[] = [];
  let flushing = false;
  /* The batches shown, oldest first, each with how many lines it holds. */
  const batches: { node: Text; lines: number }[] = [];
  let shown = 0;
  let dropped = 0;
  const drop = (lines: number): void => {
    dropped += lines;
    note.hidden = false;
    note.textContent = `The first ${dropped.toLocaleString('en')} lines of this log are not shown here, only its newest ${SHOWN_LINES.toLocaleString('en')}: read the whole log with ${command}`;
  };
  // The oldest lines shown go, down to the limit: whole batches, then the start of the oldest left.
  const trim = (): void => {
    while (shown > SHOWN_LINES) {
      const oldest = batches[0];
      if (oldest === undefined) return;
      const over = shown - SHOWN_LINES;
      if (oldest.lines <= over) {
        oldest.node.remove();
        batches.shift();
        shown -= oldest.lines;
        drop(oldest.lines);
        continue;
      }
      let cut = 0;
      for (let index = 0; index < over; index += 1) cut = oldest.node.data.indexOf('\n', cut) + 1;
      oldest.node.deleteData(0, cut);
      oldest.lines -= over;
      shown -= over;
      drop(over);
    }
  };
  const flush = (): void => {
    flushing = false;
    if (pending.length === 0) return;
    // Only a followed log keeps to its end: a finished run's log opens at its start (of what it shows).
    const atEnd = follow && log.scrollHeight - log.scrollTop - log.clientHeight < 4;
    const node = document.createTextNode(pending.join(''));
    log.append(node);
    batches.push({ node, lines: pending.length });
    shown += pending.length;
    pending = [];
    trim();
    if (atEnd) log.scrollTop = log.scrollHeight;
  };
  return {
    line(text) {
      pending.push(`${text}\n`);
      // Lines that come faster than frames are drawn wait no longer than they would be shown.
      if (pending.length > 2 * SHOWN_LINES) {
        const over = pending.length - SHOWN_LINES;
        pending = pending.slice(over);
        for (const batch of batches.splice(0)) {
          batch.node.remove();
          drop(batch.lines);
        }
        shown = 0;
        drop(over);
      }
      if (!flushing) {
        flushing = true;
        requestAnimationFrame(flush);
      }
    },
    notice(text) {
      flush();
      log.append(h('span', { class: 'notice' }, `! ${text}\n`));
    },
    flush,
  };
}

export { logTail };
export type { LogTail };
