import { href, post } from './api.js';
import { announce, h } from './dom.js';

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  enum?: unknown[];
  description?: string;
  default?: unknown;
  minimum?: number;
  maximum?: number;
};

function inputFor(name: string, schema: Schema, required: boolean): HTMLElement {
  const id = `arg-${name}`;
  const type = Array.isArray(schema.type) ? schema.type.find((candidate) => candidate !== 'null') : schema.type;
  const describedBy = schema.description === undefined ? undefined : `${id}-help`;
  let control: HTMLElement;
  if (schema.enum !== undefined) {
    control = h(
      'select',
      { id, name, 'data-kind': 'json', required, 'aria-describedby': describedBy },
      required ? '' : h('option', { value: '' }, '(not set)'),
      ...schema.enum.map((value) =>
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
    schema.description === undefined ? '' : h('small', { id: describedBy }, schema.description),
  );
}

/** Reads the form's controls into task args: empty optional fields are left out, so the schema's defaults apply. */
function argsOf(form: HTMLFormElement): Record<string, unknown> {
  const args: Record<string, unknown> = {};
  for (const control of form.querySelectorAll<HTMLInputElement | HTMLSelectElement | HTMLTextAreaElement>('[data-kind]')) {
    const kind = control.dataset.kind;
    if (kind === 'boolean') {
      if ((control as HTMLInputElement).checked) args[control.name] = true;
      continue;
    }
    if (control.value === '') continue;
    if (kind === 'number') args[control.name] = Number(control.value);
    else if (kind === 'json') args[control.name] = JSON.parse(control.value) as unknown;
    else args[control.name] = control.value;
  }
  return args;
}

/**
 * The args form of a task, built from its JSON Schema. Starting sends the
 * args to the same admin function as `cnf-admin invoke`: its validation and
 * refusals are the CLI's, shown here in the words the CLI prints.
 */
function argsForm(task: string, schema: Schema): HTMLElement {
  const required = new Set(schema.required ?? []);
  const properties = Object.entries(schema.properties ?? {});
  const status = h('p', { class: 'status', role: 'alert', id: 'form-status' });
  const form = h(
    'form',
    { class: 'args', 'aria-labelledby': 'form-title', novalidate: true },
    h('h2', { id: 'form-title' }, `Start ${task}`),
    properties.length === 0 ? h('p', { class: 'dim' }, 'This task takes no args.') : '',
    ...properties.map(([name, property]) => inputFor(name, property, required.has(name))),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'release-target' }, 'Release'),
      h('input', { id: 'release-target', name: 'release', value: 'live', 'aria-describedby': 'release-help' }),
      h('small', { id: 'release-help' }, 'live, or a retained release id (r-…)'),
    ),
    h('button', { type: 'submit', class: 'primary' }, 'Start run…'),
    status,
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    status.textContent = '';
    let args: Record<string, unknown>;
    try {
      args = argsOf(form);
    } catch (error) {
      status.textContent = `An arg is not valid JSON: ${(error as Error).message}`;
      return;
    }
    const release = (form.querySelector('#release-target') as HTMLInputElement).value.trim() || 'live';
    status.textContent = 'Starting…';
    post<{ runId: string }>('/api/runs', { task, args, release }).then(
      (started) => {
        announce(`Started run ${started.runId}`);
        location.assign(href(`/runs/${encodeURIComponent(started.runId)}`));
      },
      (error: Error) => {
        status.textContent = error.message;
      },
    );
  });
  return form;
}

export { argsForm };
export type { Schema };
