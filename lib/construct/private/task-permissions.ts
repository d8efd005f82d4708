import type { IConstruct } from 'constructs';
import { Validations } from 'aws-cdk-lib';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { TaskCatalog, TaskInfo } from '../../core/task-catalog.js';
import { ConstructValidationError } from '../errors.js';

type TaskPermission = NonNullable<TaskInfo['permissions']>[number];

/**
 * Grants `role` what the release's tasks and scripts declare
 * (`options.permissions`, carried in the catalog): one statement per declared
 * permission. Two tasks declaring the same actions on the same resources (in
 * any order) make one statement: CDK keeps identical statements once at synthesis.
 *
 * A wildcard in an action (`s3:Get*`) or a resource (`arn:aws:s3:::exports/*`)
 * is cdk-nag's AwsSolutions-IAM5. It is acknowledged with a reason that names
 * the tasks declaring it: the declaration is reviewed where the task is
 * written, next to the code that needs it, and ships in the release's catalog.
 *
 * @throws ConstructValidationError when a task declares the action `*` (every action
 * of every service): no task gets that on its own say-so.
 */
function grantDeclaredPermissions(scope: IConstruct, role: IRole, catalog: TaskCatalog): void {
  const declaredBy = new Map<string, string[]>();
  for (const task of [...catalog.tasks, ...catalog.scripts]) {
    for (const permission of task.permissions ?? []) {
      if (permission.actions.includes('*')) {
        throw new ConstructValidationError(
          scope,
          `Task ${task.name} declares the action "*" (every action of every service) in options.permissions, got: ${JSON.stringify(permission)}. Name the actions it needs, e.g. "s3:GetObject", or grant more through adminPolicyStatements.`,
        );
      }
      role.addToPrincipalPolicy(new PolicyStatement({ actions: [...permission.actions], resources: [...permission.resources] }));
      for (const finding of wildcardFindings(permission)) {
        const tasks = declaredBy.get(finding) ?? [];
        if (!tasks.includes(task.name)) tasks.push(task.name);
        declaredBy.set(finding, tasks);
      }
    }
  }
  for (const [finding, tasks] of declaredBy) {
    Validations.of(role).acknowledge({
      id: `AwsSolutions-IAM5[${finding}]`,
      reason: `Declared by ${tasks.length === 1 ? 'task' : 'tasks'} ${tasks.join(', ')} in options.permissions: the admin function gets what its tasks declare, and the declaration is reviewed with the task's code and ships in the release's catalog.`,
    });
  }
}

/** The AwsSolutions-IAM5 findings of a permission, as cdk-nag names them: `Action::s3:Get*`, `Resource::arn:…/*`. */
function wildcardFindings(permission: TaskPermission): string[] {
  return [
    ...permission.actions.filter((action) => action.includes('*')).map((action) => `Action::${action}`),
    ...permission.resources.filter((resource) => resource.includes('*')).map((resource) => `Resource::${resource}`),
  ];
}

export { grantDeclaredPermissions };
