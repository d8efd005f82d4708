import type { SecretRedactor } from '../redact-secrets.js';

/**
 * The args of a run that hold a secret, by name: the task's `sensitiveArgs`,
 * and args whose value holds a secure value of the stage (which `redactor`
 * masks). A container run may take none of them: its event travels in
 * RunTask's container overrides, which ECS shows to whoever may describe the
 * task and CloudTrail records. An arg whose name merely looks secret
 * (`apiToken`, but also `maxTokens` or `bypassCache`) is no refusal: the
 * ledger masks it by its name, and a task that takes a secret says so with
 * `sensitiveArgs`.
 *
 * @example
 * secretArgNames({ user: 'bob', code: '4242' }, ['code'], redactor); // ['code']
 */
function secretArgNames(
  args: Readonly<Record<string, unknown>>,
  sensitive: readonly string[] | undefined,
  redactor: SecretRedactor,
): string[] {
  return Object.entries(args)
    .filter(([key, value]) => sensitive?.includes(key) === true || holdsSecret(value, redactor))
    .map(([key]) => key);
}

/* Whether redacting `value` changes it: compared as JSON, since a redacted object is always a copy. */
function holdsSecret(value: unknown, redactor: SecretRedactor): boolean {
  return JSON.stringify(redactor.value(value)) !== JSON.stringify(value);
}

/** The refusal of a container run given such args: where the secret goes instead. */
function secretArgsRefusal(task: string, names: readonly string[]): string {
  const listed = names.map((name) => `"${name}"`).join(', ');
  return `${task} runs in a container, whose args travel in RunTask's overrides (shown by ecs:DescribeTasks, kept by CloudTrail), so it takes no secret as an arg; ${listed} would be one. Keep the secret in the stage's config (cnf-admin config set KEY --secure) and read it as config.KEY.`;
}

export { secretArgNames, secretArgsRefusal };
