import { isSecretLookingKey } from '../lib/core/secret-looking-key.js';
import { ApiError, get, href, post, type FieldProblem } from './api.js';
import { confirmAction } from './confirm-dialog.js';
import { goAnnouncing, h } from './dom.js';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
  /** A bound the value must pass, not meet (`z.number().positive()`: `exclusiveMinimum: 0`), as draft 2020-12 writes it. */
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  const?: unknown;
  anyOf?: Schema[];
};

/** The values a field may take: an enum's, or a union of literals' (`z.union([z.literal(1), z.literal(2)])`: anyOf of consts). */
function choicesOf(schema: Schema): unknown[] | undefined {
  if (schema.enum !== undefined) return schema.enum;
  const consts = schema.anyOf?.map((option) => option.const);
  return consts !== undefined && consts.length > 0 && consts.every((value) => value !== undefined) ? consts : undefined;
}

/**
 * A field for an arg the task declares sensitive (a token, a password): typed
 * hidden, and kept out of the browser's autofill and saved passwords. A
 * string is sent as typed; any other value as the JSON it holds (`1234`).
 */
function hiddenInput(id: string, name: string, type: string | undefined, required: boolean, describedBy: string): HTMLElement {
  return h('input', {
    id,
    name,
    type: 'password',
    autocomplete: 'new-password',
    'data-kind': type === 'string' ? 'string' : 'json',
    required,
    'aria-describedby': describedBy,
  });
}

function inputFor(name: string, schema: Schema, required: boolean, sensitive: boolean): HTMLElement {
  const id = `arg-${name}`;
  const type = Array.isArray(schema.type) ? schema.type.find((candidate) => candidate !== 'null') : schema.type;
  // The field's help, and the problem a refusal found in it (empty and hidden until then).
  const describedBy = [schema.description === undefined ? '' : `${id}-help`, `${id}-error`].join(' ').trim();
  let control: HTMLElement;
  const choices = choicesOf(schema);
  if (sensitive && type !== 'boolean' && choices === undefined) {
    control = hiddenInput(id, name, type, required, describedBy);
  } else if (choices !== undefined) {
    control = h(
      'select',
      { id, name, 'data-kind': 'json', required, 'aria-describedby': describedBy },
      // A required choice with no default starts unchosen: nothing is picked for the user.
      required
        ? schema.default === undefined
          ? h('option', { value: '', disabled: true, selected: true }, '(choose one)')
          : ''
        : h('option', { value: '' }, '(not set)'),
      ...choices.map((value) =>
        h('option', { value: JSON.stringify(value), selected: JSON.stringify(value) === JSON.stringify(schema.default) }, String(value)),
      ),
    );
  } else if (type === 'boolean') {
    control = h('input', {
      id,
      name,
      type: 'checkbox',
      'data-kind': 'boolean',
      checked: schema.default === true,
      'aria-describedby': describedBy,
    });
  } else if (type === 'integer' || type === 'number') {
    control = h('input', {
      id,
      name,
      type: 'number',
      'data-kind': 'number',
      step: type === 'integer' ? '1' : 'any',
      required,
      min: schema.minimum,
      max: schema.maximum,
      // An input has no exclusive bound of its own: the field keeps the schema's, for numberOf to check.
      'data-exclusive-min': schema.exclusiveMinimum,
      'data-exclusive-max': schema.exclusiveMaximum,
      value: typeof schema.default === 'number' ? schema.default : undefined,
      'aria-describedby': describedBy,
    });
  } else if (type === 'string') {
    control = h('input', {
      id,
      name,
      type: 'text',
      'data-kind': 'string',
      required,
      value: typeof schema.default === 'string' ? schema.default : undefined,
      'aria-describedby': describedBy,
    });
  } else {
    control = h('textarea', { id, name, 'data-kind': 'json', rows: '3', required, 'aria-describedby': describedBy, placeholder: 'JSON' });
  }
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, name, required ? ' (required)' : ''),
    control,
    schema.description === undefined ? '' : h('small', { id: `${id}-help` }, schema.description),
    h('small', { id: `${id}-error`, class: 'field-error', hidden: true }),
  );
}

/** A field whose value is not valid JSON, found before anything is sent. */
class FieldError extends Error {
  constructor(readonly problem: FieldProblem) {
    super(`${problem.field}: ${problem.problem}`);
  }
}

/** Clears what an earlier refusal marked: every field's aria-invalid and its problem. */
function clearMarks(form: HTMLFormElement): void {
  for (const control of form.querySelectorAll('[aria-invalid]')) control.removeAttribute('aria-invalid');
  for (const note of form.querySelectorAll<HTMLElement>('.field-error')) {
    note.textContent = '';
    note.hidden = true;
  }
}

