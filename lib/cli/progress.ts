import type { Spinner } from 'yocto-spinner';
import type { Progress, ProgressOptions, ProgressOutcome, ProgressTask } from '../core/progress.js';
import { stylerFor, writeLine, type CliIo } from './io.js';
import { asInvoked } from './invocation.js';
import { formatDuration } from './render/format-duration.js';

/* A wait shorter than this shows no spinner at all: a flicker tells nothing. */
const MOMENT_MS = 250;

/* How often the elapsed time of a spinner moves on. */
const TICK_MS = 200;

/**
 * Whether waits show as a spinner: only on a terminal's stderr, and never
 * with `--json`, `NO_COLOR`, `CI` or `TERM=dumb`. Stdout never carries one.
 */
function showsSpinner(io: CliIo, json: boolean): boolean {
  return !json && io.stderr.isTTY === true && io.env.NO_COLOR === undefined && !('CI' in io.env) && io.env.TERM !== 'dumb';
}

/**
 * The progress of one command: a spinner with the elapsed time on a
 * terminal ({@link showsSpinner}), plain lines otherwise.
 */
function progressFor(io: CliIo, options: { readonly json?: boolean } = {}): Progress {
  return showsSpinner(io, options.json === true) ? new TerminalProgress(io) : plainProgress(io);
}

/** Off a terminal: a line when a long wait starts (`· Building the bundle`), and its summary, if any, when it ends. */
function plainProgress(io: CliIo): Progress {
  const style = stylerFor(io.stderr, io.env);
  return {
    note(message) {
      writeLine(io.stderr, style('dim', `· ${asInvoked(message, io.env)}`));
    },
    start(label, options: ProgressOptions = {}) {
      if (options.quiet !== true) writeLine(io.stderr, style('dim', `· ${label}`));
      let stopped = false;
      return {
        stop(outcome, summary) {
          if (stopped) return;
          stopped = true;
          if (outcome === 'ok' && summary !== undefined) writeLine(io.stderr, `· ${summary}`);
        },
      };
    },
  };
}

interface Wait {
  readonly label: string;
  readonly quiet: boolean;
  readonly startedAt: number;
}

/**
 * On a terminal: one spinner for the wait started last, with its elapsed
 * time; a long wait leaves a line saying how it went and how long it took.
 */
class TerminalProgress implements Progress {
  readonly #waits: Wait[] = [];
  readonly #style: ReturnType<typeof stylerFor>;
  #spinner: Spinner | undefined;
  #timer: NodeJS.Timeout | undefined;
  /* The spinner library loads only on a terminal, and while the first wait is still a moment. */
  readonly #library = import('yocto-spinner');

  constructor(private readonly io: CliIo) {
    this.#style = stylerFor(io.stderr, io.env);
  }

  note(message: string): void {
    // The spinner, when one turns, clears itself around this line and comes back below it.
    writeLine(this.io.stderr, this.#style('dim', `· ${asInvoked(message, this.io.env)}`));
  }

  start(label: string, options: ProgressOptions = {}): ProgressTask {
    const wait: Wait = { label, quiet: options.quiet === true, startedAt: Date.now() };
    this.#waits.push(wait);
    if (this.#spinner === undefined && this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        void this.#library.then(({ default: yoctoSpinner }) => {
          // The wait may have ended while the library loaded.
          if (this.#waits.length > 0 && this.#spinner === undefined) this.#show(yoctoSpinner);
        });
      }, MOMENT_MS).unref();
    }
    let stopped = false;
    return {
      stop: (outcome, summary) => {
        if (stopped) return;
        stopped = true;
        this.#stop(wait, outcome, summary);
      },
    };
  }

  /* A process that exits while the spinner turns (an uncaught error) gets its cursor back. */
  readonly #restore = (): void => {
    this.#spinner?.stop();
  };

  #show(yoctoSpinner: typeof import('yocto-spinner').default): void {
    // Ctrl-C is the CLI's own (it stops the run first): the spinner leaves signals alone.
    this.#spinner = yoctoSpinner({ stream: this.io.stderr as NodeJS.WriteStream, handleSignals: false, text: this.#text() }).start();
    process.once('exit', this.#restore);
    this.#timer = setInterval(() => {
      if (this.#spinner !== undefined) this.#spinner.text = this.#text();
    }, TICK_MS).unref();
  }

  #text(): string {
    const wait = this.#waits.at(-1);
    if (wait === undefined) return '';
    return `${wait.label} ${this.#style('dim', `${Math.floor((Date.now() - wait.startedAt) / 1000)}s`)}`;
  }

  #stop(wait: Wait, outcome: ProgressOutcome, summary: string | undefined): void {
    this.#waits.splice(this.#waits.indexOf(wait), 1);
    if (this.#waits.length === 0) {
      clearTimeout(this.#timer);
      clearInterval(this.#timer);
      this.#timer = undefined;
      this.#spinner?.stop();
      this.#spinner = undefined;
      process.off('exit', this.#restore);
    } else if (this.#spinner !== undefined) this.#spinner.text = this.#text();
    if (wait.quiet && summary === undefined) return;
    const mark = outcome === 'ok' ? this.#style('green', '✔') : this.#style('red', '✖');
    const took = this.#style('dim', `(${formatDuration(Date.now() - wait.startedAt)})`);
    // The spinner, when one still turns, clears itself around this line and comes back below it.
    writeLine(this.io.stderr, `${mark} ${outcome === 'ok' ? (summary ?? wait.label) : wait.label} ${took}`);
  }
}

export { progressFor, showsSpinner };