/** Marks one control as refused: aria-invalid, and the problem in its error note (`<id>-error`). Whether it could. */
function markControl(control: HTMLElement, problem: string): boolean {
  const note = document.getElementById(`${control.id}-error`);
  if (note === null) return false;
  control.setAttribute('aria-invalid', 'true');
  note.textContent = note.textContent === '' ? problem : `${note.textContent}; ${problem}`;
  note.hidden = false;
  return true;
}

/**
 * Marks the fields a refusal names (aria-invalid, its problem under it) and
 * moves the focus to the first; clears what an earlier refusal marked. A
 * problem of no field of the form (the args as a whole) stays in the status line only.
 */
function markFields(form: HTMLFormElement, problems: readonly FieldProblem[]): void {
  clearMarks(form);
  let first: HTMLElement | undefined;
  for (const { field, problem } of problems) {
    const control = form.querySelector<HTMLElement>(`[data-kind][name="${CSS.escape(field)}"]`);
    if (control !== null && markControl(control, problem)) first ??= control;
  }
  first?.focus();
}

/* What the Release field takes: the server refuses anything else (lib/cli/ui/ui-api.ts). */
const RELEASE_TARGET = /^(?:live|r-[0-9a-f]{12})$/;

function parsedJson(control: HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement): unknown {
  try {
    return JSON.parse(control.value) as unknown;
  } catch (error) {
    // The parser's message quotes the input, which may be a secret typed in the wrong field: only where it failed is said.
    const at = /position \d+/.exec((error as Error).message)?.[0];
    throw new FieldError({ field: control.name, problem: `not valid JSON${at === undefined ? '' : ` (at ${at})`}` });
  }
}

/**
 * A number field's value, refused here where its schema (the field's step,
 * min and max, and its exclusive bounds) would refuse it: said in the
 * field's own words, not the schema library's (`expected int, received number`).
 */
function numberOf(control: HTMLInputElement): number {
  const { validity, min, max } = control;
  const value = Number(control.value);
  const { exclusiveMin, exclusiveMax } = control.dataset;
  const problem = validity.stepMismatch
    ? 'a whole number'
    : validity.rangeUnderflow
      ? `at least ${min}`
      : validity.rangeOverflow
        ? `at most ${max}`
        : exclusiveMin !== undefined && value <= Number(exclusiveMin)
          ? `more than ${exclusiveMin}`
          : exclusiveMax !== undefined && value >= Number(exclusiveMax)
            ? `less than ${exclusiveMax}`
            : undefined;
  if (problem !== undefined) throw new FieldError({ field: control.name, problem });
  return value;
}

/** Reads the form's controls into task args: empty optional fields are left out, so the schema's defaults apply. */
function argsOf(form: HTMLFormElement): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[data-kind]')) {
    const kind = control.dataset.kind;
    // Ticked or not, a yes-or-no arg is sent as it is shown: unticked is false, whatever the schema's default.
    if (kind === 'boolean') {
      args[control.name] = (control as HTMLInputElement).checked;
      continue;
    }
    // A number field holding text that is no number reads as empty: refused here, never sent as no value.
    if (kind === 'number' && (control as HTMLInputElement).validity.badInput)
      throw new FieldError({ field: control.name, problem: 'not a number' });
    // Whitespace alone in a JSON field is no value, as an empty field is.
    const empty = kind === 'json' ? control.value.trim() === '' : control.value === '';
    if (empty && control.required) throw new FieldError({ field: control.name, problem: 'required' });
    if (empty) continue;
    if (kind === 'number') args[control.name] = numberOf(control as HTMLInputElement);
    else if (kind === 'json') args[control.name] = parsedJson(control);
    else args[control.name] = control.value;
  }
  return args;
}

/** The config a run on a release (by its id) reads, as `GET /api/releases/<id>/plan` answers. */
interface ReleasePlan {
  configVersion: number | null;
  configSource?: string;
}

/** A release and the config a run on it reads, in words: its pinned version, or the live one where it was never live. */
function releaseWithConfig(release: string, plan: ReleasePlan): string {
  if (plan.configVersion === null) return `release ${release} (its pinned config)`;
  if (plan.configSource === 'pinned') return `release ${release} (config v${plan.configVersion}, its pinned config)`;
  return `release ${release} (the live config v${plan.configVersion}: it was never live here, so it has no pinned one)`;
}

/** Where a start on `live` runs: the working tree, where the checkout is the release, else the live release. */
function liveTarget(checkoutRuns: boolean): string {
  return checkoutRuns ? 'the working tree, deployed first where it differs from the live release,' : 'the live release';
}

/**
 * What the confirmation says a start will do: where it runs (`on`), and which args it takes as filled in (names
 * only: a value may be a secret).
 */
function startDetail(task: string, named: readonly string[], on: string): string {
  const given = named.length === 0 ? 'no args' : `${named.join(', ')} as filled in`;
  return `It runs ${task} on ${on} with ${given}, as cnf-admin invoke does, and the ledger records it as a run from ui.`;
}

/**
 * The args form of a task, built from its JSON Schema (the args it declares
 * sensitive typed hidden). Starting sends the
 * args to the same admin function as `cnf-admin invoke`: its validation and
 * refusals are the CLI's, shown here in the words the CLI prints.
 */
function argsForm(task: string, schema: Schema, checkoutRuns: boolean, sensitive: readonly string[]): HTMLElement {
  const required = new Set(schema.required ?? []);
  const properties = Object.entries(schema.properties ?? {});
  const status = h('p', { class: 'status', role: 'alert', id: 'form-status' });
  const button = h('button', { type: 'submit', class: 'primary' }, 'Start run…');
  const form = h(
    'form',
    { class: 'args', 'aria-labelledby': 'form-title', novalidate: true },
    h('h2', { id: 'form-title' }, `Start ${task}`),
    properties.length === 0 ? h('p', { class: 'dim' }, 'This task takes no args.') : '',
    ...properties.map(([name, property]) =>
      inputFor(name, property, required.has(name), sensitive.includes(name) || isSecretLookingKey(name)),
    ),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'release-target' }, 'Release'),
      h('input', { id: 'release-target', name: 'release', value: 'live', 'aria-describedby': 'release-help release-target-error' }),
      h('small', { id: 'release-help' }, 'live, or a retained release id (r-…)'),
      h('small', { id: 'release-target-error', class: 'field-error', hidden: true }),
    ),
    button,
    status,
  );
  // Client-side refusals first (nothing to confirm), then the confirmation, then the start: Enter in a field asks too.
  const start = async (): Promise<boolean> => {
    status.textContent = '';
    let args: Record<string, unknown>;
    try {
      args = argsOf(form);
    } catch (error) {
      if (!(error instanceof FieldError)) throw error;
      status.textContent = error.message;
      markFields(form, [error.problem]);
      return false;
    }
    markFields(form, []);
    const releaseField = form.querySelector('#release-target') as HTMLInputElement;
    const release = releaseField.value.trim() || 'live';
    if (!RELEASE_TARGET.test(release)) {
      // What was typed is not repeated: it may be a secret typed in the wrong field.
      status.textContent = 'Release takes "live" or a release id: r- and 12 hex digits.';
      markControl(releaseField, 'not "live" nor a release id (r- and 12 hex digits)');
      releaseField.focus();
      return false;
    }
    let on = liveTarget(checkoutRuns);
    if (release !== 'live') {
      try {
        on = releaseWithConfig(release, await get<ReleasePlan>(`/api/releases/${release}/plan`));
      } catch (error) {
        // A release the stage does not keep is said before the question, marked; any other failure is said alone.
        status.textContent = (error as Error).message;
        if (error instanceof ApiError && error.status === 404) {
          markControl(releaseField, 'not a release the stage keeps');
          releaseField.focus();
        }
        return false;
      }
    }
    if (!(await confirmAction(`Start ${task}?`, startDetail(task, Object.keys(args), on), 'Start'))) {
      status.textContent = 'Not started.';
      return false;
    }
    status.textContent = 'Starting…';
    button.disabled = true;
    try {
      const started = await post<{ runId: string }>('/api/runs', { task, args, release });
      goAnnouncing(href(`/runs/${encodeURIComponent(started.runId)}`), `Started run ${started.runId}`);
      return true;
    } catch (error) {
      button.disabled = false;
      status.textContent = (error as Error).message;
      markFields(form, error instanceof ApiError ? error.fields : []);
      return false;
    }
  };
  // One start at a time: a second Enter or click while one is asked or on its way starts no second run. The button is
  // disabled only while the start is on its way: disabled under the question, it could not take the focus back.
  let starting = false;
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    if (starting) return;
    starting = true;
    // Once started, the page goes to the run: no second start until it does.
    void start().then(
      (started) => (starting = started),
      (error: unknown) => {
        // Whatever went wrong, the form is usable again, and says what.
        starting = false;
        status.textContent = (error as Error).message;
      },
    );
  });
  return form;
}

export { argsForm };
export type { Schema };
